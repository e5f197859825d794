// Writes src/abi/generated.ts from the BTF of the datapath's objects: the
// enums (lib/abi.h puts each in BTF), the layout of every map's key and value
// and of each struct they hold, the event record, the program contexts, and
// the map and program names. Run by bpf/build.sh:
//   tsx bpf/gen-abi.ts OUTPUT.ts bpf_lxc.o bpf_host.o ...
// A type found in several objects must be the same in all of them.

import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { type Btf, type BtfType, parseBtf } from "../emu/loader/btf.ts";
import { parseElf, SectionFlag, SymbolBinding, SymbolType } from "../emu/loader/elf.ts";

type Struct = Extract<BtfType, { kind: "struct" | "union" }>;
interface Field {
  offset: number;
  size: number;
}
interface Layout {
  size: number;
  fields: Record<string, Field>;
}
interface MapAbi {
  key: string | undefined;
  keySize: number;
  value: string | undefined;
  valueSize: number;
  maxEntries: number;
}

/** Structs no map holds and no program takes (lib/abi.h puts them in BTF). */
const EXTRA_STRUCTS = ["event"];

const enums = new Map<string, Record<string, number>>();
const layouts = new Map<string, Layout>();
const maps = new Map<string, MapAbi>();
const programs = new Map<string, string[]>();

function agree<T>(table: Map<string, T>, name: string, value: T, file: string): void {
  const known = table.get(name);
  if (known !== undefined && JSON.stringify(known) !== JSON.stringify(value)) {
    throw new Error(`${file}: ${name} differs from the same name in an earlier object:\n${JSON.stringify(known)}\n${JSON.stringify(value)}`);
  }
  table.set(name, value);
}

function layoutOf(btf: Btf, struct: Struct, file: string): Layout {
  const fields: Record<string, Field> = {};
  for (const member of struct.members) {
    if (member.name === "") continue; // an anonymous union of a pointer and its padding in __sk_buff
    if (member.bitOffset % 8 !== 0) throw new Error(`${file}: ${struct.name}.${member.name} is a bitfield`);
    fields[member.name] = { offset: member.bitOffset / 8, size: btf.sizeOf(member.type) };
  }
  return { size: struct.size, fields };
}

/** The named struct behind `id` (through arrays too), added with every named struct it holds. */
function addStruct(btf: Btf, id: number, file: string): string | undefined {
  let type = btf.resolve(id);
  while (type.kind === "array") type = btf.resolve(type.type);
  if (type.kind !== "struct" || type.name === "") return undefined;
  agree(layouts, type.name, layoutOf(btf, type, file), file);
  for (const member of type.members) addStruct(btf, member.type, file);
  return type.name;
}

function readObject(path: string): void {
  const file = basename(path);
  const elf = parseElf(readFileSync(path), file);
  const section = elf.sections.find((s) => s.name === ".BTF");
  if (!section) throw new Error(`${file} has no .BTF section`);
  const btf = parseBtf(section.data, file);
  for (const type of btf.types) {
    if (type.kind === "enum" && type.name !== "") {
      agree(enums, type.name, Object.fromEntries(type.values.map((v) => [v.name, Number(v.value)])), file);
    }
    if (type.kind === "struct" && EXTRA_STRUCTS.includes(type.name)) addStruct(btf, btf.types.indexOf(type), file);
  }
  const pointee = (definition: Struct, name: string): number | undefined => {
    const member = definition.members.find((m) => m.name === name);
    const pointer = member && btf.resolve(member.type);
    return pointer?.kind === "ptr" ? pointer.type : undefined;
  };
  for (const variable of btf.datasec(".maps")?.variables ?? []) {
    const map = btf.type(variable.type);
    const definition = map.kind === "var" ? btf.resolve(map.type) : undefined;
    if (map.kind !== "var" || definition?.kind !== "struct") throw new Error(`${file}: a .maps entry is not a variable of a struct`);
    const key = pointee(definition, "key");
    const value = pointee(definition, "value");
    const maxEntries = btf.resolve(pointee(definition, "max_entries") ?? 0);
    agree(
      maps,
      map.name,
      {
        key: key === undefined ? undefined : addStruct(btf, key, file),
        keySize: key === undefined ? 0 : btf.sizeOf(key),
        value: value === undefined ? undefined : addStruct(btf, value, file),
        valueSize: value === undefined ? 0 : btf.sizeOf(value),
        maxEntries: maxEntries.kind === "array" ? maxEntries.count : 0,
      },
      file,
    );
  }
  // Programs are the global functions of executable sections; their one parameter is the context.
  const code = new Set(elf.sections.filter((s) => s.flags & SectionFlag.EXECINSTR && s.name !== ".text").map((s) => s.name));
  const names: string[] = [];
  for (const symbol of elf.symbols) {
    const symbolSection = elf.sections.find((s) => s.index === symbol.sectionIndex);
    if (symbol.type !== SymbolType.FUNC || symbol.binding !== SymbolBinding.GLOBAL || !symbolSection || !code.has(symbolSection.name)) continue;
    names.push(symbol.name);
    const func = btf.types.find((t) => t.kind === "func" && t.name === symbol.name);
    const proto = func?.kind === "func" ? btf.type(func.type) : undefined;
    const context = proto?.kind === "func_proto" ? btf.resolve(proto.params[0]?.type ?? 0) : undefined;
    if (context?.kind === "ptr") addStruct(btf, context.type, file);
  }
  programs.set(file.replace(/\.o$/, ""), names);
}

