// The simulated cluster's wiring: which programs a frame crosses between two
// places. Each pod's veth (host side) runs bpf_lxc: from-container on what
// leaves the pod, to-container on what enters it. Each node's device runs
// XDP and bpf_host: from-netdev on what arrives, to-netdev on what leaves.
// Routing is native: a node reaches another node's pods directly.

import type { Place } from "../src/core/datapath/datapath.ts";

export type HookProgram =
  | { kind: "lxc"; endpoint: string; program: "cil_from_container" | "cil_to_container" }
  | { kind: "host"; node: string; program: "cil_from_netdev" | "cil_to_netdev" }
  | { kind: "xdp"; node: string; program: "cil_xdp_entry" };

/** The node a place sits on: a pod's, a node itself, the node a world host is reached through. */
export type NodeOf = (place: Place) => string;

/** The programs a frame crosses from `from` to `to`, in order. */
export function hops(from: Place, to: Place, nodeOf: NodeOf): HookProgram[] {
  const path: HookProgram[] = [];
  const sourceNode = nodeOf(from);
  const destinationNode = nodeOf(to);
  if (from.kind === "pod") path.push({ kind: "lxc", endpoint: from.endpoint, program: "cil_from_container" });
  const crossesWire = from.kind === "world" || to.kind === "world" || sourceNode !== destinationNode;
  if (crossesWire) {
    if (from.kind !== "world") path.push({ kind: "host", node: sourceNode, program: "cil_to_netdev" });
    if (to.kind !== "world") {
      path.push({ kind: "xdp", node: destinationNode, program: "cil_xdp_entry" });
      path.push({ kind: "host", node: destinationNode, program: "cil_from_netdev" });
    }
  }
  if (to.kind === "pod") path.push({ kind: "lxc", endpoint: to.endpoint, program: "cil_to_container" });
  return path;
}
