// BTF-defined maps: each variable of the .maps section is an anonymous struct
// whose members encode the map's attributes in their types, as libbpf's
// bpf_helpers.h macros write them:
//   __uint(name, N)   int (*name)[N]      -> the number N (the array's length)
//   __type(name, T)   typeof(T) *name     -> sizeof(T), for key and value
// Members libbpf knows but ebbflow does not implement are refused by name.

import { type Btf } from "./btf.ts";
import { type ElfFile, type ElfSection } from "./elf.ts";
import { LoaderError } from "./errors.ts";
import { MAP_TYPE_NAMES } from "./kernel-enums.ts";
import { type MapSpec, type Pinning } from "./spec.ts";

export const MAPS_SECTION = ".maps";

/** A map and where its definition sits, so that relocations against that place find it. */
export interface PlacedMap {
  spec: MapSpec;
  sectionIndex: number;
  /** Byte offset of the definition in its section (0 for global data, which is the whole section). */
  offset: number;
}

const PINNING: readonly Pinning[] = ["none", "by-name"];

const UNSUPPORTED_FIELDS: Record<string, string> = {
  values: "initial values (__array(values, ...)) are not supported",
  inner_map: "maps of maps are not supported",
  numa_node: "numa_node is not supported",
  map_extra: "map_extra is not supported",
};

export function readBtfMaps(elf: ElfFile, section: ElfSection, btf: Btf | undefined): PlacedMap[] {
  const fail = (detail: string): never => {
    throw new LoaderError(detail, { file: elf.file, section: section.name });
  };
  if (!btf) return fail("BTF-defined maps need the object's .BTF section; compile with -g");
  const datasec = btf.datasec(section.name);
  if (!datasec) return fail("no BTF DATASEC describes the section; compile with -g");

  const maps = datasec.variables.map(({ type: varId }) => {
    const variable = btf.type(varId);
    if (variable.kind !== "var") return fail(`DATASEC entry ${varId} is a ${variable.kind}, not a variable`);
    const name = variable.name;
    const symbol = elf.symbols.find((s) => s.sectionIndex === section.index && s.name === name);
    if (!symbol) return fail(`map "${name}" has no ELF symbol`);
    return { spec: readDefinition(btf, name, variable.type, section.name, fail), sectionIndex: section.index, offset: symbol.value };
  });
  return maps.sort((a, b) => a.offset - b.offset);
}

function readDefinition(btf: Btf, name: string, typeId: number, section: string, fail: (detail: string) => never): MapSpec {
  const definition = btf.resolve(typeId);
  if (definition.kind !== "struct") return fail(`map "${name}" is a ${definition.kind}, not a struct of __uint/__type members`);
  const fields = new Map<string, number>();
  const set = (field: string, value: number): void => {
    if (fields.has(field) && fields.get(field) !== value) {
      fail(`map "${name}": ${field} is ${fields.get(field)} by one member and ${value} by another`);
    }
    fields.set(field, value);
  };
  for (const member of definition.members) {
    const field = `map "${name}" field ${member.name}`;
    if (member.name in UNSUPPORTED_FIELDS) fail(`${field}: ${UNSUPPORTED_FIELDS[member.name]}`);
    const pointer = btf.resolve(member.type);
    if (pointer.kind !== "ptr") fail(`${field} is a ${pointer.kind}, not a pointer as __uint and __type declare`);
    else if (member.name === "key" || member.name === "value") {
      set(`${member.name}_size`, btf.sizeOf(pointer.type));
    } else if (["type", "key_size", "value_size", "max_entries", "map_flags", "pinning"].includes(member.name)) {
      const array = btf.resolve(pointer.type);
      if (array.kind !== "array") fail(`${field} is a pointer to ${array.kind}, not to an array as __uint declares`);
      else set(member.name, array.count);
    } else {
      fail(`${field} is not a map attribute libbpf knows`);
    }
  }
  const type = fields.get("type");
  if (type === undefined) return fail(`map "${name}" has no type`);
  const typeName = MAP_TYPE_NAMES[type];
  if (typeName === undefined || type === 0) return fail(`map "${name}" has unknown map type ${type}`);
  const maxEntries = fields.get("max_entries");
  if (maxEntries === undefined) return fail(`map "${name}" has no max_entries`);
  const pinning = PINNING[fields.get("pinning") ?? 0];
  if (pinning === undefined) return fail(`map "${name}" has unknown pinning ${fields.get("pinning")} (0 none, 1 by name)`);
  return {
    name,
    type,
    typeName,
    keySize: fields.get("key_size") ?? 0,
    valueSize: fields.get("value_size") ?? 0,
    maxEntries,
    flags: fields.get("map_flags") ?? 0,
    pinning,
    section,
  };
}
