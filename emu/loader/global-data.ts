// Global variables: each .data, .rodata and .bss section (and the named
// .data.* / .rodata.* / .bss.* variants) becomes an ARRAY map with one entry
// whose value is the section, as libbpf makes them. Its variables are listed
// by name so that a caller can set a `volatile const` before load, as Cilium
// writes each endpoint's configuration into .rodata.

import { type Btf } from "./btf.ts";
import { type ElfFile, type ElfSection, SectionType } from "./elf.ts";
import { LoaderError } from "./errors.ts";
import { MapFlag, MapType } from "./kernel-enums.ts";
import { type PlacedMap } from "./maps.ts";
import { type BpfObject, type MapSpec, type VariableSpec } from "./spec.ts";

/** The largest global data section accepted; a larger .bss is more likely a corrupted header than a program. */
const MAX_GLOBAL_DATA_BYTES = 64 * 1024 * 1024;

const isNamed = (name: string, base: string): boolean => name === base || name.startsWith(`${base}.`);

export function isGlobalDataSection(section: ElfSection): boolean {
  if (section.type === SectionType.NOBITS) return isNamed(section.name, ".bss");
  return section.type === SectionType.PROGBITS && (isNamed(section.name, ".data") || isNamed(section.name, ".rodata"));
}

/** One map per non-empty global data section, in section order. */
export function readGlobalData(elf: ElfFile, btf: Btf | undefined): PlacedMap[] {
  return elf.sections
    .filter((section) => isGlobalDataSection(section) && section.size > 0)
    .map((section) => {
      if (section.size > MAX_GLOBAL_DATA_BYTES) {
        throw new LoaderError(`${section.size} bytes of global data is more than the ${MAX_GLOBAL_DATA_BYTES} accepted`, {
          file: elf.file,
          section: section.name,
        });
      }
      if ((elf.relocations.get(section.index) ?? []).length > 0) {
        // libbpf skips these relocations, leaving the pointer meaningless; refusing says why instead.
        throw new LoaderError("pointers in global data (relocations within the section) are not supported", { file: elf.file, section: section.name });
      }
      const readOnly = isNamed(section.name, ".rodata");
      const spec: MapSpec = {
        name: section.name,
        type: MapType.ARRAY,
        typeName: "ARRAY",
        keySize: 4,
        valueSize: section.size,
        maxEntries: 1,
        flags: MapFlag.MMAPABLE | (readOnly ? MapFlag.RDONLY_PROG : 0),
        pinning: "none",
        section: section.name,
        // A copy (never a view of the file's buffer), so that setting variables leaves the file alone.
        initialData: section.type === SectionType.NOBITS ? new Uint8Array(section.size) : new Uint8Array(section.data),
        variables: readVariables(elf, section, btf),
      };
      return { spec, sectionIndex: section.index, offset: 0 };
    });
}

/**
 * The section's variables from its BTF DATASEC. clang leaves the DATASEC's
 * offsets 0 in an object file (libbpf fills them in from the symbol table), so
 * offsets come from the ELF symbols, sizes from BTF. Sections without a
 * DATASEC (string literals in .rodata.str1.1) have no named variables.
 */
function readVariables(elf: ElfFile, section: ElfSection, btf: Btf | undefined): VariableSpec[] {
  const datasec = btf?.datasec(section.name);
  if (!btf || !datasec) return [];
  const fail = (detail: string): never => {
    throw new LoaderError(detail, { file: elf.file, section: section.name });
  };
  return datasec.variables
    .map(({ type, size }) => {
      const variable = btf.type(type);
      if (variable.kind !== "var") return fail(`DATASEC entry ${type} is a ${variable.kind}, not a variable`);
      const symbol = elf.symbols.find((s) => s.sectionIndex === section.index && s.name === variable.name);
      if (!symbol) return fail(`variable "${variable.name}" has no ELF symbol`);
      if (symbol.value + size > section.size) {
        fail(`variable "${variable.name}" (${size} bytes at ${symbol.value}) lies outside the section's ${section.size} bytes`);
      }
      return { name: variable.name, offset: symbol.value, size };
    })
    .sort((a, b) => a.offset - b.offset);
}

/** A value for a global variable: bytes of exactly its size, or an integer stored little-endian in its size. */
export type VariableValue = Uint8Array | number | bigint | boolean;

/**
 * A copy of `object` whose global data holds `values` (variable name -> value)
 * in place of what the object file initialised them to. The object is not changed.
 */
export function setVariables(object: BpfObject, values: Readonly<Record<string, VariableValue>>): BpfObject {
  const maps = object.maps.map((map) => (map.initialData ? { ...map, initialData: new Uint8Array(map.initialData) } : map));
  const declared = variablesOf(object);
  for (const [name, value] of Object.entries(values)) {
    const found = declared.get(name) ?? [];
    const fail = (detail: string, section?: string): never => {
      throw new LoaderError(`global variable "${name}": ${detail}`, { file: object.file, section });
    };
    if (found.length === 0) fail("no global data section declares it");
    if (found.length > 1) fail(`declared in several sections: ${found.map(({ map }) => object.maps[map].section).join(", ")}`);
    const { map, variable } = found[0];
    const bytes = encodeValue(value, variable.size, (detail) => fail(detail, object.maps[map].section));
    (maps[map].initialData as Uint8Array).set(bytes, variable.offset);
  }
  return { ...object, maps };
}

/** Each variable's declarations (map index and place) by name, found once per object: a cluster sets them in thousands of copies. */
const declarations = new WeakMap<BpfObject, Map<string, { map: number; variable: VariableSpec }[]>>();
function variablesOf(object: BpfObject): Map<string, { map: number; variable: VariableSpec }[]> {
  let byName = declarations.get(object);
  if (!byName) {
    byName = new Map();
    object.maps.forEach((spec, map) => {
      for (const variable of spec.variables ?? []) {
        const list = byName!.get(variable.name) ?? [];
        list.push({ map, variable });
        byName!.set(variable.name, list);
      }
    });
    declarations.set(object, byName);
  }
  return byName;
}

function encodeValue(value: VariableValue, size: number, fail: (detail: string) => never): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.byteLength !== size) fail(`${value.byteLength} bytes given for a ${size}-byte variable`);
    return value;
  }
  if (![1, 2, 4, 8].includes(size)) fail(`a ${size}-byte variable takes bytes, not a number`);
  const integer = typeof value === "boolean" ? (value ? 1n : 0n) : typeof value === "number" ? toBigInt(value, fail) : value;
  const bits = BigInt(size * 8);
  if (integer < -(1n << (bits - 1n)) || integer >= 1n << bits) fail(`${value} does not fit in ${size} bytes`);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, integer), true);
  return bytes.subarray(0, size);
}

function toBigInt(value: number, fail: (detail: string) => never): bigint {
  if (!Number.isSafeInteger(value)) fail(`${value} is not an integer`);
  return BigInt(value);
}
