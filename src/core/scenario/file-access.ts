// The files a scenario may read (`files:`, `pcap:`): regular files inside its
// own folder tree or under a root the user named with --allow-path, with
// symlinks resolved before the check, and bounded in size. Scenario files
// come from pull requests and may run as root: nothing they name may reach
// /etc/shadow, /proc or /dev/zero, and a refusal never shows a byte of what
// it refused.

import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Per file: far above any manifest or capture a scenario carries. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Per scenario: every file it reads, together. */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

/** Reports a refusal ("does not exist", "is not a regular file", ...) where the caller can name the path and the field at fault. */
export type Refuse = (problem: string) => never;

/** A folder's real path; a folder that does not exist holds nothing, so it stays as named. */
function realFolder(folder: string): string {
  try {
    return realpathSync(resolve(folder));
  } catch {
    return resolve(folder);
  }
}

/** A path a scenario names: relative to its own folder, or absolute (then it must lie under an --allow-path root). */
export function scenarioPath(scenarioFile: string, written: string): string {
  return isAbsolute(written) ? written : join(dirname(scenarioFile), written);
}

export class FileAccess {
  private bytesRead = 0;

  private constructor(private readonly roots: readonly string[]) {}

  /** The scenario's own folder and the --allow-path roots (real paths: checked before, by the command line). */
  static forScenario(scenarioFile: string, allowPaths: readonly string[] = []): FileAccess {
    return new FileAccess([realFolder(dirname(scenarioFile)), ...allowPaths.map(realFolder)]);
  }

  /** The real path of `path` when it lies inside a root; refuses it otherwise. */
  private confined(path: string, refuse: Refuse): string {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      refuse(code === "ENOENT" ? "does not exist" : `cannot be read (${code})`);
    }
    const inside = this.roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
    if (!inside) refuse(`is outside the scenario's folder ${relative(process.cwd(), this.roots[0]) || "."} (name more folders with --allow-path)`);
    return real;
  }

  isDirectory(path: string, refuse: Refuse): boolean {
    return statSync(this.confined(path, refuse)).isDirectory();
  }

  /** The names in a confined directory, in name order. */
  list(path: string, refuse: Refuse): string[] {
    return readdirSync(this.confined(path, refuse)).sort();
  }

  /** A confined regular file's bytes, counted against the scenario's budget. */
  read(path: string, refuse: Refuse): Buffer {
    const real = this.confined(path, refuse);
    // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the
    // path was resolved above, a symlink swapped in since is refused.
    const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) refuse("is not a regular file");
      if (stat.size > MAX_FILE_BYTES) refuse(`has ${stat.size} bytes, more than the ${MAX_FILE_BYTES} a scenario's file may have`);
      if (this.bytesRead + stat.size > MAX_SCENARIO_BYTES) refuse(`would take the scenario's files past the ${MAX_SCENARIO_BYTES} bytes a scenario may read`);
      const bytes = Buffer.alloc(stat.size);
      let filled = 0;
      while (filled < bytes.length) {
        const got = readSync(fd, bytes, filled, bytes.length - filled, filled);
        if (got === 0) break;
        filled += got;
      }
      this.bytesRead += filled;
      return bytes.subarray(0, filled);
    } finally {
      closeSync(fd);
    }
  }
}
