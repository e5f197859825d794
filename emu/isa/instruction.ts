// One eBPF instruction slot and its 8-byte little-endian encoding:
// opcode:8 | dst:4 | src:4 | offset:16 (signed) | imm:32 (signed).
// The 64-bit immediate load (lddw) takes two slots; the second has opcode 0
// and carries the high 32 bits of the constant in its imm.

import { INSTRUCTION_BYTES } from "./opcodes.ts";

export interface Instruction {
  opcode: number;
  dst: number;
  src: number;
  offset: number;
  imm: number;
}

export const instruction = (opcode: number, fields: Partial<Omit<Instruction, "opcode">> = {}): Instruction => ({
  opcode,
  dst: fields.dst ?? 0,
  src: fields.src ?? 0,
  offset: fields.offset ?? 0,
  imm: fields.imm ?? 0,
});

export function encodeInstructions(program: readonly Instruction[]): Uint8Array {
  const bytes = new Uint8Array(program.length * INSTRUCTION_BYTES);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, index) => {
    const at = index * INSTRUCTION_BYTES;
    view.setUint8(at, insn.opcode);
    view.setUint8(at + 1, (insn.src << 4) | insn.dst);
    view.setInt16(at + 2, insn.offset, true);
    view.setInt32(at + 4, insn.imm, true);
  });
  return bytes;
}

/** Decodes whole instruction slots; the caller has checked that the length is a multiple of 8. */
export function decodeInstructions(bytes: Uint8Array): Instruction[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: Instruction[] = [];
  for (let at = 0; at + INSTRUCTION_BYTES <= bytes.byteLength; at += INSTRUCTION_BYTES) {
    const regs = view.getUint8(at + 1);
    program.push({
      opcode: view.getUint8(at),
      dst: regs & 0x0f,
      src: regs >> 4,
      offset: view.getInt16(at + 2, true),
      imm: view.getInt32(at + 4, true),
    });
  }
  return program;
}

/** The 64-bit constant of an lddw pair. */
export const lddwValue = (low: Instruction, high: Instruction): bigint => (BigInt(high.imm >>> 0) << 32n) | BigInt(low.imm >>> 0);
