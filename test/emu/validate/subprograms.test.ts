// The validator cuts a program into functions at its call targets, as the
// kernel verifier does, and refuses what the kernel refuses there: recursion
// (any cycle of bpf-to-bpf calls), a jump out of its function, a function
// that runs into the next. Both engines load only what it accepts.

import { describe, expect, test } from "vitest";
import { assemble } from "../../../emu/asm/assemble.ts";
import { ValidationError } from "../../../emu/validate/validate.ts";
import { validationRefusal } from "./refusal.ts";
import { ENGINES, Vm } from "../../../emu/vm/vm.ts";

const refusal = (source: string): string => validationRefusal(source)?.message ?? "accepted";

describe("functions and calls", () => {
  test("refuse a function that calls itself", () => {
    expect(refusal("call local f\nexit\nf:\ncall local f\nexit")).toBe(
      "Invalid instruction 2 (call local -1): recursive call from the function at 2 to the function at 2",
    );
  });

  test("refuse a call back into the program itself", () => {
    expect(refusal("f:\ncall local f\nexit")).toBe("Invalid instruction 0 (call local -1): recursive call from the function at 0 to the function at 0");
  });

  test("refuse a cycle through several functions, at the call that closes it", () => {
    expect(refusal("call local a\nexit\na:\ncall local b\nexit\nb:\ncall local c\nexit\nc:\ncall local a\nexit")).toBe(
      "Invalid instruction 6 (call local -5): recursive call from the function at 6 to the function at 2",
    );
  });

  test("accept a function called from several places, and a deep chain without a cycle", () => {
    expect(refusal("call local a\ncall local b\ncall local a\nexit\na:\ncall local b\nexit\nb:\nmov %r0, 1\nexit")).toBe("accepted");
  });

  test("refuse a jump out of its function, as the kernel does", () => {
    expect(refusal("call local f\nL:\nmov %r0, 0\nexit\nf:\nja L")).toBe(
      "Invalid instruction 3 (ja -3): jump out of range from insn 3 to 1: it leaves the function at 3",
    );
  });

  test("refuse a function that runs into the next one", () => {
    expect(refusal("call local f\nexit\nmov %r0, 2\nf:\nmov %r0, 1\nexit")).toBe(
      "Invalid instruction 2 (mov %r0, 0x2): the function at 0 does not end in exit or a jump (its last instruction runs into the function at 3)",
    );
  });

  test("refuse recursion at load in both engines, with the validator's message and no binaryen output", async () => {
    const writes: string[] = [];
    const stdout = process.stdout.write;
    process.stdout.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof stdout;
    try {
      for (const engine of ENGINES) {
        const vm = await Vm.create({ engine });
        expect(() => vm.loadProgram(assemble("f:\ncall local f\nexit"))).toThrow(
          new ValidationError("recursive call from the function at 0 to the function at 0", 0, "call local -1"),
        );
      }
    } finally {
      process.stdout.write = stdout;
    }
    expect(writes).toEqual([]);
  });
});
