// Context structures as the kernel lays them out (include/uapi/linux/bpf.h)
// and restricts them per program type (net/core/filter.c's *_is_valid_access):
// which fields a program may read, write, and which are pointers it must load
// whole. The VM turns a layout into the byte mask its memory checks read.
// Offsets and sizes are the generated layouts' (src/abi/generated.ts); struct
// bpf_sock is not among them (bpf/ only reaches it through ctx->sk) and is
// written out here.

import { BpfSockAddrLayout, SkBuffLayout, type StructLayout, XdpMdLayout } from "../../../src/abi/generated.ts";

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

/**
 * A field the generated layout has, by name, with the program type's access;
 * "name[i]" is the i-th __u32 of an array field (the uapi's arrays are __u32).
 */
type Field<F extends string> = [name: F | `${F}[${number}]`, access: Access];
/** A field the generated layout lacks, with its offset and size. */
type FieldByHand = [name: string, offset: number, size: number, access: Access];

function contextField(name: string, offset: number, size: number, access: Access): ContextField {
  return { name, offset, size, read: access !== "none", write: access === "rw", whole: access === "r-whole" };
}

/**
 * The offsets and sizes come from the layout generated from the objects' BTF
 * (src/abi/generated.ts); only the access is written here.
 */
function layout<F extends string>(name: string, struct: StructLayout<F>, fields: Field<F>[], byHand: FieldByHand[] = []): ContextLayout {
  const fromStruct = fields.map(([field, access]) => {
    const element = /^(\w+)\[(\d+)\]$/.exec(field);
    const { offset, size } = struct.fields[(element ? element[1] : field) as F];
    return element ? contextField(field, offset + 4 * Number(element[2]), 4, access) : contextField(field, offset, size, access);
  });
  const fromHand = layoutByHand(name, struct.size, byHand).fields;
  return { name, size: struct.size, fields: [...fromStruct, ...fromHand].sort((x, y) => x.offset - y.offset) };
}

function layoutByHand(name: string, size: number, fields: FieldByHand[]): ContextLayout {
  return { name, size, fields: fields.map(([field, offset, bytes, access]) => contextField(field, offset, bytes, access)) };
}

/** struct __sk_buff as a tc (SCHED_CLS / SCHED_ACT) program may use it (tc_cls_act_is_valid_access). */
export const SK_BUFF_TC = layout("__sk_buff", SkBuffLayout, [
  ["len", "r"],
  ["pkt_type", "r"],
  ["mark", "rw"],
  ["queue_mapping", "rw"],
  ["protocol", "r"],
  ["vlan_present", "r"],
  ["vlan_tci", "r"],
  ["vlan_proto", "r"],
  ["priority", "rw"],
  ["ingress_ifindex", "r"],
  ["ifindex", "r"],
  ["tc_index", "rw"],
  ["cb[0]", "rw"],
  ["cb[1]", "rw"],
  ["cb[2]", "rw"],
  ["cb[3]", "rw"],
  ["cb[4]", "rw"],
  ["hash", "r"],
  ["tc_classid", "rw"],
  ["data", "r-whole"],
  ["data_end", "r-whole"],
  ["napi_id", "r"],
  // family .. local_port belong to sk_skb programs: not readable from tc.
  ["data_meta", "r-whole"],
  ["tstamp", "rw"],
  ["wire_len", "r"],
  ["gso_segs", "r"],
  // sk: ebbflow's VM has no socket behind a test-run skb, so the field is out of reach.
  ["gso_size", "r"],
  ["hwtstamp", "r-whole"],
]);

/** struct xdp_md: every field read whole, none written (xdp_is_valid_access). */
export const XDP_MD = layout("xdp_md", XdpMdLayout, [
  ["data", "r-whole"],
  ["data_end", "r-whole"],
  ["data_meta", "r-whole"],
  ["ingress_ifindex", "r-whole"],
  ["rx_queue_index", "r-whole"],
  ["egress_ifindex", "r-whole"],
]);

/** struct bpf_sock_addr for the IPv4 hooks (sock_addr_is_valid_access): connect4, sendmsg4 (msg_src_ip4 too), recvmsg4. */
export function sockAddrLayout(sendmsg: boolean): ContextLayout {
  return layout(
    "bpf_sock_addr",
    BpfSockAddrLayout,
    [
      ["user_family", "r"],
      ["user_ip4", "rw"],
      ["user_port", "rw"],
      ["family", "r"],
      ["type", "r"],
      ["protocol", "r"],
      ["msg_src_ip4", sendmsg ? "rw" : "none"],
    ],
    // sk is a __bpf_md_ptr, whose anonymous union the generated layout skips: its place is written here.
    [["sk", 64, 8, "r-whole"]],
  );
}

/** struct bpf_sock, as a sock_addr program reads it through ctx->sk: read-only. */
export const BPF_SOCK = layoutByHand("bpf_sock", 80, [
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
