// Context structures as the kernel lays them out (include/uapi/linux/bpf.h)
// and restricts them per program type (net/core/filter.c's *_is_valid_access):
// which fields a program may read, write, and which are pointers it must load
// whole. The VM turns a layout into the byte mask its memory checks read.

export interface ContextField {
  name: string;
  offset: number;
  size: number;
  read: boolean;
  write: boolean;
  /** Pointers (data, data_end, ...) and 64-bit fields the kernel only allows whole. */
  whole: boolean;
}

export interface ContextLayout {
  name: string;
  size: number;
  fields: readonly ContextField[];
}

type Access = "r" | "rw" | "r-whole" | "none";

function layout(name: string, size: number, fields: [string, number, number, Access][]): ContextLayout {
  return {
    name,
    size,
    fields: fields.map(([field, offset, bytes, access]) => ({
      name: field,
      offset,
      size: bytes,
      read: access !== "none",
      write: access === "rw",
      whole: access === "r-whole",
    })),
  };
}

/** struct __sk_buff as a tc (SCHED_CLS / SCHED_ACT) program may use it. */
export const SK_BUFF_TC = layout("__sk_buff", 192, [
  ["len", 0, 4, "r"],
  ["pkt_type", 4, 4, "r"],
  ["mark", 8, 4, "rw"],
  ["queue_mapping", 12, 4, "rw"],
  ["protocol", 16, 4, "r"],
  ["vlan_present", 20, 4, "r"],
  ["vlan_tci", 24, 4, "r"],
  ["vlan_proto", 28, 4, "r"],
  ["priority", 32, 4, "rw"],
  ["ingress_ifindex", 36, 4, "r"],
  ["ifindex", 40, 4, "r"],
  ["tc_index", 44, 4, "rw"],
  ["cb[0]", 48, 4, "rw"],
  ["cb[1]", 52, 4, "rw"],
  ["cb[2]", 56, 4, "rw"],
  ["cb[3]", 60, 4, "rw"],
  ["cb[4]", 64, 4, "rw"],
  ["hash", 68, 4, "r"],
  ["tc_classid", 72, 4, "rw"],
  ["data", 76, 4, "r-whole"],
  ["data_end", 80, 4, "r-whole"],
  ["napi_id", 84, 4, "r"],
  // family .. local_port belong to sk_skb programs: not readable from tc.
  ["data_meta", 140, 4, "r-whole"],
  ["tstamp", 152, 8, "rw"],
  ["wire_len", 160, 4, "r"],
  ["gso_segs", 164, 4, "r"],
  // sk (168): ebbflow's VM has no socket behind a test-run skb, so the field is out of reach.
  ["gso_size", 176, 4, "r"],
  ["hwtstamp", 184, 8, "r-whole"],
]);

/** struct xdp_md: every field read whole, none written. */
export const XDP_MD = layout("xdp_md", 24, [
  ["data", 0, 4, "r-whole"],
  ["data_end", 4, 4, "r-whole"],
  ["data_meta", 8, 4, "r-whole"],
  ["ingress_ifindex", 12, 4, "r-whole"],
  ["rx_queue_index", 16, 4, "r-whole"],
  ["egress_ifindex", 20, 4, "r-whole"],
]);

/** struct bpf_sock_addr for the IPv4 hooks: connect4, sendmsg4 (msg_src_ip4 too), recvmsg4. */
export function sockAddrLayout(sendmsg: boolean): ContextLayout {
  return layout("bpf_sock_addr", 72, [
    ["user_family", 0, 4, "r"],
    ["user_ip4", 4, 4, "rw"],
    ["user_port", 24, 4, "rw"],
    ["family", 28, 4, "r"],
    ["type", 32, 4, "r"],
    ["protocol", 36, 4, "r"],
    ["msg_src_ip4", 40, 4, sendmsg ? "rw" : "none"],
    ["sk", 64, 8, "r-whole"],
  ]);
}

/** struct bpf_sock, as a sock_addr program reads it through ctx->sk: read-only. */
export const BPF_SOCK = layout("bpf_sock", 80, [
  ["bound_dev_if", 0, 4, "r"],
  ["family", 4, 4, "r"],
  ["type", 8, 4, "r"],
  ["protocol", 12, 4, "r"],
  ["mark", 16, 4, "r"],
  ["priority", 20, 4, "r"],
  ["src_ip4", 24, 4, "r"],
  ["src_ip6[0]", 28, 4, "r"],
  ["src_ip6[1]", 32, 4, "r"],
  ["src_ip6[2]", 36, 4, "r"],
  ["src_ip6[3]", 40, 4, "r"],
  ["src_port", 44, 4, "r"],
  ["dst_port", 48, 4, "r"],
  ["dst_ip4", 52, 4, "r"],
  ["dst_ip6[0]", 56, 4, "r"],
  ["dst_ip6[1]", 60, 4, "r"],
  ["dst_ip6[2]", 64, 4, "r"],
  ["dst_ip6[3]", 68, 4, "r"],
  ["state", 72, 4, "r"],
  ["rx_queue_mapping", 76, 4, "r"],
]);

/** The access mask of a layout, one byte per context byte (see emu/runtime/regions.ts). */
export function accessMask(context: ContextLayout): Uint8Array {
  const mask = new Uint8Array(context.size);
  for (const field of context.fields) {
    const bits = (field.read ? 1 : 0) | (field.write ? 2 : 0) | (field.whole ? 4 : 0);
    for (let i = 0; i < field.size; i++) mask[field.offset + i] = bits;
    mask[field.offset] |= 8 | (Math.log2(field.size) << 4);
  }
  return mask;
}
