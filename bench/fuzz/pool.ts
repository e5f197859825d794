// Runs tasks at most `jobs` at a time (the machine's cores are shared: the
// fuzzer's default is 2), in order of submission.

export async function inPool<T>(tasks: readonly (() => Promise<T>)[], jobs: number, progress?: (done: number) => void): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
      progress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}
