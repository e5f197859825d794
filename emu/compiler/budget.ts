// What the compiler takes on. binaryen's optimiser grows faster than linearly
// with the length of a straight run (simplify-locals, local-cse) and with the
// nesting the Relooper makes of branches. Measured on 2 shared cores: 4,096
// straight slots of lddw and add took 9 s in one block, 2.6 s in blocks of
// 510; 10,000 took 12 s; 5,000 forward branches overflowed the host's stack
// inside binaryen. A program past any limit below runs in the interpreter
// instead: the same semantics and faults, slower. The datapath's largest
// program, bpf_lxc's tail_ipv4_from_container, has 2,178 slots in 289 blocks
// of at most 59.

import { type Instruction } from "../isa/instruction.ts";
import { LDDW } from "../isa/opcodes.ts";
import { findFunctions } from "./functions.ts";

/** Instruction slots (an lddw counts two) of a program the compiler takes. */
export const MAX_COMPILED_SLOTS = 4096;
/** Basic blocks, over all of a program's functions. */
export const MAX_COMPILED_BLOCKS = 1024;
/** Slots of its longest basic block. */
export const MAX_COMPILED_BLOCK_SLOTS = 512;

/** Why the compiler leaves this program to the interpreter, or undefined when it compiles it. */
export function pastCompileBudget(program: readonly Instruction[]): string | undefined {
  if (program.length > MAX_COMPILED_SLOTS) return `${program.length} instruction slots, past the compiler's ${MAX_COMPILED_SLOTS}`;
  const blocks = findFunctions(program).flatMap((fn) => fn.blocks);
  if (blocks.length > MAX_COMPILED_BLOCKS) return `${blocks.length} basic blocks, past the compiler's ${MAX_COMPILED_BLOCKS}`;
  let widest = { start: 0, slots: 0 };
  for (const block of blocks) {
    // A block is a straight run of slots; its last instruction may be an lddw of two.
    const last = block.slots[block.slots.length - 1];
    const slots = last + (program[last].opcode === LDDW ? 2 : 1) - block.start;
    if (slots > widest.slots) widest = { start: block.start, slots };
  }
  if (widest.slots > MAX_COMPILED_BLOCK_SLOTS) {
    return `a basic block of ${widest.slots} slots at ${widest.start}, past the compiler's ${MAX_COMPILED_BLOCK_SLOTS}`;
  }
  return undefined;
}
