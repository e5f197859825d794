// The fuzzer's choices, all from one seed (src/util/random.ts's splitmix64):
// the same --seed gives the same mutants, byte for byte.

import { SeededRandom } from "../../src/util/random.ts";

export class FuzzRandom {
  private readonly source: SeededRandom;

  constructor(seed: number) {
    this.source = new SeededRandom(seed);
  }

  /** An integer in [low, high]. */
  int(low: number, high: number): number {
    return this.source.between(low, high);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  chance(probability: number): boolean {
    return this.int(0, 9999) < probability * 10000;
  }
}
