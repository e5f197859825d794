// The host's window on the runtime's linear memory. The buffer changes when
// the memory grows, so every access goes through a view that checks.

import type { RuntimeExports } from "./runtime.ts";

/** The shared buffer copyOut() hands out views of. */
const SLAB_BYTES = 64 * 1024;
const LARGEST_SLAB_COPY = 4096;

export class RuntimeMemory {
  private buffer = new ArrayBuffer(0);
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  private slab = new ArrayBuffer(0);
  private slabBytes = new Uint8Array(0);
  /** Past the end: the first copy takes a fresh slab. */
  private slabUsed = SLAB_BYTES;

  constructor(private readonly runtime: RuntimeExports) {}

  bytes(): Uint8Array {
    // Growing detaches the old buffer, whose length becomes 0: cheaper to test than the buffer itself.
    if (this.u8.length === 0) {
      this.buffer = this.runtime.memory.buffer;
      this.u8 = new Uint8Array(this.buffer);
      this.u32 = new Uint32Array(this.buffer);
      this.dv = new DataView(this.buffer);
    }
    return this.u8;
  }

  /** The memory as 32-bit words (little-endian, as the wasm memory is): word i is bytes 4i to 4i + 3. */
  words(): Uint32Array {
    this.bytes();
    return this.u32;
  }

  view(): DataView {
    this.bytes();
    return this.dv;
  }

  write(address: number, data: Uint8Array): void {
    this.bytes().set(data, address);
  }

  read(address: number, length: number): Uint8Array {
    return this.bytes().slice(address, address + length);
  }

  /**
   * A copy of a few bytes (a packet, an event) as a view on a buffer shared
   * with other copies: each packet would otherwise allocate an ArrayBuffer of
   * its own, which costs more than the run. Read it through its byteOffset.
   * (Views made from a buffer at hand cost less than subarray() here.)
   */
  copyOut(address: number, length: number): Uint8Array {
    if (length > LARGEST_SLAB_COPY) return this.read(address, length);
    if (this.slabUsed + length > SLAB_BYTES) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.slabBytes = new Uint8Array(this.slab);
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    this.bytes();
    this.slabBytes.set(new Uint8Array(this.buffer, address, length), at);
    this.slabUsed = (at + length + 7) & ~7;
    return new Uint8Array(this.slab, at, length);
  }

  /** A block on a page programs cannot reach; throws when memory is exhausted. */
  allocate(size: number): number {
    const address = this.runtime.allocate(size);
    if (address === 0) throw new Error(`the VM's memory is exhausted (allocating ${size} bytes)`);
    return address;
  }

  release(address: number, size: number): void {
    this.runtime.release(address, size);
  }
}
