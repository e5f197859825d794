// A struct codec from one field list: each property of the TypeScript value
// names its C field and how the field is read, and encode and decode both
// walk that list, so that the two directions cannot drift apart. C fields the
// list leaves out are padding or reserved: encoded as zero, not decoded.

import type { StructLayout } from "./generated.ts";
import { StructBytes } from "./struct.ts";

/**
 * How a field's bytes become a value: `uint` a host-order integer of 1, 2 or
 * 4 bytes, `u64` a host-order 8-byte bigint, `port` a __be16, `address` a
 * __be32 IPv4 address, `bool` a host-order integer that is 0 or 1.
 */
export type FieldKind = "uint" | "u64" | "port" | "address" | "bool";

type ValueOf<K extends FieldKind> = K extends "u64" ? bigint : K extends "bool" ? boolean : number;

export type FieldList<F extends string> = { readonly [property: string]: readonly [F, FieldKind] };

/** The TypeScript value a field list describes. */
export type StructValue<L extends FieldList<string>> = { -readonly [P in keyof L]: ValueOf<L[P][1]> };

export interface StructCodec<T> {
  readonly size: number;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export function structCodec<F extends string, const L extends FieldList<F>>(layout: StructLayout<F>, fields: L): StructCodec<StructValue<L>> {
  const entries = Object.entries(fields) as [keyof L & string, readonly [F, FieldKind]][];
  // Written in one scratch struct and copied out: a cluster encodes hundreds of
  // thousands of map entries, and a DataView over each new array costs it
  // an ArrayBuffer of its own.
  const scratch = new StructBytes(layout);
  return {
    size: layout.size,
    encode(value) {
      scratch.bytes.fill(0);
      for (const [property, [field, kind]] of entries) writeField(scratch, field, kind, value[property]);
      return scratch.bytes.slice();
    },
    decode(raw) {
      const bytes = new StructBytes(layout, raw);
      const value: Record<string, number | bigint | boolean> = {};
      for (const [property, [field, kind]] of entries) value[property] = readField(bytes, field, kind);
      return value as StructValue<L>;
    },
  };
}

function writeField<F extends string>(bytes: StructBytes<F>, field: F, kind: FieldKind, value: number | bigint | boolean): void {
  if (kind === "u64") bytes.setBigInt(field, value as bigint);
  else if (kind === "port") bytes.setPort(field, value as number);
  else if (kind === "address") bytes.setAddress(field, value as number);
  else if (kind === "bool") bytes.set(field, value ? 1 : 0);
  else bytes.set(field, value as number);
}

function readField<F extends string>(bytes: StructBytes<F>, field: F, kind: FieldKind): number | bigint | boolean {
  if (kind === "u64") return bytes.getBigInt(field);
  if (kind === "port") return bytes.getPort(field);
  if (kind === "address") return bytes.getAddress(field);
  if (kind === "bool") return bytes.get(field) !== 0;
  return bytes.get(field);
}

/** The key of a map keyed by a plain integer (an ID of 2 or 4 bytes, host order). */
export function scalarCodec(size: 2 | 4): StructCodec<number> {
  return {
    size,
    encode(value) {
      const bytes = new Uint8Array(size);
      const view = new DataView(bytes.buffer);
      if (size === 2) view.setUint16(0, value, true);
      else view.setUint32(0, value, true);
      return bytes;
    },
    decode(bytes) {
      if (bytes.length !== size) throw new RangeError(`a ${size}-byte key was given ${bytes.length} bytes`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return size === 2 ? view.getUint16(0, true) : view.getUint32(0, true);
    },
  };
}
