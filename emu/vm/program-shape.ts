// A program's shape: the code the VM holds for it (emu/vm/vm.ts), where a
// relocated lddw names an entry of the copy's address table rather than an
// address. Copies of one object (a cluster's thousand bpf_lxc, a scenario's
// fresh cluster) have one shape, so what depends on the shape alone is done
// once: the validator's verdict, and the compiled engine's module
// (emu/compiler/module-cache.ts).

import { createHash } from "node:crypto";

/** The digest of a program's code as the VM holds it. */
export function programShape(code: Uint8Array): string {
  return createHash("sha256").update(code).digest("hex");
}
