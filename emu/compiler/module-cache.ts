// Compiled modules by what they compute: the program's instructions with its
// load-time addresses left out (those come in as imported globals), and the
// runtime's stack top. Compiling is the expensive part (binaryen, then V8:
// up to seconds for bpf_lxc's tail calls), so a module is compiled once:
// kept in memory for the process (the least recently used goes first past
// CACHED_MODULES), and its bytes on disk for the next process, under
// EBBFLOW_CACHE_DIR or node_modules/.cache/ebbflow. The disk key includes the
// compiler's own sources and binaryen's version, so a changed compiler never
// reads an old module. On a miss the build compiles in a worker thread, so
// that binaryen loads only in a process that compiles (compile-in-worker.ts);
// the sources (tests, tsx) compile in this thread, since a worker would need
// tsx's hooks to run TypeScript, and binaryen takes seconds to load through them.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";
import { type Instruction } from "../isa/instruction.ts";
import { type CompileOptions } from "./compile.ts";

const compileProgram: (instructions: readonly Instruction[], options: CompileOptions) => Uint8Array<ArrayBuffer> = import.meta.url.endsWith(".ts")
  ? (await import("./compile.ts")).compileProgram
  : (await import("./compile-in-worker.ts")).compileInWorker;

const CACHED_MODULES = 256;
const modules = new Map<string, WebAssembly.Module>();

let compilerVersion: string | undefined;
/** A digest of everything that decides a module's bytes besides the program. */
function compilerDigest(): string {
  if (!compilerVersion) {
    const hash = createHash("sha256");
    const root = packageRoot();
    for (const folder of ["emu/compiler", "emu/isa"]) {
      for (const name of readdirSync(join(root, folder)).sort()) hash.update(name).update(readFileSync(join(root, folder, name)));
    }
    hash.update(JSON.parse(readFileSync(join(root, "node_modules/binaryen/package.json"), "utf8")).version);
    compilerVersion = hash.digest("hex");
  }
  return compilerVersion;
}

function cacheFolder(): string {
  return process.env.EBBFLOW_CACHE_DIR ?? join(packageRoot(), "node_modules/.cache/ebbflow/compiled");
}

function readCached(key: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(join(cacheFolder(), `${key}.wasm`)));
  } catch {
    return undefined;
  }
}

/** Writes through a temporary name, so that a concurrent process never reads half a module; a folder that cannot be written only costs a compile. */
function writeCached(key: string, bytes: Uint8Array): void {
  try {
    const folder = cacheFolder();
    mkdirSync(folder, { recursive: true });
    const partial = join(folder, `${key}.${process.pid}.partial`);
    writeFileSync(partial, bytes);
    renameSync(partial, join(folder, `${key}.wasm`));
  } catch {
    // The cache is an optimisation: without it, the next process compiles again.
  }
}

/**
 * The module of a program; `relocated`: the slots of lddw instructions that
 * load a load-time address; `shape`: the program's shape (emu/vm/program-shape.ts).
 */
export function compiledModule(instructions: readonly Instruction[], relocated: readonly number[], shape: string, stackTop: number): WebAssembly.Module {
  const key = createHash("sha256").update(compilerDigest()).update(`${shape}:${stackTop}`).digest("hex");
  let module = modules.get(key);
  if (module) {
    modules.delete(key);
  } else {
    let bytes = readCached(key);
    if (!bytes) {
      bytes = compileProgram(instructions, { stackTop, relocated });
      writeCached(key, bytes);
    }
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    if (modules.size >= CACHED_MODULES) modules.delete(modules.keys().next().value!);
  }
  modules.set(key, module);
  return module;
}
