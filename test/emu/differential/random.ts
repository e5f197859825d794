// The project's seeded generator (src/util/random.ts) with the choices the
// traffic generator makes, so that a failing packet can be replayed from its seed.

import { SeededRandom } from "../../../src/util/random.ts";

export class Random extends SeededRandom {
  /** An integer in [0, n). */
  below(n: number): number {
    return this.between(0, n - 1);
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
