// The kernel's numbering of map types, program types and attach types
// (enum bpf_map_type, bpf_prog_type and bpf_attach_type of
// include/uapi/linux/bpf.h, as of Linux 6.1). Each list is in enum order, so a
// name's index is its number; the tests check them against the installed header.

export const MAP_TYPE_NAMES = [
  "UNSPEC",
  "HASH",
  "ARRAY",
  "PROG_ARRAY",
  "PERF_EVENT_ARRAY",
  "PERCPU_HASH",
  "PERCPU_ARRAY",
  "STACK_TRACE",
  "CGROUP_ARRAY",
  "LRU_HASH",
  "LRU_PERCPU_HASH",
  "LPM_TRIE",
  "ARRAY_OF_MAPS",
  "HASH_OF_MAPS",
  "DEVMAP",
  "SOCKMAP",
  "CPUMAP",
  "XSKMAP",
  "SOCKHASH",
  "CGROUP_STORAGE",
  "REUSEPORT_SOCKARRAY",
  "PERCPU_CGROUP_STORAGE",
  "QUEUE",
  "STACK",
  "SK_STORAGE",
  "DEVMAP_HASH",
  "STRUCT_OPS",
  "RINGBUF",
  "INODE_STORAGE",
  "TASK_STORAGE",
  "BLOOM_FILTER",
  "USER_RINGBUF",
] as const;
export type MapTypeName = (typeof MAP_TYPE_NAMES)[number];

export const PROGRAM_TYPE_NAMES = [
  "UNSPEC",
  "SOCKET_FILTER",
  "KPROBE",
  "SCHED_CLS",
  "SCHED_ACT",
  "TRACEPOINT",
  "XDP",
  "PERF_EVENT",
  "CGROUP_SKB",
  "CGROUP_SOCK",
  "LWT_IN",
  "LWT_OUT",
  "LWT_XMIT",
  "SOCK_OPS",
  "SK_SKB",
  "CGROUP_DEVICE",
  "SK_MSG",
  "RAW_TRACEPOINT",
  "CGROUP_SOCK_ADDR",
  "LWT_SEG6LOCAL",
  "LIRC_MODE2",
  "SK_REUSEPORT",
  "FLOW_DISSECTOR",
  "CGROUP_SYSCTL",
  "RAW_TRACEPOINT_WRITABLE",
  "CGROUP_SOCKOPT",
  "TRACING",
  "STRUCT_OPS",
  "EXT",
  "LSM",
  "SK_LOOKUP",
  "SYSCALL",
] as const;
export type ProgramTypeName = (typeof PROGRAM_TYPE_NAMES)[number];

export const ATTACH_TYPE_NAMES = [
  "CGROUP_INET_INGRESS",
  "CGROUP_INET_EGRESS",
  "CGROUP_INET_SOCK_CREATE",
  "CGROUP_SOCK_OPS",
  "SK_SKB_STREAM_PARSER",
  "SK_SKB_STREAM_VERDICT",
  "CGROUP_DEVICE",
  "SK_MSG_VERDICT",
  "CGROUP_INET4_BIND",
  "CGROUP_INET6_BIND",
  "CGROUP_INET4_CONNECT",
  "CGROUP_INET6_CONNECT",
  "CGROUP_INET4_POST_BIND",
  "CGROUP_INET6_POST_BIND",
  "CGROUP_UDP4_SENDMSG",
  "CGROUP_UDP6_SENDMSG",
  "LIRC_MODE2",
  "FLOW_DISSECTOR",
  "CGROUP_SYSCTL",
  "CGROUP_UDP4_RECVMSG",
  "CGROUP_UDP6_RECVMSG",
  "CGROUP_GETSOCKOPT",
  "CGROUP_SETSOCKOPT",
  "TRACE_RAW_TP",
  "TRACE_FENTRY",
  "TRACE_FEXIT",
  "MODIFY_RETURN",
  "LSM_MAC",
  "TRACE_ITER",
  "CGROUP_INET4_GETPEERNAME",
  "CGROUP_INET6_GETPEERNAME",
  "CGROUP_INET4_GETSOCKNAME",
  "CGROUP_INET6_GETSOCKNAME",
  "XDP_DEVMAP",
  "CGROUP_INET_SOCK_RELEASE",
  "XDP_CPUMAP",
  "SK_LOOKUP",
  "XDP",
  "SK_SKB_VERDICT",
  "SK_REUSEPORT_SELECT",
  "SK_REUSEPORT_SELECT_OR_MIGRATE",
  "PERF_EVENT",
  "TRACE_KPROBE_MULTI",
  "LSM_CGROUP",
] as const;
export type AttachTypeName = (typeof ATTACH_TYPE_NAMES)[number];

const numbering = <Name extends string>(names: readonly Name[]): Record<Name, number> =>
  Object.fromEntries(names.map((name, index) => [name, index])) as Record<Name, number>;

/** BPF_MAP_TYPE_* by name, e.g. MapType.LRU_HASH === 9. */
export const MapType = numbering(MAP_TYPE_NAMES);
/** BPF_PROG_TYPE_* by name, e.g. ProgramType.SCHED_CLS === 3. */
export const ProgramType = numbering(PROGRAM_TYPE_NAMES);
/** BPF_* attach types by name, e.g. AttachType.CGROUP_INET4_CONNECT === 10. */
export const AttachType = numbering(ATTACH_TYPE_NAMES);

/** Map flags the loader sets itself (BPF_F_* of bpf.h). */
export const MapFlag = { NO_PREALLOC: 1 << 0, RDONLY_PROG: 1 << 7, MMAPABLE: 1 << 10 } as const;
