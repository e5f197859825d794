// Instantiates the wasm runtime (emu/runtime, compiled by asc) through the
// bindings asc generates, with the one import it needs: the host's helpers.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";
import { instantiate } from "../runtime/build/runtime.js";

export type RuntimeExports = Awaited<ReturnType<typeof instantiate>>;

export type HostHelperCall = (id: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

let compiled: WebAssembly.Module | undefined;

function runtimeModule(): WebAssembly.Module {
  if (!compiled) {
    const path = join(packageRoot(), "emu/runtime/build/runtime.wasm");
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`the VM's runtime is not built (${path} is missing): run npm install, or npm run build`);
    }
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
}

export function instantiateRuntime(callHelper: HostHelperCall): Promise<RuntimeExports> {
  return instantiate(runtimeModule(), { host: { callHelper } });
}
