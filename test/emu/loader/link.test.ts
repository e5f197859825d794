import { expect, test } from "vitest";
import { CALL, CallKind } from "../../../emu/isa/opcodes.ts";
import { type ProgramSpec } from "../../../emu/loader/object.ts";
import { GOOD_FIXTURES, loadFixture, program } from "./fixture.ts";

const object = loadFixture("subprograms.o");

const callTargets = (p: ProgramSpec): [number, number][] =>
  p.instructions.flatMap((insn, i) => (insn.opcode === CALL && insn.src === CallKind.LOCAL ? [[i, i + 1 + insn.imm] as [number, number]] : []));

test("a program gets only the subprograms it reaches, appended in the order first reached", () => {
  // classify -> hash_port -> mix; is_privileged is not reached.
  expect(program(object, "classify").functions).toEqual([
    { name: "classify", index: 0 },
    { name: "hash_port", index: 4 },
    { name: "mix", index: 6 },
  ]);
  expect(program(object, "classify").instructions).toHaveLength(10);
  // connect4 -> is_privileged (static: called through the .text section symbol), hash_port -> mix.
  expect(program(object, "connect4").functions).toEqual([
    { name: "connect4", index: 0 },
    { name: "is_privileged", index: 17 },
    { name: "hash_port", index: 24 },
    { name: "mix", index: 26 },
  ]);
});

test("call offsets are rewritten to land on the callee's copy", () => {
  expect(callTargets(program(object, "classify"))).toEqual([
    [1, 4],
    [4, 6],
  ]);
  expect(callTargets(program(object, "connect4"))).toEqual([
    [2, 17],
    [9, 24],
    [24, 26],
  ]);
});

test("a subprogram's body is the same in every program that includes it", () => {
  const body = (p: ProgramSpec, name: string) => {
    const start = p.functions.find((f) => f.name === name)?.index ?? -1;
    return p.instructions.slice(start, start + 4);
  };
  expect(body(program(object, "classify"), "mix")).toEqual(body(program(object, "connect4"), "mix"));
});

test("in every fixture, every local call lands on the first instruction of a placed function", () => {
  for (const file of GOOD_FIXTURES) {
    for (const p of loadFixture(file).programs) {
      const starts = new Set(p.functions.map((f) => f.index));
      for (const [, target] of callTargets(p)) expect(starts.has(target), `${file} ${p.name} -> ${target}`).toBe(true);
    }
  }
});

test("two programs in one section are two programs", () => {
  const tail = loadFixture("tail_call.o");
  expect(tail.programs.map((p) => [p.name, p.section])).toEqual([
    ["entry", "tc"],
    ["second_stage", "tc"],
  ]);
});
