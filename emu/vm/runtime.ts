// Instantiates the wasm runtime (emu/runtime, compiled by asc) through the
// bindings asc generates, with the one import it needs: the host's helpers.
// Both are found from the package root, not from this file: asc builds them
// beside the runtime's sources, and this file also runs compiled from dist/.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../src/util/package-root.ts";
import type { instantiate } from "../runtime/build/runtime.js";

export type RuntimeExports = Awaited<ReturnType<typeof instantiate>>;

export type HostHelperCall = (id: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

/**
 * "release" is the runtime; "mutant" is a deliberately wrong build (see
 * emu/runtime/helpers.ts) that proves the differential test can fail.
 */
export type RuntimeBuild = "release" | "mutant";

const compiled = new Map<RuntimeBuild, WebAssembly.Module>();

function runtimeModule(build: RuntimeBuild): WebAssembly.Module {
  let module = compiled.get(build);
  if (!module) {
    const path = join(packageRoot(), `emu/runtime/build/${build === "release" ? "runtime" : "runtime-mutant"}.wasm`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`the VM's runtime is not built (${path} is missing): run npm install, or npm run build`);
    }
    module = new WebAssembly.Module(new Uint8Array(bytes));
    compiled.set(build, module);
  }
  return module;
}

let bindings: Promise<{ instantiate: typeof instantiate }> | undefined;

export async function instantiateRuntime(callHelper: HostHelperCall, build: RuntimeBuild = "release"): Promise<RuntimeExports> {
  bindings ??= import(pathToFileURL(join(packageRoot(), "emu/runtime/build/runtime.js")).href);
  return (await bindings).instantiate(runtimeModule(build), { host: { callHelper } });
}
