import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { TemporaryBpffs } from "../../bench/bpffs.ts";
import { describeWhen, kernelUnavailable } from "../support/requirements.ts";

const PREFIX = "ebbflow-test-orphans-";
const mounted = (path: string) => readFileSync("/proc/self/mounts", "utf8").includes(` ${path} bpf `);

describeWhen(kernelUnavailable(), "a benchmark's bpffs", () => {
  test("is mounted under a name with the run's process id, and removed with the run", () => {
    const bpffs = new TemporaryBpffs(PREFIX);
    expect(bpffs.path.startsWith(join(tmpdir(), `${PREFIX}${process.pid}-`))).toBe(true);
    expect(mounted(bpffs.path)).toBe(true);
    bpffs.remove();
    expect(existsSync(bpffs.path)).toBe(false);
  });

  test("a new one removes those of runs that are gone, and no one else's", () => {
    const gone = spawnSync("true").pid!;
    const orphan = join(tmpdir(), `${PREFIX}${gone}-killed`);
    mkdirSync(orphan);
    spawnSync("mount", ["-t", "bpf", "bpf", orphan]);
    expect(mounted(orphan)).toBe(true);
    const running = new TemporaryBpffs(PREFIX);
    const next = new TemporaryBpffs(PREFIX);
    expect(existsSync(orphan)).toBe(false);
    expect(mounted(running.path)).toBe(true);
    running.remove();
    next.remove();
  });
});
