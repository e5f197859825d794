// Event records and frames built by hand from bpf/README.md ("Events"), and
// a fake resolver standing in for the control plane.

import type { EndpointDetails, FlowResolver, PolicyDetails } from "../../../src/core/observe/index.ts";

export interface RecordFields {
  timestampNs?: bigint;
  type: number;
  subtype?: number;
  verdict: number;
  obsPoint: number;
  dropReason?: number;
  direction: number;
  traceReason?: number;
  flags?: number;
  endpointId?: number;
  dstPort?: number;
  ifindex?: number;
  srcIdentity?: number;
  dstIdentity?: number;
  proto?: number;
  matchType?: number;
  policyCookie?: number;
  hook: number;
  frame?: Uint8Array;
}

/** The 168-byte record, offset by offset as the README's table lays it out. */
export function eventRecord(f: RecordFields): Uint8Array {
  const bytes = new Uint8Array(168);
  const view = new DataView(bytes.buffer);
  const frame = f.frame ?? new Uint8Array(0);
  view.setBigUint64(0, f.timestampNs ?? 0n, true);
  bytes[8] = f.type;
  bytes[9] = f.subtype ?? 0;
  bytes[10] = f.verdict;
  bytes[11] = f.obsPoint;
  bytes[12] = f.dropReason ?? 0;
  bytes[13] = f.direction;
  bytes[14] = f.traceReason ?? 0;
  bytes[15] = f.flags ?? 0;
  view.setUint16(16, f.endpointId ?? 0, true);
  view.setUint16(18, f.dstPort ?? 0, true);
  view.setUint32(20, f.ifindex ?? 0, true);
  view.setUint32(24, f.srcIdentity ?? 0, true);
  view.setUint32(28, f.dstIdentity ?? 0, true);
  view.setUint32(32, frame.length, true);
  view.setUint16(36, Math.min(frame.length, 120), true);
  bytes[38] = f.proto ?? 0;
  bytes[39] = f.matchType ?? 0;
  view.setUint32(40, f.policyCookie ?? 0, true);
  bytes[44] = f.hook;
  bytes.set(frame.subarray(0, 120), 48);
  return bytes;
}

const MAC_A = [0x0a, 0x00, 0x00, 0x00, 0x00, 0x01];
const MAC_B = [0x0a, 0x00, 0x00, 0x00, 0x00, 0x02];

export function ethernet(ethertype: number, payload: number[]): Uint8Array {
  return Uint8Array.from([...MAC_B, ...MAC_A, ethertype >> 8, ethertype & 0xff, ...payload]);
}

export function ipv4(src: number[], dst: number[], protocol: number, l4: number[], options: { fragment?: number; ihl?: number } = {}): number[] {
  const ihl = options.ihl ?? 5;
  const total = 20 + l4.length;
  const fragment = options.fragment ?? 0x4000;
  return [0x40 | ihl, 0, total >> 8, total & 0xff, 0, 1, fragment >> 8, fragment & 0xff, 64, protocol, 0, 0, ...src, ...dst, ...l4];
}

const be16 = (value: number) => [value >> 8, value & 0xff];

/** 20-byte TCP header; `flags` is byte 13 (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...). */
export function tcp(sport: number, dport: number, flags: number): number[] {
  return [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
}

export function udp(sport: number, dport: number): number[] {
  return [...be16(sport), ...be16(dport), 0, 8, 0, 0];
}

export function icmp(type: number, code: number, id = 7): number[] {
  return [type, code, 0, 0, ...be16(id), 0, 1];
}

export function sctp(sport: number, dport: number): number[] {
  return [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0];
}

export const FRONTEND_IP = [10, 0, 1, 10];
export const BACKEND_IP = [10, 0, 1, 20];
export const WORLD_IP = [203, 0, 113, 5];
export const FRONTEND_IDENTITY = 12345;
export const BACKEND_IDENTITY = 23456;

export const ALLOW_POLICY: PolicyDetails = {
  name: "allow-frontend",
  namespace: "production",
  kind: "CiliumNetworkPolicy",
  labels: [
    "k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy",
    "k8s:io.cilium.k8s.policy.name=allow-frontend",
    "k8s:io.cilium.k8s.policy.namespace=production",
  ],
  revision: 3,
};

export const DENY_POLICY: PolicyDetails = {
  name: "deny-world",
  namespace: "",
  kind: "CiliumClusterwideNetworkPolicy",
  labels: ["k8s:io.cilium.k8s.policy.derived-from=CiliumClusterwideNetworkPolicy", "k8s:io.cilium.k8s.policy.name=deny-world"],
};

const ENDPOINTS: ReadonlyMap<string, EndpointDetails> = new Map([
  [
    "10.0.1.10",
    {
      id: 101,
      identity: FRONTEND_IDENTITY,
      namespace: "production",
      podName: "frontend",
      workloads: [{ name: "frontend", kind: "Deployment" }],
      clusterName: "default",
    },
  ],
  ["10.0.1.20", { id: 102, identity: BACKEND_IDENTITY, namespace: "production", podName: "backend", clusterName: "default" }],
]);

const LABELS: ReadonlyMap<number, readonly string[]> = new Map([
  [1, ["reserved:host"]],
  [2, ["reserved:world"]],
  [FRONTEND_IDENTITY, ["k8s:io.kubernetes.pod.namespace=production", "k8s:app=frontend"]],
  [BACKEND_IDENTITY, ["k8s:io.kubernetes.pod.namespace=production", "k8s:app=backend"]],
]);

export const fakeResolver: FlowResolver = {
  endpointByIp: (ip) => ENDPOINTS.get(ip),
  identityLabels: (identity) => LABELS.get(identity),
  interfaceName: (ifindex) => (ifindex === 7 ? "lxc-frontend" : undefined),
  policiesByCookie: (cookie) => (cookie === 1 ? [ALLOW_POLICY] : cookie === 2 ? [DENY_POLICY] : []),
};

/** 2026-01-01T00:00:00Z, where scenarios start their virtual clock. */
export const SCENARIO_EPOCH_NS = 1_767_225_600_000_000_000n;
