// A small seeded generator (xorshift128+), so that a failing packet can be
// replayed from its seed.

export class Random {
  private s0: bigint;
  private s1: bigint;

  constructor(seed: number) {
    this.s0 = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
    this.s1 = BigInt.asUintN(64, this.s0 ^ 0xbf58476d1ce4e5b9n);
    for (let i = 0; i < 8; i++) this.next();
  }

  private next(): bigint {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x = BigInt.asUintN(64, x ^ (x << 23n));
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return BigInt.asUintN(64, this.s1 + y);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Number(this.next() % BigInt(n));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.below(1_000_000) < p * 1_000_000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.below(256));
  }
}
