// The roots a fuzzed child may read, and the opens outside them, from the log
// that open-guard.mjs writes. Allowed: the scenario's own folder (what
// FileAccess allows a scenario), the package (the CLI's code, package.json,
// the BPF objects, the VM's runtime, the compiler's sources hashed for the
// module cache), node_modules' real folder (it may be a symlink), the
// compiled-module cache the child was given (EBBFLOW_CACHE_DIR), the kernel's
// transparent huge page setting (the VM reads it), and /dev/null; for an ELF
// worker, the folder of the mutants. Everything else opened is counted.

import { readFileSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";

export interface GuardEntry {
  op: string;
  kind: "read" | "meta";
  path: string;
  real: string | null;
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

let fixed: string[] | undefined;
/** The roots every child may read, whatever its input; `cacheDir` is the compiled-module cache it was given. */
export function fixedRoots(cacheDir: string): string[] {
  if (!fixed) {
    const root = realpathSync(packageRoot());
    fixed = [root, realpathSync(join(root, "node_modules")), "/sys/kernel/mm/transparent_hugepage", "/dev/null"];
  }
  return [...fixed, realpathSync(cacheDir)];
}

export function readGuardLog(file: string): GuardEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as GuardEntry);
}

/**
 * The entries outside the roots, by the input being read: the log is in call
 * order, and reading an input (a scenario file, an object) opens its turn;
 * -1 is before the first. `inputs` are real paths; `allowed(turn)` the roots of a turn.
 */
export function outsideRoots(
  entries: readonly GuardEntry[],
  inputs: readonly string[],
  allowed: (turn: number) => readonly string[],
): Map<number, GuardEntry[]> {
  const found = new Map<number, GuardEntry[]>();
  let turn = -1;
  for (const entry of entries) {
    // A path that resolves to nothing opened nothing.
    if (entry.real === null) continue;
    const input = entry.kind === "read" ? inputs.indexOf(entry.real) : -1;
    if (input >= 0) turn = input;
    if (allowed(turn).some((root) => inside(entry.real!, root))) continue;
    const list = found.get(turn) ?? [];
    list.push(entry);
    found.set(turn, list);
  }
  return found;
}
