// The simulated cluster's wiring: which hooks a frame crosses between two
// places. Each pod's veth (host side) runs tc ingress on what leaves the pod
// and tc egress on what enters it. Each node's device runs XDP and tc ingress
// on what arrives, tc egress on what leaves. Routing is native: a node
// reaches another node's pods directly. Which program sits at each hook is
// the loaders' business (vm-hooks.ts).

import type { Place } from "../src/core/datapath/datapath.ts";
import { DEVICE_IFINDEX } from "../src/core/datapath/node-loader.ts";
import type { Hook } from "../src/core/datapath/object-backend.ts";

/** A hook of one node that a frame crosses. */
export interface Hop {
  node: string;
  hook: Extract<Hook, { kind: "tc" | "xdp" }>;
}

/** Where a place sits: its node, and for a pod the host side of its veth. */
export type Locate = (place: Place) => { node: string; veth?: number };

/** The hooks a frame crosses from `from` to `to`, in order. */
export function hops(from: Place, to: Place, locate: Locate): Hop[] {
  const path: Hop[] = [];
  const source = locate(from);
  const destination = locate(to);
  if (source.veth !== undefined) path.push({ node: source.node, hook: { kind: "tc", ifindex: source.veth, direction: "ingress" } });
  const crossesWire = from.kind === "world" || to.kind === "world" || source.node !== destination.node;
  if (crossesWire) {
    if (from.kind !== "world") path.push({ node: source.node, hook: { kind: "tc", ifindex: DEVICE_IFINDEX, direction: "egress" } });
    if (to.kind !== "world") {
      path.push({ node: destination.node, hook: { kind: "xdp", ifindex: DEVICE_IFINDEX } });
      path.push({ node: destination.node, hook: { kind: "tc", ifindex: DEVICE_IFINDEX, direction: "ingress" } });
    }
  }
  if (destination.veth !== undefined) path.push({ node: destination.node, hook: { kind: "tc", ifindex: destination.veth, direction: "egress" } });
  return path;
}
