// The contexts BPF_PROG_TEST_RUN takes and gives back, as bytes: struct
// __sk_buff for tc programs and struct xdp_md for XDP (include/uapi/linux/bpf.h).
// For __sk_buff the kernel reads and writes back only the fields below
// (net/bpf/test_run.c, convert___skb_to_skb); any other non-zero byte in the
// input is refused with EINVAL.

import { endianness } from "node:os";
import { SkBuffLayout, XdpMdLayout } from "../src/abi/generated.ts";

const littleEndian = endianness() === "LE";

/** sizeof(struct __sk_buff), from the objects' BTF. */
export const SK_BUFF_SIZE = SkBuffLayout.size;
/** sizeof(struct xdp_md), likewise. */
export const XDP_MD_SIZE = XdpMdLayout.size;

/** Where each field a test run carries sits in __sk_buff. */
const SKB = (() => {
  const at = SkBuffLayout.fields;
  return {
    mark: at.mark.offset,
    priority: at.priority.offset,
    ingressIfindex: at.ingress_ifindex.offset,
    ifindex: at.ifindex.offset,
    cb: at.cb.offset,
    tstamp: at.tstamp.offset,
    wireLen: at.wire_len.offset,
    gsoSegs: at.gso_segs.offset,
    gsoSize: at.gso_size.offset,
    hwtstamp: at.hwtstamp.offset,
  };
})();

/** The __sk_buff fields a test run takes in and gives back. */
export interface SkBuffTestRunFields {
  mark: number;
  priority: number;
  ingressIfindex: number;
  ifindex: number;
  /** The five 32-bit words of skb->cb. */
  cb: [number, number, number, number, number];
  tstamp: bigint;
  wireLen: number;
  gsoSegs: number;
  gsoSize: number;
  hwtstamp: bigint;
}

export function encodeSkBuff(fields: Partial<SkBuffTestRunFields>): Uint8Array {
  const bytes = new Uint8Array(SK_BUFF_SIZE);
  const view = new DataView(bytes.buffer);
  for (const name of ["mark", "priority", "ingressIfindex", "ifindex", "wireLen", "gsoSegs", "gsoSize"] as const) {
    view.setUint32(SKB[name], fields[name] ?? 0, littleEndian);
  }
  (fields.cb ?? [0, 0, 0, 0, 0]).forEach((word, index) => view.setUint32(SKB.cb + 4 * index, word, littleEndian));
  view.setBigUint64(SKB.tstamp, fields.tstamp ?? 0n, littleEndian);
  view.setBigUint64(SKB.hwtstamp, fields.hwtstamp ?? 0n, littleEndian);
  return bytes;
}

export function decodeSkBuff(bytes: Uint8Array): SkBuffTestRunFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = (offset: number) => view.getUint32(offset, littleEndian);
  return {
    mark: word(SKB.mark),
    priority: word(SKB.priority),
    ingressIfindex: word(SKB.ingressIfindex),
    ifindex: word(SKB.ifindex),
    cb: [0, 1, 2, 3, 4].map((index) => word(SKB.cb + 4 * index)) as SkBuffTestRunFields["cb"],
    tstamp: view.getBigUint64(SKB.tstamp, littleEndian),
    wireLen: word(SKB.wireLen),
    gsoSegs: word(SKB.gsoSegs),
    gsoSize: word(SKB.gsoSize),
    hwtstamp: view.getBigUint64(SKB.hwtstamp, littleEndian),
  };
}

/**
 * struct xdp_md. In a test run's input, `data` is the length of the metadata
 * before the packet, `dataEnd` the whole buffer's length and `dataMeta` 0.
 */
export interface XdpMdFields {
  data: number;
  dataEnd: number;
  dataMeta: number;
  ingressIfindex: number;
  rxQueueIndex: number;
  egressIfindex: number;
}

const xdpMdFields = {
  data: XdpMdLayout.fields.data.offset,
  dataEnd: XdpMdLayout.fields.data_end.offset,
  dataMeta: XdpMdLayout.fields.data_meta.offset,
  ingressIfindex: XdpMdLayout.fields.ingress_ifindex.offset,
  rxQueueIndex: XdpMdLayout.fields.rx_queue_index.offset,
  egressIfindex: XdpMdLayout.fields.egress_ifindex.offset,
} as const;

export function encodeXdpMd(fields: Partial<XdpMdFields>): Uint8Array {
  const bytes = new Uint8Array(XDP_MD_SIZE);
  const view = new DataView(bytes.buffer);
  for (const [name, offset] of Object.entries(xdpMdFields)) view.setUint32(offset, fields[name as keyof XdpMdFields] ?? 0, littleEndian);
  return bytes;
}

export function decodeXdpMd(bytes: Uint8Array): XdpMdFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = Object.entries(xdpMdFields).map(([name, offset]) => [name, view.getUint32(offset, littleEndian)] as const);
  return Object.fromEntries(entries) as unknown as XdpMdFields;
}
