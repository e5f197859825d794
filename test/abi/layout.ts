// Reading a struct's encoded bytes by its generated layout, so that codec
// tests check offsets against BTF rather than against numbers of their own.

import { expect } from "vitest";
import type { StructLayout } from "../../src/abi/generated.ts";

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** The bytes of one field, in hex. */
export function fieldHex<F extends string>(bytes: Uint8Array, layout: StructLayout<F>, field: F): string {
  const { offset, size } = layout.fields[field];
  return hex(bytes.subarray(offset, offset + size));
}

/** Every byte outside `named` fields (padding, reserved fields the codec leaves out) is zero. */
export function expectZeroOutside<F extends string>(bytes: Uint8Array, layout: StructLayout<F>, named: readonly F[]): void {
  expect(bytes.length).toBe(layout.size);
  const covered = new Set(named.flatMap((field) => Array.from({ length: layout.fields[field].size }, (_, i) => layout.fields[field].offset + i)));
  for (let i = 0; i < bytes.length; i++) if (!covered.has(i)) expect(bytes[i], `byte ${i}`).toBe(0);
}
