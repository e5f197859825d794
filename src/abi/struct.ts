// A C struct's bytes, read and written by field name through its generated
// layout, so that no codec carries an offset of its own. The objects are
// little-endian BPF (the host's order): plain fields are little-endian,
// __be16/__be32 fields and addresses are written in network order.

import { readIPv4, writeIPv4 } from "../util/ipv4.ts";
import type { StructLayout } from "./generated.ts";

export class StructBytes<F extends string> {
  readonly view: DataView;

  constructor(
    readonly layout: StructLayout<F>,
    readonly bytes: Uint8Array = new Uint8Array(layout.size),
  ) {
    if (bytes.length !== layout.size) throw new RangeError(`a ${layout.size}-byte struct was given ${bytes.length} bytes`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A host-order field of 1, 2 or 4 bytes. */
  get(field: F): number {
    const { offset, size } = this.layout.fields[field];
    if (size === 1) return this.view.getUint8(offset);
    if (size === 2) return this.view.getUint16(offset, true);
    if (size === 4) return this.view.getUint32(offset, true);
    throw new RangeError(`field ${field} has ${size} bytes: read it as bigint or bytes`);
  }

  set(field: F, value: number): this {
    const { offset, size } = this.layout.fields[field];
    if (size === 1) this.view.setUint8(offset, value);
    else if (size === 2) this.view.setUint16(offset, value, true);
    else if (size === 4) this.view.setUint32(offset, value, true);
    else throw new RangeError(`field ${field} has ${size} bytes: write it as bigint or bytes`);
    return this;
  }

  /** A host-order 8-byte field. */
  getBigInt(field: F): bigint {
    return this.view.getBigUint64(this.layout.fields[field].offset, true);
  }

  setBigInt(field: F, value: bigint): this {
    this.view.setBigUint64(this.layout.fields[field].offset, value, true);
    return this;
  }

  /** A __be16 field (a port). */
  getPort(field: F): number {
    return this.view.getUint16(this.layout.fields[field].offset, false);
  }

  setPort(field: F, port: number): this {
    this.view.setUint16(this.layout.fields[field].offset, port, false);
    return this;
  }

  /** A __be32 field holding an IPv4 address (or the first word of a larger field, as ipcache_key.addr). */
  getAddress(field: F): number {
    return readIPv4(this.bytes, this.layout.fields[field].offset);
  }

  setAddress(field: F, address: number): this {
    writeIPv4(this.bytes, this.layout.fields[field].offset, address);
    return this;
  }
}
