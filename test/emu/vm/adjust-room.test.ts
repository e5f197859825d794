// bpf_skb_adjust_room in the VM (the differential test compares it with the
// kernel on random arguments): room opened after the IPv4 header's fixed 20
// bytes, the grown packet given back by the test run and reached by the
// program at its new place, on both engines; the encapsulation flags, whose
// effect on the skb the VM does not model, stop the run with a named fault.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadObject } from "../../../emu/loader/object.ts";
import { loadIntoVm } from "../../../emu/vm/object.ts";
import { testRunSkb } from "../../../emu/vm/test-run.ts";
import { Vm } from "../../../emu/vm/vm.ts";

const HELPERS = loadObject(readFileSync("test/fixtures/vm/helpers.o"), "helpers.o");
const ARGS_AT = 14;
const RESULTS_AT = ARGS_AT + 64;

/** An IPv4 frame of `length` bytes whose argument words (see helpers.c) are `args`, the rest counting up. */
function frame(length: number, args: bigint[]): Uint8Array {
  const bytes = Uint8Array.from({ length }, (_, i) => i & 0xff);
  bytes.set([0x08, 0x00], 12);
  const view = new DataView(bytes.buffer);
  args.forEach((word, i) => view.setBigUint64(ARGS_AT + i * 8, BigInt.asUintN(64, word), true));
  return bytes;
}

const result = (data: Uint8Array, i: number) => new DataView(data.buffer, data.byteOffset).getBigInt64(RESULTS_AT + i * 8, true);

describe.each(["interpreter", "compiled"] as const)("bpf_skb_adjust_room (%s engine)", (engine) => {
  async function loaded() {
    const vm = await Vm.create({ engine });
    return { vm, program: loadIntoVm(vm, HELPERS, {}).program("adjust_room") };
  }

  test("8 bytes of room after the IPv4 header's first 20 grow the packet the test run gives back", async () => {
    const { vm, program } = await loaded();
    const input = frame(200, [8n, 0n, 0n, 0n, 0n, 0n]);
    const output = testRunSkb(vm, program, { data: input });
    expect(output.data.byteLength).toBe(208);
    // Ethernet and the first 20 bytes of the IP header stay in front, 8 zero bytes follow, then the rest.
    expect([...output.data.subarray(0, 34)]).toEqual([...input.subarray(0, 34)]);
    expect([...output.data.subarray(34, 42)]).toEqual(new Array(8).fill(0));
    expect([...output.data.subarray(42 + RESULTS_AT + 48 - 34)]).toEqual([...input.subarray(RESULTS_AT + 48)]);
    // The call's return, skb->len, data_end - data; the second call (0 bytes) and the length after it.
    expect([0, 1, 2, 3, 4, 5].map((i) => result(output.data, i))).toEqual([0n, 208n, 208n, 0n, 208n, 208n]);
  });

  test("a negative length closes room at the same place, down to the IPv4 header's 20 bytes", async () => {
    const { vm, program } = await loaded();
    const input = frame(200, [-8n, 0n, 0n, -200n, 0n, 0n]);
    const output = testRunSkb(vm, program, { data: input });
    expect(output.data.byteLength).toBe(192);
    expect([...output.data.subarray(0, 34)]).toEqual([...input.subarray(0, 34)]);
    // -200 would leave less than an IPv4 header: ENOTSUPP (524), the length unchanged.
    expect([0, 1, 3, 4].map((i) => result(output.data, i))).toEqual([0n, 192n, -524n, 192n]);
  });

  test("encapsulation flags stop the run with a fault naming them", async () => {
    const { vm, program } = await loaded();
    const ENCAP_L3_IPV4 = 2n;
    expect(() => testRunSkb(vm, program, { data: frame(200, [8n, 0n, ENCAP_L3_IPV4, 0n, 0n, 0n]) })).toThrow(
      /adjust_room's encapsulation or decapsulation\) are not supported by the VM/,
    );
  });
});
