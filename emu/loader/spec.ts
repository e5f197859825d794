// What the loader hands to the VM and to the kernel backend: a plain
// description of one object file. No file descriptors, no addresses; every
// number is the kernel's own (map, program and attach types, map flags), so
// the kernel backend can pass them on and the VM can compare against them.

import { type Instruction } from "../isa/instruction.ts";
import { type AttachTypeName, type MapTypeName, type ProgramTypeName } from "./kernel-enums.ts";

export interface BpfObject {
  /** The file name given to loadObject, used in every message about this object. */
  file: string;
  /** The contents of the "license" section ("" when there is none). */
  license: string;
  /** BTF-defined maps in the order of their definitions in .maps, then global data in section order. */
  maps: MapSpec[];
  /** One per global function in a program section, in section order. */
  programs: ProgramSpec[];
}

export type Pinning = "none" | "by-name";

export interface MapSpec {
  /** The variable name in .maps, or the section name (".data", ".rodata.config") for global data. */
  name: string;
  /** BPF_MAP_TYPE_* number. */
  type: number;
  typeName: MapTypeName;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** BPF_F_* map flags. Global data gets libbpf's: MMAPABLE, and RDONLY_PROG for .rodata*. */
  flags: number;
  /** "by-name": share the map with every object that declares one of the same name (libbpf's LIBBPF_PIN_BY_NAME). */
  pinning: Pinning;
  /** The ELF section the map was declared in: ".maps", or the global data section itself. */
  section: string;
  /** Global data only: the value of the single entry (key 0) before the program runs. */
  initialData?: Uint8Array;
  /** Global data only: the C variables that live in the value. */
  variables?: VariableSpec[];
}

export interface VariableSpec {
  name: string;
  /** Byte offset within the map's value. */
  offset: number;
  size: number;
}

/**
 * An lddw that refers to a map. In `instructions` its src is PseudoLoad.MAP_FD
 * ("map") or PseudoLoad.MAP_VALUE ("map-value"), the first slot's imm is 0 (the
 * kernel would put the map's fd there), and for map-value the second slot's imm
 * is `offset`, the byte offset of the variable within the map's value.
 */
export interface MapRelocation {
  index: number;
  kind: "map" | "map-value";
  map: string;
  offset: number;
}

/** A function placed in a program: the program itself at index 0, then each subprogram it calls. */
export interface FunctionSpec {
  name: string;
  index: number;
}

export interface LineInfo {
  /** The first instruction of the program the record covers; it lasts until the next record. */
  index: number;
  /** The source file as clang recorded it (a leading "./" removed). */
  file: string;
  line: number;
  column: number;
  /** The text of the source line. */
  source: string;
}

export interface ProgramSpec {
  /** The C function name. */
  name: string;
  /** The ELF section (libbpf's SEC() name) it was found in. */
  section: string;
  /** BPF_PROG_TYPE_* number. */
  type: number;
  typeName: ProgramTypeName;
  /** The expected attach type libbpf gives this section, or undefined where it gives none (tc, socket). */
  attachType: number | undefined;
  attachTypeName: AttachTypeName | undefined;
  /** The program followed by its subprograms, with bpf-to-bpf call offsets fixed up for this layout. */
  instructions: Instruction[];
  /** Every map reference in `instructions`, by instruction index, in index order. */
  relocations: MapRelocation[];
  functions: FunctionSpec[];
  /** Line info by instruction index, in index order; empty when the object has no .BTF.ext. */
  lineInfo: LineInfo[];
  license: string;
}
