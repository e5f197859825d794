// Bounds-checked little-endian reads over one part of an object file. Every
// read names the field it is for, so a truncated or corrupted file ends in a
// LoaderError that says what was missing, never in a RangeError.

import { LoaderError } from "./errors.ts";

export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    /** The ELF section being read, where it is one (".BTF", ".symtab"). */
    readonly section: string | undefined,
    /** The part of the file or section, where that says more ("ELF header", "line_info"). */
    readonly part?: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(detail: string): never {
    throw new LoaderError(this.part === undefined ? detail : `${this.part}: ${detail}`, { file: this.file, section: this.section });
  }

  private need(at: number, size: number, field: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + size > this.bytes.byteLength) {
      this.fail(`truncated: ${field} needs ${size} bytes at offset ${at}, but there are ${this.bytes.byteLength}`);
    }
  }

  u8(at: number, field: string): number {
    this.need(at, 1, field);
    return this.view.getUint8(at);
  }

  u16(at: number, field: string): number {
    this.need(at, 2, field);
    return this.view.getUint16(at, true);
  }

  u32(at: number, field: string): number {
    this.need(at, 4, field);
    return this.view.getUint32(at, true);
  }

  i32(at: number, field: string): number {
    this.need(at, 4, field);
    return this.view.getInt32(at, true);
  }

  /** A 64-bit field as a number; sizes and offsets beyond 2^53 cannot be real in an object file. */
  u64(at: number, field: string): number {
    this.need(at, 8, field);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${field} is implausibly large (${value})`);
    return Number(value);
  }

  /** `size` bytes at `at`, sharing memory with the file. */
  slice(at: number, size: number, field: string): Uint8Array {
    this.need(at, size, field);
    return this.bytes.subarray(at, at + size);
  }

  /** The NUL-terminated string starting at `at`. */
  cString(at: number, field: string): string {
    this.need(at, 1, field);
    const end = this.bytes.indexOf(0, at);
    if (end < 0) this.fail(`${field} at offset ${at} has no terminating NUL`);
    return new TextDecoder().decode(this.bytes.subarray(at, end));
  }
}
