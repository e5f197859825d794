// A bpffs of a benchmark's own, mounted at a new temporary directory: the
// objects it loads pin their maps there and touch no one else's.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class TemporaryBpffs {
  readonly path: string;

  /** `prefix` names the directory, so that a check for leftovers can find it. */
  constructor(prefix = "ebbflow-bench-") {
    this.path = mkdtempSync(join(tmpdir(), prefix));
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
