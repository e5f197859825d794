import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Kernel tests create network namespaces and BPF objects: keep files apart in time.
    fileParallelism: true,
    pool: "forks",
  },
});
