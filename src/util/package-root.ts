// The folder of ebbflow's package.json, from wherever this file is loaded.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("ebbflow: cannot find the package folder (no package.json above the sources)");
    dir = parent;
  }
  root = dir;
  return dir;
}
