// Program types from section names, as libbpf 1.1 reads SEC(): a name either
// equals a known section exactly ("tc", "xdp", "cgroup/connect4") or, for the
// entries written "kprobe+", is that word alone or followed by "/anything".
// The table lists the networking and tracing sections whose programs need no
// kernel BTF; the rest (fentry, lsm, struct_ops, iter, ...) is refused.

import { ATTACH_TYPE_NAMES, type AttachTypeName, PROGRAM_TYPE_NAMES, type ProgramTypeName } from "./kernel-enums.ts";

export interface SectionProgramType {
  type: number;
  typeName: ProgramTypeName;
  attachType: number | undefined;
  attachTypeName: AttachTypeName | undefined;
}

const SECTIONS: readonly [section: string, type: ProgramTypeName, attach?: AttachTypeName][] = [
  ["socket", "SOCKET_FILTER"],
  ["tc", "SCHED_CLS"],
  ["classifier", "SCHED_CLS"],
  ["action", "SCHED_ACT"],
  ["xdp", "XDP", "XDP"],
  ["xdp.frags", "XDP", "XDP"],
  ["xdp/devmap", "XDP", "XDP_DEVMAP"],
  ["xdp/cpumap", "XDP", "XDP_CPUMAP"],
  ["cgroup_skb/ingress", "CGROUP_SKB", "CGROUP_INET_INGRESS"],
  ["cgroup_skb/egress", "CGROUP_SKB", "CGROUP_INET_EGRESS"],
  ["cgroup/skb", "CGROUP_SKB"],
  ["cgroup/sock", "CGROUP_SOCK", "CGROUP_INET_SOCK_CREATE"],
  ["cgroup/sock_create", "CGROUP_SOCK", "CGROUP_INET_SOCK_CREATE"],
  ["cgroup/sock_release", "CGROUP_SOCK", "CGROUP_INET_SOCK_RELEASE"],
  ["cgroup/post_bind4", "CGROUP_SOCK", "CGROUP_INET4_POST_BIND"],
  ["cgroup/post_bind6", "CGROUP_SOCK", "CGROUP_INET6_POST_BIND"],
  ["cgroup/bind4", "CGROUP_SOCK_ADDR", "CGROUP_INET4_BIND"],
  ["cgroup/bind6", "CGROUP_SOCK_ADDR", "CGROUP_INET6_BIND"],
  ["cgroup/connect4", "CGROUP_SOCK_ADDR", "CGROUP_INET4_CONNECT"],
  ["cgroup/connect6", "CGROUP_SOCK_ADDR", "CGROUP_INET6_CONNECT"],
  ["cgroup/sendmsg4", "CGROUP_SOCK_ADDR", "CGROUP_UDP4_SENDMSG"],
  ["cgroup/sendmsg6", "CGROUP_SOCK_ADDR", "CGROUP_UDP6_SENDMSG"],
  ["cgroup/recvmsg4", "CGROUP_SOCK_ADDR", "CGROUP_UDP4_RECVMSG"],
  ["cgroup/recvmsg6", "CGROUP_SOCK_ADDR", "CGROUP_UDP6_RECVMSG"],
  ["cgroup/getpeername4", "CGROUP_SOCK_ADDR", "CGROUP_INET4_GETPEERNAME"],
  ["cgroup/getpeername6", "CGROUP_SOCK_ADDR", "CGROUP_INET6_GETPEERNAME"],
  ["cgroup/getsockname4", "CGROUP_SOCK_ADDR", "CGROUP_INET4_GETSOCKNAME"],
  ["cgroup/getsockname6", "CGROUP_SOCK_ADDR", "CGROUP_INET6_GETSOCKNAME"],
  ["cgroup/getsockopt", "CGROUP_SOCKOPT", "CGROUP_GETSOCKOPT"],
  ["cgroup/setsockopt", "CGROUP_SOCKOPT", "CGROUP_SETSOCKOPT"],
  ["cgroup/sysctl", "CGROUP_SYSCTL", "CGROUP_SYSCTL"],
  ["cgroup/dev", "CGROUP_DEVICE", "CGROUP_DEVICE"],
  ["sockops", "SOCK_OPS", "CGROUP_SOCK_OPS"],
  ["sk_skb/stream_parser", "SK_SKB", "SK_SKB_STREAM_PARSER"],
  ["sk_skb/stream_verdict", "SK_SKB", "SK_SKB_STREAM_VERDICT"],
  ["sk_skb", "SK_SKB"],
  ["sk_msg", "SK_MSG", "SK_MSG_VERDICT"],
  ["sk_lookup", "SK_LOOKUP", "SK_LOOKUP"],
  ["sk_reuseport/migrate", "SK_REUSEPORT", "SK_REUSEPORT_SELECT_OR_MIGRATE"],
  ["sk_reuseport", "SK_REUSEPORT", "SK_REUSEPORT_SELECT"],
  ["flow_dissector", "FLOW_DISSECTOR", "FLOW_DISSECTOR"],
  ["lwt_in", "LWT_IN"],
  ["lwt_out", "LWT_OUT"],
  ["lwt_xmit", "LWT_XMIT"],
  ["lwt_seg6local", "LWT_SEG6LOCAL"],
  ["kprobe+", "KPROBE"],
  ["kretprobe+", "KPROBE"],
  ["uprobe+", "KPROBE"],
  ["uretprobe+", "KPROBE"],
  ["tracepoint+", "TRACEPOINT"],
  ["tp+", "TRACEPOINT"],
  ["raw_tracepoint+", "RAW_TRACEPOINT"],
  ["raw_tp+", "RAW_TRACEPOINT"],
  ["perf_event", "PERF_EVENT"],
];

const matches = (pattern: string, section: string): boolean => {
  if (!pattern.endsWith("+")) return section === pattern;
  const word = pattern.slice(0, -1);
  return section === word || section.startsWith(`${word}/`);
};

/** The program type libbpf gives a section name, or undefined for a name it would not load or ebbflow does not support. */
export function programTypeOfSection(section: string): SectionProgramType | undefined {
  const entry = SECTIONS.find(([pattern]) => matches(pattern, section));
  if (!entry) return undefined;
  const [, typeName, attachTypeName] = entry;
  return {
    type: PROGRAM_TYPE_NAMES.indexOf(typeName),
    typeName,
    attachType: attachTypeName === undefined ? undefined : ATTACH_TYPE_NAMES.indexOf(attachTypeName),
    attachTypeName,
  };
}

/** The section names accepted, for error messages ("kprobe+" is "kprobe" or "kprobe/<function>"). */
export const SUPPORTED_SECTIONS: readonly string[] = SECTIONS.map(([section]) => section);
