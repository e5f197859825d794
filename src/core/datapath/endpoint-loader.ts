// One endpoint's copy of bpf_lxc, loaded as Cilium's endpoint regeneration
// loads it (pkg/datapath/loader reloadEndpoint): the object with the node's
// and the endpoint's constants, the endpoint's program array filled with its
// own copy's tail-call targets, the policy of its previous copy carried
// over, and its entry programs on the host side of the pod's veth. Both
// backends, the CNI plugin and the benchmarks load endpoints through this.

import { CallSlot } from "../../abi/generated.ts";
import { attachAll, type Attachment, type ObjectAttacher, type ObjectBackend, type ObjectConfiguration } from "./object-backend.ts";
import { type EndpointConstants, lxcVariables, type NodeBalancing } from "./object-variables.ts";

/** The endpoint's program array, and the program of its own copy that fills each slot (bpf/lib/calls.h). */
export const ENDPOINT_TAIL_CALLS = {
  map: "eb_calls",
  slots: [
    [CallSlot.CALL_IPV4_FROM_CONTAINER, "tail_ipv4_from_container"],
    [CallSlot.CALL_IPV4_TO_CONTAINER, "tail_ipv4_to_container"],
  ],
} as const;

/** The endpoint's own maps a reloaded copy takes over from the previous one, as Cilium's regeneration keeps its policy. */
export const ENDPOINT_CARRIED_MAPS = ["eb_policy"] as const;

/** Where each entry program runs: tc of the host side of the pod's veth (the kernel keeps 15 characters of a name). */
export const ENDPOINT_ATTACHMENTS = [
  ["cil_from_container", "ingress"],
  ["cil_to_container", "egress"],
] as const;

export interface EndpointLoad<Object> {
  node: NodeBalancing;
  endpoint: EndpointConstants;
  /** The endpoint's copy loaded before, for a reload. */
  previous?: Object;
  maxEntries?: ObjectConfiguration["maxEntries"];
}

/** The endpoint's bpf_lxc, loaded, its slots filled and its previous copy's policy carried over; not attached yet. */
export function loadEndpoint<Object>(backend: ObjectBackend<Object>, load: EndpointLoad<Object>): Object {
  const object = backend.load("bpf_lxc.o", { variables: lxcVariables(load.node, load.endpoint), maxEntries: load.maxEntries });
  try {
    for (const [slot, program] of ENDPOINT_TAIL_CALLS.slots) backend.fillSlot(object, ENDPOINT_TAIL_CALLS.map, slot, program);
    if (load.previous) for (const map of ENDPOINT_CARRIED_MAPS) backend.copyMap(load.previous, object, map);
  } catch (error) {
    backend.close(object);
    throw error;
  }
  return object;
}

/**
 * Attaches the endpoint's entry programs to the host side `ifindex` of its
 * veth. A reload attaches at the same hooks, replacing the previous copy's
 * programs in place, so that no packet passes between the two.
 */
export function attachEndpoint<Object>(attacher: ObjectAttacher<Object>, object: Object, ifindex: number): Attachment[] {
  return attachAll(
    attacher,
    ENDPOINT_ATTACHMENTS.map(([program, direction]) => ({ object, program, hook: { kind: "tc", ifindex, direction } as const })),
  );
}
