// The compiled engine makes the common memory checks inline (the packet, the
// context through a table of what its mask allows, map values by page kind)
// and leaves the rest to the runtime. Each check must give the interpreter's
// verdict: every offset, size and direction of a __sk_buff access, packet
// accesses across both ends, writes to a read-only map value.

import { beforeAll, describe, expect, test } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { VmError } from "../../../emu/vm/errors.ts";
import { SK_BUFF_TC } from "../../../emu/vm/context/layout.ts";
import { PROGRAM_TYPE, runSkb } from "../../../emu/vm/test-run.ts";
import { type Engine, Vm } from "../../../emu/vm/vm.ts";

const SIZES = { 1: "b", 2: "h", 4: "w", 8: "dw" } as const;
const FRAME = Uint8Array.from({ length: 60 }, (_, i) => (i < 12 ? 0 : i === 12 ? 0x08 : i));

/** "ok <r0>" or the fault's kind, for a tc program on FRAME. */
function verdict(vm: Vm, source: string): string {
  const program = vm.loadProgram(assemble(source), { type: PROGRAM_TYPE.SCHED_CLS });
  try {
    return `ok ${runSkb(vm, program, { data: FRAME }).retval}`;
  } catch (error) {
    if (error instanceof VmError) return `${error.kind} at ${error.index}`;
    throw error;
  }
}

describe("inline memory checks of the compiled engine", () => {
  const vms = {} as Record<Engine, Vm>;
  beforeAll(async () => {
    vms.interpreter = await Vm.create({ engine: "interpreter" });
    vms.compiled = await Vm.create({ engine: "compiled" });
  });
  const both = (source: string) => ({ interpreter: verdict(vms.interpreter, source), compiled: verdict(vms.compiled, source) });

  test("allow and refuse each __sk_buff access as the interpreter does", () => {
    let allowed = 0;
    let refused = 0;
    for (let offset = 0; offset < SK_BUFF_TC.size + 8; offset++) {
      for (const [size, suffix] of Object.entries(SIZES)) {
        for (const source of [`ldx${suffix} %r0, [%r1+${offset}]\nexit`, `mov %r2, 0\nstx${suffix} [%r1+${offset}], %r2\nmov %r0, 0\nexit`]) {
          const { interpreter, compiled } = both(source);
          expect(compiled, `${source.split("\n")[0]} (size ${size})`).toBe(interpreter);
          if (interpreter.startsWith("ok")) allowed++;
          else refused++;
        }
      }
    }
    // The layout allows some accesses and refuses others: both sides of every check were taken.
    expect(allowed).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(500);
  });

  test("allow the packet's bytes and refuse those around it", () => {
    // r2 = data, r3 = data_end (offsets 76 and 80 of __sk_buff).
    for (const delta of [-9, -8, -1, 0, 1, 52, 53, 56, 57, 59, 60, 64]) {
      for (const [size, suffix] of Object.entries(SIZES)) {
        const read = `ldxw %r2, [%r1+76]\nldx${suffix} %r0, [%r2${delta < 0 ? "" : "+"}${delta}]\nexit`;
        const write = `ldxw %r2, [%r1+76]\nst${suffix} [%r2${delta < 0 ? "" : "+"}${delta}], 1\nmov %r0, 0\nexit`;
        for (const source of [read, write]) {
          const { interpreter, compiled } = both(source);
          expect(compiled, `${source.split("\n")[1]} (size ${size})`).toBe(interpreter);
          expect(interpreter.startsWith("ok")).toBe(delta >= 0 && delta + Number(size) <= FRAME.byteLength);
        }
      }
    }
  });

  test("fault on addresses outside the wasm memory or below it, as the interpreter does", () => {
    for (const address of ["0", "0x10", "0x7ffffff0", "0xfffffff8", "0x100000000", "-8"]) {
      for (const access of ["ldxw %r0, [%r2+0]", "stw [%r2+0], 1"]) {
        const { interpreter, compiled } = both(`lddw %r2, ${address}\n${access}\nmov %r0, 0\nexit`);
        expect(interpreter).toBe("memory at 2");
        expect(compiled, `${access} at ${address}`).toBe(interpreter);
      }
    }
  });

  test("read a read-only map value and refuse to write it", async () => {
    for (const engine of ["interpreter", "compiled"] as const) {
      const vm = await Vm.create({ engine });
      // BPF_F_RDONLY_PROG (1 << 7) makes the values read-only to programs, as .rodata is.
      const map = vm.createMap({ name: "rodata", type: 2, keySize: 4, valueSize: 8, maxEntries: 1, flags: 1 << 7 });
      map.update(new Uint8Array(4), Uint8Array.from([7, 0, 0, 0, 0, 0, 0, 0]));
      const lookup = (tail: string) =>
        `mov %r6, %r1\nstw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map.pointer}\ncall 1\njne %r0, 0, +2\nmov %r0, 99\nexit\n${tail}`;
      expect(verdict(vm, lookup("ldxdw %r0, [%r0+0]\nexit"))).toBe("ok 7");
      expect(verdict(vm, lookup("stdw [%r0+0], 1\nmov %r0, 0\nexit"))).toMatch(/^memory at 10/);
    }
  });

  test("read a value of a hash map read-only to programs, and refuse to write it or change the map", async () => {
    for (const engine of ["interpreter", "compiled"] as const) {
      const vm = await Vm.create({ engine });
      // The values of such a map live in its index, beside their keys.
      const map = vm.createMap({ name: "services", type: 1, keySize: 4, valueSize: 8, maxEntries: 64, flags: 1 << 7 });
      for (let key = 0; key < 40; key++) map.update(Uint8Array.of(key, 0, 0, 0), Uint8Array.of(key + 100, 0, 0, 0, 0, 0, 0, 0));
      const withKey = (body: string) => `stw [%r10-4], 7\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, ${map.pointer}\n${body}`;
      const lookup = (tail: string) => withKey(`call 1\njne %r0, 0, +2\nmov %r0, 99\nexit\n${tail}`);
      expect(verdict(vm, lookup("ldxdw %r0, [%r0+0]\nexit"))).toBe("ok 107");
      expect(verdict(vm, lookup("stdw [%r0+0], 1\nmov %r0, 0\nexit"))).toBe("memory at 9");
      const update = withKey("mov %r3, %r2\nmov %r4, 0\ncall 2\nexit");
      expect(verdict(vm, update)).toBe("helper-argument at 7");
      expect(() => vm.run(vm.loadProgram(assemble(update), { type: PROGRAM_TYPE.SCHED_CLS }), {})).toThrow(/read-only to programs \(BPF_F_RDONLY_PROG\)/);
      expect(verdict(vm, withKey("call 3\nexit"))).toBe("helper-argument at 5");
    }
  });
});
