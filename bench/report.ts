// The machine-readable shape of every benchmark's results.

export interface BenchmarkReport {
  name: string;
  results: Record<string, string | number>[];
}
