// A bpffs of a benchmark's own, mounted at a new temporary directory: the
// objects it loads pin their maps there and touch no one else's. The
// directory's name carries the process id, so that a later run can remove
// the mounts of a run that was killed before it could (tsx kills a child
// that does not answer Ctrl-C within 30 ms): their pins hold maps in memory.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** Unmounts and removes the bpffs directories of `prefix` whose process is gone. */
function removeOrphanedBpffs(prefix: string): void {
  const orphans = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((path) => dirname(path) === tmpdir() && basename(path).startsWith(prefix))
    .filter((path) => {
      const pid = Number(basename(path).slice(prefix.length).split("-")[0]);
      return Number.isInteger(pid) && pid > 0 && !alive(pid);
    });
  for (const path of orphans) {
    execFileSync("umount", [path]);
    rmdirSync(path);
  }
}

export class TemporaryBpffs {
  readonly path: string;

  /** `prefix` names the directory, so that a check for leftovers can find it. */
  constructor(prefix = "ebbflow-bench-") {
    removeOrphanedBpffs(prefix);
    this.path = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
    try {
      execFileSync("mount", ["-t", "bpf", "bpf", this.path]);
    } catch (error) {
      rmdirSync(this.path);
      throw error;
    }
  }

  /** Unmounts and removes the directory. */
  remove(): void {
    execFileSync("umount", [this.path]);
    rmdirSync(this.path);
  }
}
