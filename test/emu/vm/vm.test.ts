// The VM's safety: memory checked against its regions, a budget on every run,
// a limit on call depth, helpers only from the host's table; each failure is a
// typed error naming the instruction and its disassembly.

import { beforeAll, describe, expect, test } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { decodeInstructions } from "../../../emu/isa/instruction.ts";
import { ValidationError } from "../../../emu/validate/validate.ts";
import { VmError } from "../../../emu/vm/errors.ts";
import { HelperFault, Vm } from "../../../emu/vm/vm.ts";

let vm: Vm;
beforeAll(async () => {
  vm = await Vm.create();
  vm.registerHelper({ id: 1, name: "double", call: (r1) => r1 * 2n });
  vm.registerHelper({
    id: 2,
    name: "refuse",
    call: () => {
      throw new HelperFault("refused by the host");
    },
  });
});

const run = (text: string, memory?: Uint8Array, budget?: number) => vm.run(vm.loadProgram(assemble(text), { initializedAtEntry: [1, 2] }), { memory, budget });

const vmError = (fn: () => unknown): VmError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof VmError) return error;
    throw error;
  }
  throw new Error("expected a VmError");
};

describe("the VM", () => {
  test("returns r0, counts instructions and hands back the input memory", () => {
    const result = run("ldxb %r0, [%r1+1]\nstb [%r1+0], 7\nexit", Uint8Array.of(1, 42));
    expect(result.r0).toBe(42n);
    expect(result.executed).toBe(3);
    expect([...result.memory]).toEqual([7, 42]);
  });

  test("calls helpers from the host's table", () => {
    expect(run("mov %r1, 21\ncall 1\nexit").r0).toBe(42n);
  });

  test("refuses a read past the input memory, naming the instruction", () => {
    const error = vmError(() => run("mov %r0, 0\nldxw %r0, [%r1+2]\nexit", Uint8Array.of(1, 2, 3, 4)));
    expect(error.kind).toBe("memory");
    expect(error.index).toBe(1);
    expect(error.instruction).toBe("ldxw %r0, [%r1+2]");
    expect(error.message).toMatch(/^instruction 1 \(ldxw %r0, \[%r1\+2\]\): read of 4 bytes at 0x[0-9a-f]+ is outside/);
  });

  test("stops a store below the stack frame and a null dereference", () => {
    expect(vmError(() => run("mov %r1, %r10\nstdw [%r1-520], 1\nmov %r0, 0\nexit")).kind).toBe("memory");
    expect(vmError(() => run("mov %r2, 0\nldxb %r0, [%r2+0]\nexit")).instruction).toBe("ldxb %r0, [%r2+0]");
  });

  test("stops an endless loop at its budget", () => {
    const error = vmError(() => run("mov %r0, 0\nL:\nadd %r0, 1\nja L", undefined, 10_000));
    expect(error.kind).toBe("budget");
    expect(error.message).toContain("budget exhausted after 10000 instructions");
  });

  test("limits nested local calls to 8 frames", () => {
    let chain = "call local f1\nexit\n";
    for (let i = 1; i < 8; i++) chain += `f${i}:\ncall local f${i + 1}\nexit\n`;
    const error = vmError(() => run(chain + "f8:\nmov %r0, 0\nexit"));
    expect(error.kind).toBe("call-depth");
    expect(error.message).toBe("instruction 14 (call local +1): more than 8 nested bpf-to-bpf call frames");
  });

  test("gives each local call its own stack frame and restores r6-r9", () => {
    const program = `
      stdw [%r10-8], 1
      mov %r6, 6
      call local f
      ldxdw %r1, [%r10-8]
      add %r0, %r1
      add %r0, %r6
      exit
    f:
      stdw [%r10-8], 100
      mov %r6, 0
      ldxdw %r0, [%r10-8]
      exit`;
    expect(run(program).r0).toBe(107n);
  });

  test("turns a helper's refusal and an unknown helper id into errors at the call", () => {
    expect(vmError(() => run("call 2\nexit")).message).toBe("instruction 0 (call 2): refused by the host");
    const unknown = vmError(() => run("mov %r2, 99\ncall %r2\nexit"));
    expect(unknown.kind).toBe("unknown-helper");
    expect(unknown.message).toBe("instruction 1 (call %r2): call to unknown helper 99");
  });

  test("refuses at load what the validator refuses", () => {
    const bad = (words: number[]) => () => vm.loadProgram(decodeInstructions(Uint8Array.from(words)));
    expect(bad([0x05, 0, 5, 0, 0, 0, 0, 0])).toThrow(/target 6 lies outside the program/);
    expect(bad([0xff, 0, 0, 0, 0, 0, 0, 0])).toThrow(/unknown opcode 0xff/);
    expect(bad([0xb7, 0x0a, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])).toThrow(/r10, the frame pointer, is read-only/);
    expect(() => vm.loadProgram(assemble("call 777\nexit"))).toThrow(ValidationError);
    expect(() => vm.loadProgram(assemble("mov %r0, %r3\nexit"))).toThrow(/reads r3/);
    expect(() => vm.loadProgram(assemble("mov %r0, 0"))).toThrow(/last instruction must be exit or a jump/);
  });
});
