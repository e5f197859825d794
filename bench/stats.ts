// What the benchmarks report of repeated timings.

/** The middle value (the upper of the two middle ones for an even count): one disturbed sample does not move it. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}
