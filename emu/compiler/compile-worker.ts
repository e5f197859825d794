// The compiler in a worker thread (compile-in-worker.ts): binaryen loads here,
// on the first program to compile, and answers each request on the port it
// was given, then wakes the waiting thread through the shared flag.

import { type MessagePort, workerData } from "node:worker_threads";
import { type Instruction } from "../isa/instruction.ts";
import { type CompileOptions } from "./compile.ts";

export interface CompileRequest {
  instructions: readonly Instruction[];
  options: CompileOptions;
}

export type CompileReply = { bytes: Uint8Array<ArrayBuffer> } | { error: string };

const { port, done } = workerData as { port: MessagePort; done: Int32Array };
let compiler: Promise<typeof import("./compile.ts")> | undefined;

port.on("message", async ({ instructions, options }: CompileRequest) => {
  let reply: CompileReply;
  try {
    compiler ??= import("./compile.ts");
    reply = { bytes: (await compiler).compileProgram(instructions, options) };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer] : []);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
