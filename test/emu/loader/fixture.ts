// The committed fixture objects of test/fixtures/bpf, loaded by name.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadObject, type BpfObject, type ProgramSpec } from "../../../emu/loader/object.ts";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/bpf/", import.meta.url));

export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(`${FIXTURES}${name}`));

export const loadFixture = (name: string): BpfObject => loadObject(fixtureBytes(name), name);

/** The objects that load; the bad_*.o ones are refused on purpose. */
export const GOOD_FIXTURES = ["maps.o", "global_data.o", "subprograms.o", "tail_call.o", "program_types.o"];

export function program(object: BpfObject, name: string): ProgramSpec {
  const found = object.programs.find((p) => p.name === name);
  if (!found) throw new Error(`${object.file} has no program ${name}`);
  return found;
}
