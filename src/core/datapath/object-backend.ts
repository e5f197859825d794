// What loading one of the datapath's objects asks of a backend: libbpf's
// open, set variables and load, then filling a program array's slot, copying
// a map from an object's previous copy, and attaching a program at a hook.
// The endpoint and node loaders (endpoint-loader.ts, node-loader.ts) say once
// which object, with which constants, which slots, what carries over and
// what attaches where; each backend implements these steps over its own
// objects (backend-kernel: KernelObject; backend-wasm: VmObject).

import type { ObjectVariables } from "./object-variables.ts";

/** The datapath's objects, as bpf/build.sh writes them beside their sources. */
export type DatapathObjectFile = "bpf_lxc.o" | "bpf_host.o" | "bpf_xdp.o" | "bpf_sock.o";

export interface ObjectConfiguration {
  variables: ObjectVariables;
  /** max_entries by map name, where the object's own are not wanted (the benchmarks' large maps). */
  maxEntries?: Readonly<Record<string, number>>;
}

export interface ObjectBackend<Object> {
  /** Opens the object, sets its constants and map sizes, and loads it: maps created or reused from the pins, programs verified. */
  load(file: DatapathObjectFile, configuration: ObjectConfiguration): Object;
  /** Puts `object`'s program `program` in slot `slot` of its program array `map`. */
  fillSlot(object: Object, map: string, slot: number, program: string): void;
  /** Copies every entry of `from`'s map `map` into the same map of `to`. */
  copyMap(from: Object, to: Object, map: string): void;
  /** Releases the object; its attached programs stay attached and its pinned maps pinned. */
  close(object: Object): void;
}

/** libbpf's names of the cgroup hooks bpf_sock attaches at. */
export type CgroupAttachType = "cgroup_inet4_connect" | "cgroup_udp4_sendmsg" | "cgroup_udp4_recvmsg";

/** A hook of the node the backend attaches for: an interface's tc direction or XDP, the node's cgroup. */
export type Hook =
  { kind: "tc"; ifindex: number; direction: "ingress" | "egress" } | { kind: "xdp"; ifindex: number } | { kind: "cgroup"; attachType: CgroupAttachType };

/** A program attached at a hook, owned: close() detaches it (unless another was attached in its place since). */
export interface Attachment {
  close(): void;
}

export interface ObjectAttacher<Object> {
  attach(object: Object, program: string, hook: Hook): Attachment;
}

/**
 * Attaches each program at its hook, in order. When one fails, those attached
 * before it stay, as Cilium's loader leaves them: a reload that fails half-way
 * must not leave a hook with no program (its traffic would pass unchecked),
 * and a reload replaces in place, so the previous copy's program is gone.
 */
export function attachAll<Object>(attacher: ObjectAttacher<Object>, plan: readonly { object: Object; program: string; hook: Hook }[]): Attachment[] {
  return plan.map(({ object, program, hook }) => attacher.attach(object, program, hook));
}
