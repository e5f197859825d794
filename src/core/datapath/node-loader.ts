// A node's objects, loaded as a Cilium agent loads the host datapath
// (pkg/datapath/loader reinitializeHostDev and the socket LB's cgroup
// programs): bpf_host with the node's constants on the node's device, tc
// ingress from-netdev and tc egress to-netdev; bpf_xdp on the device; and,
// with socket LB, bpf_sock on the node's cgroup. Every object shares the
// node's pinned maps.

import type { NodeConfig } from "./datapath.ts";
import { attachAll, type Attachment, type CgroupAttachType, type ObjectAttacher, type ObjectBackend } from "./object-backend.ts";
import { hostVariables, sockVariables } from "./object-variables.ts";

/** The node's device (eth0): ifindex 2 in every node's namespace, as on a real node, in both backends. */
export const DEVICE_IFINDEX = 2;

export interface NodeObjects<Object> {
  host: Object;
  xdp: Object;
  sock: Object;
}

/** bpf_sock's programs and the cgroup hook of each (cilium `socketLB.enabled`). */
export const SOCKET_HOOKS: readonly (readonly [string, CgroupAttachType])[] = [
  ["cil_sock4_connect", "cgroup_inet4_connect"],
  ["cil_sock4_sendmsg", "cgroup_udp4_sendmsg"],
  ["cil_sock4_recvmsg", "cgroup_udp4_recvmsg"],
];

/** The node's three objects, loaded with its constants; when one fails, those loaded before it are closed. */
export function loadNode<Object>(backend: ObjectBackend<Object>, node: NodeConfig): NodeObjects<Object> {
  const loaded: Object[] = [];
  const load = (...args: Parameters<ObjectBackend<Object>["load"]>) => {
    const object = backend.load(...args);
    loaded.push(object);
    return object;
  };
  try {
    return {
      host: load("bpf_host.o", { variables: hostVariables(node) }),
      xdp: load("bpf_xdp.o", { variables: {} }),
      sock: load("bpf_sock.o", { variables: sockVariables(node) }),
    };
  } catch (error) {
    for (const object of loaded) backend.close(object);
    throw error;
  }
}

/** Attaches the node's programs: bpf_host and bpf_xdp on the device `device`, bpf_sock on the node's cgroup with socket LB. */
export function attachNode<Object>(attacher: ObjectAttacher<Object>, objects: NodeObjects<Object>, node: NodeConfig, device: number): Attachment[] {
  return attachAll(attacher, [
    { object: objects.host, program: "cil_from_netdev", hook: { kind: "tc", ifindex: device, direction: "ingress" } },
    { object: objects.host, program: "cil_to_netdev", hook: { kind: "tc", ifindex: device, direction: "egress" } },
    { object: objects.xdp, program: "cil_xdp_entry", hook: { kind: "xdp", ifindex: device } },
    ...(node.loadBalancer?.socketLB
      ? SOCKET_HOOKS.map(([program, attachType]) => ({ object: objects.sock, program, hook: { kind: "cgroup", attachType } as const }))
      : []),
  ]);
}