const pascal = (name: string): string => name.replace(/^_+/, "").replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const sorted = <T>(table: Map<string, T>): [string, T][] => [...table].sort(([a], [b]) => a.localeCompare(b));

function render(objects: string[]): string {
  const out = [
    `// DO NOT EDIT: generated by bpf/gen-abi.ts from the BTF of ${objects.map((o) => `bpf/${basename(o)}`).join(", ")}.`,
    "// bpf/build.sh regenerates it; bpf/build.sh --check fails when it is stale.",
    "",
    "/** Where a field sits in a C struct, in bytes. */",
    "export interface FieldLayout {",
    "  readonly offset: number;",
    "  readonly size: number;",
    "}",
    "",
    "export interface StructLayout<F extends string = string> {",
    "  readonly size: number;",
    "  readonly fields: { readonly [name in F]: FieldLayout };",
    "}",
    "",
  ];
  for (const [name, values] of sorted(enums)) {
    const type = pascal(name);
    out.push(`/** enum ${name} */`, `export const ${type} = {`);
    for (const [member, value] of Object.entries(values)) out.push(`  ${member}: ${value},`);
    out.push("} as const;", `export type ${type} = (typeof ${type})[keyof typeof ${type}];`, "");
  }
  for (const [name, layout] of sorted(layouts)) {
    out.push(`/** struct ${name} */`, `export const ${pascal(name)}Layout = {`, `  size: ${layout.size},`, "  fields: {");
    for (const [field, { offset, size }] of Object.entries(layout.fields)) out.push(`    ${field}: { offset: ${offset}, size: ${size} },`);
    out.push("  },", "} as const satisfies StructLayout;", "");
  }
  out.push(
    "/** Every map of the objects: its key and value structs (undefined: a scalar or none), their sizes (0: none in BTF) and max_entries. */",
    "export const Maps = {",
  );
  for (const [name, map] of sorted(maps)) {
    const struct = (s: string | undefined) => (s === undefined ? "undefined" : `"${s}"`);
    out.push(
      `  ${name}: { key: ${struct(map.key)}, keySize: ${map.keySize}, value: ${struct(map.value)}, valueSize: ${map.valueSize}, maxEntries: ${map.maxEntries} },`,
    );
  }
  out.push("} as const;", "", "/** The programs of each object, in symbol order. */", "export const Programs = {");
  for (const [object, names] of sorted(programs)) out.push(`  ${object}: [${names.map((n) => `"${n}"`).join(", ")}],`);
  out.push("} as const;", "");
  return out.join("\n");
}

const [output, ...objects] = process.argv.slice(2);
if (output === undefined || objects.length === 0) {
  console.error("usage: tsx bpf/gen-abi.ts OUTPUT.ts OBJECT.o...");
  process.exit(2);
}
for (const object of objects) readObject(object);
writeFileSync(output, render(objects));
