// A seeded generator (splitmix64): every random choice of a run comes from
// the run's seed, so the same file and seed give the same output.

export class SeededRandom {
  private state: bigint;

  constructor(seed: number | bigint) {
    this.state = BigInt.asUintN(64, BigInt(seed));
  }

  next(): bigint {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + Number(this.next() % BigInt(high - low + 1));
  }
}
