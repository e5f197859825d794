// What the compiler takes on. binaryen's optimiser grows faster than linearly
// with a function's straight runs and with the nesting the Relooper makes of
// its branches (measured on 2 cores: 2,000 straight instructions 0.3 s,
// 10,000 in 12 s; 1,000 forward branches 2 s, 5,000 past the host's stack),
// so a program past either limit runs in the interpreter instead: the same
// semantics, the same faults, only slower. The datapath's largest program,
// bpf_lxc's tail_ipv4_from_container, has 2,178 instructions in 289 blocks.

import { type Instruction } from "../isa/instruction.ts";
import { findFunctions } from "./functions.ts";

/** Instruction slots (an lddw counts two) of a program the compiler takes. */
export const MAX_COMPILED_SLOTS = 4096;
/** Basic blocks, over all of a program's functions, of a program the compiler takes. */
export const MAX_COMPILED_BLOCKS = 1024;

/** Why the compiler leaves this program to the interpreter, or undefined when it compiles it. */
export function pastCompileBudget(program: readonly Instruction[]): string | undefined {
  if (program.length > MAX_COMPILED_SLOTS) return `${program.length} instruction slots, past the compiler's ${MAX_COMPILED_SLOTS}`;
  const blocks = findFunctions(program).reduce((sum, fn) => sum + fn.blocks.length, 0);
  if (blocks > MAX_COMPILED_BLOCKS) return `${blocks} basic blocks, past the compiler's ${MAX_COMPILED_BLOCKS}`;
  return undefined;
}
