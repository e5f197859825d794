// The host's window on the runtime's linear memory. The buffer changes when
// the memory grows, so every access goes through a view that checks.

import type { RuntimeExports } from "./runtime.ts";

export class RuntimeMemory {
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));

  constructor(private readonly runtime: RuntimeExports) {}

  bytes(): Uint8Array {
    if (this.u8.buffer !== this.runtime.memory.buffer) {
      this.u8 = new Uint8Array(this.runtime.memory.buffer);
      this.dv = new DataView(this.runtime.memory.buffer);
    }
    return this.u8;
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
