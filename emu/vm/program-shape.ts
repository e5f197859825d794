// A program's shape: its instructions with the load-time addresses its lddw
// instructions load left out. Copies of one object (a cluster's hundred
// bpf_lxc, a scenario's fresh cluster) differ only in those addresses, so
// what depends on the shape alone is done once: the validator's verdict, and
// the compiled engine's module (emu/compiler/module-cache.ts).

import { createHash } from "node:crypto";

/** The digest of a program's encoded instructions, with the immediates of the lddw slots in `relocated` zeroed. */
export function programShape(code: Uint8Array, relocated: readonly number[]): string {
  const shape = code.slice();
  for (const slot of relocated) {
    shape.fill(0, slot * 8 + 4, slot * 8 + 8);
    shape.fill(0, slot * 8 + 12, slot * 8 + 16);
  }
  return createHash("sha256").update(shape).update(relocated.join(",")).digest("hex");
}
