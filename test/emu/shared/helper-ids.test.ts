// The runtime's helpers are the kernel's ids, as emu/isa/helpers.ts names them.

import { expect, test } from "vitest";
import { HELPER_NAMES } from "../../../emu/isa/helpers.ts";
import { Helper } from "../../../emu/shared/helper-ids.ts";

const runtimeHelpers: [Helper, string][] = [
  [Helper.MapLookupElem, "bpf_map_lookup_elem"],
  [Helper.MapUpdateElem, "bpf_map_update_elem"],
  [Helper.MapDeleteElem, "bpf_map_delete_elem"],
  [Helper.KtimeGetNs, "bpf_ktime_get_ns"],
  [Helper.TracePrintk, "bpf_trace_printk"],
  [Helper.GetPrandomU32, "bpf_get_prandom_u32"],
  [Helper.GetSmpProcessorId, "bpf_get_smp_processor_id"],
  [Helper.SkbStoreBytes, "bpf_skb_store_bytes"],
  [Helper.L3CsumReplace, "bpf_l3_csum_replace"],
  [Helper.L4CsumReplace, "bpf_l4_csum_replace"],
  [Helper.TailCall, "bpf_tail_call"],
  [Helper.Redirect, "bpf_redirect"],
  [Helper.GetSocketCookie, "bpf_get_socket_cookie"],
  [Helper.SkbLoadBytes, "bpf_skb_load_bytes"],
  [Helper.SkbAdjustRoom, "bpf_skb_adjust_room"],
  [Helper.CsumDiff, "bpf_csum_diff"],
  [Helper.KtimeGetBootNs, "bpf_ktime_get_boot_ns"],
  [Helper.RingbufOutput, "bpf_ringbuf_output"],
  [Helper.RingbufReserve, "bpf_ringbuf_reserve"],
  [Helper.RingbufSubmit, "bpf_ringbuf_submit"],
  [Helper.RingbufDiscard, "bpf_ringbuf_discard"],
  [Helper.RingbufQuery, "bpf_ringbuf_query"],
  [Helper.MapLookupPercpuElem, "bpf_map_lookup_percpu_elem"],
];

test.each(runtimeHelpers)("helper %i is %s", (id, name) => {
  expect(HELPER_NAMES.get(id)).toBe(name);
});
