// The VM's two tc runs: testRunSkb keeps BPF_PROG_TEST_RUN's limits on the
// frame (conformance, differential tests, benchmarks), while runSkb, the
// datapath's own run, takes any frame a device carries, up to what a veth of
// MTU 65535 does, whole and linear.

import { beforeAll, describe, expect, test } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { MAX_DEVICE_FRAME, PROGRAM_TYPE, runSkb, TestRunError, testRunSkb } from "../../../emu/vm/test-run.ts";
import { Vm, type VmProgram } from "../../../emu/vm/vm.ts";
import { MAX_FRAME_BYTES } from "../../../src/core/packets/build.ts";

/** A frame of `length` bytes ending in 0xab. */
function frame(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[length - 1] = 0xab;
  return bytes;
}

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof TestRunError) return error.message;
    throw error;
  }
  return "ran";
};

describe.each(["interpreter", "compiled"] as const)("with the %s engine", (engine) => {
  let vm: Vm;
  let program: VmProgram;

  beforeAll(async () => {
    vm = await Vm.create({ engine });
    // r0 = (data_end - data) << 8 | the frame's last byte, read through the packet pointer.
    program = vm.loadProgram(
      assemble(`ldxw %r2, [%r1+76]
ldxw %r3, [%r1+80]
mov %r0, %r3
sub %r0, %r2
lsh %r0, 8
ldxb %r4, [%r3-1]
or %r0, %r4
exit`),
      { type: PROGRAM_TYPE.SCHED_CLS },
    );
  });

  describe("runSkb", () => {
    test("takes the longest frame a scenario may give, 65,549 bytes, all of it within data and data_end", () => {
      expect(MAX_DEVICE_FRAME).toBe(MAX_FRAME_BYTES);
      expect(runSkb(vm, program, { data: frame(MAX_DEVICE_FRAME) }).retval).toBe(((MAX_DEVICE_FRAME << 8) | 0xab) >>> 0);
    });

    test("takes a 9,000-byte jumbo frame and gives it back whole", () => {
      const output = runSkb(vm, program, { data: frame(9000) });
      expect(output.retval).toBe((9000 << 8) | 0xab);
      expect(output.data).toEqual(frame(9000));
    });

    test("refuses a frame one byte longer than a device carries", () => {
      expect(refusal(() => runSkb(vm, program, { data: frame(MAX_DEVICE_FRAME + 1) }))).toBe(
        "test run refused (EINVAL): a frame of 65550 bytes is longer than the 65549 a device carries",
      );
    });
  });

  describe("testRunSkb", () => {
    test("keeps the kernel's limit: 3,712 bytes run, 3,713 are refused", () => {
      expect(testRunSkb(vm, program, { data: frame(3712) }).retval).toBe((3712 << 8) | 0xab);
      expect(refusal(() => testRunSkb(vm, program, { data: frame(3713) }))).toBe("test run refused (EINVAL): a tc test run takes 14 to 3712 bytes, not 3713");
    });
  });
});
