// Compiling a program synchronously without loading binaryen in this thread:
// binaryen (13 MB of JavaScript and a wasm module) takes about a second to
// load, and a process whose modules all come from the disk cache
// (module-cache.ts) never needs it. On the first compile, a worker thread
// loads it (compile-worker.ts); this thread waits on a shared flag for each
// answer, as a synchronous call (Vm.loadProgram is one) must.

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { type Instruction } from "../isa/instruction.ts";
import { type CompileOptions } from "./compile.ts";
import { type CompileReply, type CompileRequest } from "./compile-worker.ts";

let compiler: { port: MessagePort; done: Int32Array } | undefined;

function startCompiler(): { port: MessagePort; done: Int32Array } {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  // The worker's compiled file beside this one: only the build (dist/) compiles in a worker (module-cache.ts).
  const worker = new Worker(new URL("./compile-worker.js", import.meta.url), { workerData: { port: port2, done }, transferList: [port2] });
  // An idle compiler does not keep the process alive.
  worker.unref();
  return { port: port1, done };
}

export function compileInWorker(instructions: readonly Instruction[], options: CompileOptions): Uint8Array<ArrayBuffer> {
  compiler ??= startCompiler();
  Atomics.store(compiler.done, 0, 0);
  compiler.port.postMessage({ instructions, options } satisfies CompileRequest);
  Atomics.wait(compiler.done, 0, 0);
  const reply = receiveMessageOnPort(compiler.port)!.message as CompileReply;
  if ("error" in reply) throw new Error(reply.error);
  return reply.bytes;
}
