// The wiring of a kernel backend run, as `ip` commands. A "fabric" namespace
// holds a bridge; each node is a namespace whose device (eth0, ifindex 2, as
// on a real node and in the wasm backend) is a veth into that bridge; world
// hosts share one namespace on the bridge, holding every world address asked
// for. Routing is native: each node routes the other nodes' pod CIDRs to
// them, and everything else to the world. Each pod is a namespace whose eth0
// is a veth to its node, the host side named and numbered as the control
// plane says; as in Cilium, the pod's default route goes to a gateway address
// whose neighbour entry is the host side's MAC, set once, so that no ARP is
// needed to leave a pod; what a pod sends to its own address or into
// 127.0.0.0/8 stays on its lo, as on a real node. Nothing has a route out of
// the run.

import { execFile } from "node:child_process";
import { DEVICE_IFINDEX } from "../src/core/datapath/node-loader.ts";

export const DEVICE = "eth0";
export const BRIDGE = "br0";

/** Every namespace of a run: no IPv6 (its neighbour discovery would be traffic of no attempt). */
export const COMMON_SYSCTLS: Readonly<Record<string, string>> = {
  "net.ipv6.conf.all.disable_ipv6": "1",
  "net.ipv6.conf.default.disable_ipv6": "1",
};

/**
 * A node forwards (a new namespace starts with forwarding off) and does not
 * filter by reverse path; it takes packets from its own address, which a
 * NodePort reply bears once bpf_host has undone the SNAT (the frontend).
 */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  ...COMMON_SYSCTLS,
  "net.ipv4.ip_forward": "1",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
  "net.ipv4.conf.all.accept_local": "1",
};

/** A replay's pod takes packets from its own address (its hairpin packets, below) and does not filter by reverse path. */
export const POD_SYSCTLS: Readonly<Record<string, string>> = {
  ...COMMON_SYSCTLS,
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
  "net.ipv4.conf.all.accept_local": "1",
};

/** The pods' gateway, Cilium's router address of a link-local kind: never on the wire as a packet's address. */
export const POD_GATEWAY = "169.254.1.1";

/** The world forwards nothing; it only answers. */
export const WORLD_SYSCTLS = { ...COMMON_SYSCTLS, "net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.default.rp_filter": "0" };

export class IpCommandError extends Error {
  constructor(
    readonly netns: string | undefined,
    readonly commands: readonly string[],
    readonly stderr: string,
  ) {
    super(`ip${netns ? ` -n ${netns}` : ""}: ${stderr.trim()} (commands: ${commands.join("; ")})`);
    this.name = "IpCommandError";
  }
}

/** Runs `ip` commands (one per line, as `ip -batch` takes them) in a named namespace, or the caller's. */
export function ip(netns: string | undefined, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return Promise.resolve();
  const args = [...(netns ? ["-n", netns] : []), "-batch", "-"];
  return new Promise((resolve, reject) => {
    const child = execFile("ip", args, (error, _stdout, stderr) => (error ? reject(new IpCommandError(netns, commands, stderr)) : resolve()));
    child.stdin!.end(commands.join("\n") + "\n");
  });
}

/** The fabric: a bridge, up. */
export function fabricCommands(): string[] {
  return [`link add ${BRIDGE} type bridge`, `link set ${BRIDGE} up`, "link set lo up"];
}

/** In a node's (or the world's) namespace: eth0, a veth whose other end `fabricSide` is in the fabric. */
export function deviceCommands(fabricNetns: string, fabricSide: string, address: string | undefined): string[] {
  return [
    `link add ${DEVICE} index ${DEVICE_IFINDEX} type veth peer name ${fabricSide} netns ${fabricNetns}`,
    "link set lo up",
    `link set ${DEVICE} up`,
    ...(address ? [`addr add ${address}/32 dev ${DEVICE}`] : []),
  ];
}

/** In the fabric: the device's other end joins the bridge. */
export function fabricPortCommands(fabricSide: string): string[] {
  return [`link set ${fabricSide} master ${BRIDGE}`, `link set ${fabricSide} up`];
}

/** Routes from a node or the world to another node and its pods, over the bridge. */
export function routesToNode(node: { internalIP: string; podCIDR: string }): string[] {
  return [`route add ${node.internalIP}/32 dev ${DEVICE} scope link`, `route add ${node.podCIDR} via ${node.internalIP} dev ${DEVICE} onlink`];
}

/** A node's route to whatever is not a node or a pod: the world, on the bridge. */
export function defaultRouteCommands(): string[] {
  return [`route add default dev ${DEVICE} scope link`];
}

export interface PodInterface {
  /** The host side's name and ifindex in the node's namespace. */
  hostName: string;
  hostIfindex: number;
  /** The pod's side, inside its namespace. */
  podName: string;
  ip: string;
}

/** The host side's MAC: locally administered, from its ifindex (unique on the node, which is all a veth needs). */
export function hostSideMac(ifindex: number): string {
  return `02:eb:00:00:${((ifindex >> 8) & 0xff).toString(16).padStart(2, "0")}:${(ifindex & 0xff).toString(16).padStart(2, "0")}`;
}

/** In the node's namespace: the pod's veth, its host side up and routed to. */
export function podHostCommands(podNetns: string, pod: PodInterface): string[] {
  return [
    `link add ${pod.hostName} index ${pod.hostIfindex} address ${hostSideMac(pod.hostIfindex)} type veth peer name ${pod.podName} netns ${podNetns}`,
    `link set ${pod.hostName} up`,
    `route add ${pod.ip}/32 dev ${pod.hostName} scope link`,
  ];
}

/**
 * ETH_MAX_MTU, the most a veth takes: a replay's pod has it on both ends of
 * its veth, so that they carry the longest frame a datapath does
 * (veth-frame.ts). Set when the pod is made, not per frame, so that an
 * injection changes nothing under the traffic; the peers' own packets are
 * all far shorter.
 */
export const VETH_MTU = 65535;

/** A replay's veth end with VETH_MTU (the CNI plugin's pods keep the default). */
export function vethMtuCommands(device: string): string[] {
  return [`link set ${device} mtu ${VETH_MTU}`];
}

/** In the pod's namespace: its address, and everything through the gateway, which is the host side. */
export function podCommands(pod: PodInterface): string[] {
  return [
    "link set lo up",
    `link set ${pod.podName} up`,
    `addr add ${pod.ip}/32 dev ${pod.podName}`,
    `neigh add ${POD_GATEWAY} lladdr ${hostSideMac(pod.hostIfindex)} dev ${pod.podName} nud permanent`,
    `route add default via ${POD_GATEWAY} dev ${pod.podName} onlink`,
  ];
}
