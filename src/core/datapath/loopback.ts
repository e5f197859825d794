// What a real node carries over a namespace's own loopback device, where no
// BPF program of the datapath sees it: a connection from a pod (or a node's
// process) to its own address or into 127.0.0.0/8. The kernel's route lookup
// (fib_lookup) finds such a destination in the namespace's local table and
// sends it out of lo (ip_route_output_key_hash_rcu), never to the veth or
// the device; the namespace's own socket answers. Both backends carry it so.

import { parseIPv4Prefix, prefixHolds, requireIPv4, type IPv4Prefix } from "../../util/ipv4.ts";

const LOOPBACK = parseIPv4Prefix("127.0.0.0/8") as IPv4Prefix;

/** Whether a connection from `sourceIP` to `destinationIP` (after any socket translation) stays in the source's namespace. */
export function staysOnLoopback(sourceIP: string, destinationIP: string): boolean {
  return destinationIP === sourceIP || prefixHolds(LOOPBACK, requireIPv4(destinationIP));
}
