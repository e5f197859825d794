// Instruction index -> C source line, from a program's line info: what VM
// errors print so that a user sees "bpf_lxc.c:123: if (ct_state == ...)"
// rather than an instruction number.

import { type LineInfo, type ProgramSpec } from "./spec.ts";

/** The line info record covering instruction `index`: the last one at or before it. */
export function lineInfoAt(program: ProgramSpec, index: number): LineInfo | undefined {
  let low = 0;
  let high = program.lineInfo.length - 1;
  let found: LineInfo | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (program.lineInfo[middle].index <= index) {
      found = program.lineInfo[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** "file.c:line: source text" for instruction `index`, or undefined when the object has no line info for it. */
export function sourceLocation(program: ProgramSpec, index: number): string | undefined {
  const record = lineInfoAt(program, index);
  return record && `${record.file}:${record.line}: ${record.source.trim()}`;
}
