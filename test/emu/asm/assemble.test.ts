// The assembler and disassembler of the conformance dialect: every suite
// program survives a round trip, and mistakes are named with their line.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { AsmError, assemble } from "../../../emu/asm/assemble.ts";
import { disassemble } from "../../../emu/asm/disassemble.ts";
import { parseDataFile } from "../../../emu/conformance/datafile.ts";
import { listDataFiles } from "../../../emu/conformance/runner.ts";
import { decodeInstructions, encodeInstructions } from "../../../emu/isa/instruction.ts";
import { opcodeTable } from "../../../emu/isa/table.ts";

const words = (text: string): string => Buffer.from(encodeInstructions(assemble(text))).toString("hex");

const asmError = (text: string): AsmError => {
  try {
    assemble(text);
  } catch (error) {
    if (error instanceof AsmError) return error;
    throw error;
  }
  throw new Error("expected an AsmError");
};

describe("assemble", () => {
  test.each([
    ["mov32 %r0, 1", "b400000001000000"],
    ["add %r1, %r2", "0f21000000000000"],
    ["ldxdw %r0, [%r1+2]", "7910020000000000"],
    ["stw [%r10-4], 0x1", "620afcff01000000"],
    ["be16 %r3", "dc03000010000000"],
    ["bswap64 %r0", "d700000040000000"],
    ["sdiv32 %r0, 3", "3400010003000000"],
    ["movsx1664 %r1, %r2", "bf21100000000000"],
    ["ldxsb %r0, [%r1+0]", "9110000000000000"],
    ["lock fetch add32 [%r10-4], %r1", "c31afcff01000000"],
    ["lock cmpxchg [%r10-8], %r1", "db1af8fff1000000"],
    ["call 5", "8500000005000000"],
    ["call %r2", "8d02000000000000"],
    ["lddw %r0, 0x1122334455667788", "18000000887766550000000044332211"],
  ])("%s encodes as %s", (text, hex) => {
    expect(words(text)).toBe(hex);
  });

  test("resolves labels, +N offsets and the implicit exit label", () => {
    const program = assemble("ja L\nmov %r0, 1\nL:\njeq %r0, 0, exit\nexit\ncall local f\nf:\nexit");
    expect(program.map((i) => i.offset)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(program[4].imm).toBe(0);
  });

  test.each([
    ["mov %r0, 1\nfrob %r0", 2, "Invalid mnemonic: frob"],
    ["or %r0, %r11", 1, "Invalid register: %r11"],
    ["add %r0", 1, "Invalid number of operands for add: expected 2, got 1"],
    ["ja nowhere\nexit", 1, "Invalid label: nowhere"],
    ["L:\nL:\nexit", 2, "Duplicate label: L"],
    ["mov32 %r0, 2147483648", 1, "Invalid immediate"],
    ["ldxb %r0, [%r1+40000]", 1, "Invalid offset"],
    ["lock add [%r10-8]", 1, "Invalid number of operands for lock"],
    ["lock nand [%r10-8], %r1", 1, "Invalid atomic operation: nand"],
    ["call sideways 3", 1, "Invalid call mode: sideways"],
  ])("refuses %j at line %i", (text, line, message) => {
    const error = asmError(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
  });
});

describe("disassemble", () => {
  const programs = listDataFiles("test/conformance/bpf_conformance/tests")
    .map((file) => parseDataFile(file, readFileSync(file, "utf8")))
    .filter((data) => data.asm);

  test.each(programs.map((d) => [d.file, d]))("%s survives assemble -> disassemble -> assemble", (_file, data) => {
    const original = encodeInstructions(assemble(data.asm!.text));
    const again = encodeInstructions(assemble(disassemble(decodeInstructions(original)).join("\n")));
    expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(original).toString("hex"));
  });

  test("names every valid opcode and marks the rest invalid", () => {
    for (let opcode = 0; opcode < 256; opcode++) {
      const text = disassemble([
        { opcode, dst: 0, src: 0, offset: 0, imm: 16 },
        { opcode: 0, dst: 0, src: 0, offset: 0, imm: 0 },
      ])[0];
      expect(text.startsWith(".invalid")).toBe(!opcodeTable.has(opcode));
    }
  });
});
