// BTF, the BPF Type Format (the kernel's Documentation/bpf/btf.rst): the types
// and strings clang writes into .BTF. The loader needs it for two things: the
// shape of each map definition in .maps, and the variables of each global
// data section. Types are kept as a table indexed by type id (0 is void).

import { ByteReader } from "./bytes.ts";
import { LoaderError } from "./errors.ts";

const BTF_MAGIC = 0xeb9f;
const HEADER_BYTES = 24;
const TYPE_HEADER_BYTES = 12;
/** How many typedef/const/volatile links a chain may have before it counts as a loop (libbpf's MAX_RESOLVE_DEPTH). */
const MAX_RESOLVE_DEPTH = 32;

export type BtfType =
  | { kind: "void" }
  | { kind: "int"; name: string; size: number; bits: number; signed: boolean }
  | { kind: "ptr"; type: number }
  | { kind: "array"; type: number; indexType: number; count: number }
  | { kind: "struct" | "union"; name: string; size: number; members: BtfMember[] }
  | { kind: "enum"; name: string; size: number; values: { name: string; value: bigint }[] }
  | { kind: "fwd"; name: string }
  | { kind: "typedef" | "volatile" | "const" | "restrict" | "type_tag"; name: string; type: number }
  | { kind: "func"; name: string; type: number }
  | { kind: "func_proto"; returnType: number; params: { name: string; type: number }[] }
  | { kind: "var"; name: string; type: number; linkage: number }
  | { kind: "datasec"; name: string; size: number; variables: BtfDatasecVariable[] }
  | { kind: "float"; name: string; size: number }
  | { kind: "decl_tag"; name: string; type: number };

export interface BtfMember {
  name: string;
  type: number;
  bitOffset: number;
}

export interface BtfDatasecVariable {
  /** The id of a "var" type. */
  type: number;
  offset: number;
  size: number;
}

export type BtfKind = BtfType["kind"];

/** The kind numbers of btf.h, BTF_KIND_INT = 1 to BTF_KIND_ENUM64 = 19. */
const KINDS = [
  "void",
  "int",
  "ptr",
  "array",
  "struct",
  "union",
  "enum",
  "fwd",
  "typedef",
  "volatile",
  "const",
  "restrict",
  "func",
  "func_proto",
  "var",
  "datasec",
  "float",
  "decl_tag",
  "type_tag",
  "enum64",
] as const;

const MODIFIERS: ReadonlySet<BtfKind> = new Set(["typedef", "volatile", "const", "restrict", "type_tag"]);

export class Btf {
  constructor(
    readonly file: string,
    /** Indexed by type id; types[0] is void. */
    readonly types: readonly BtfType[],
    /** The string section, which .BTF.ext points into too. */
    readonly strings: ByteReader,
  ) {}

  private fail(detail: string): never {
    throw new LoaderError(detail, { file: this.file, section: ".BTF" });
  }

  type(id: number): BtfType {
    const type = this.types[id];
    if (type === undefined) this.fail(`type id ${id} does not exist (there are ${this.types.length})`);
    return type;
  }

  /** The type behind typedefs and qualifiers. */
  resolve(id: number): BtfType {
    let type = this.type(id);
    for (let depth = 0; "type" in type && MODIFIERS.has(type.kind); depth++) {
      if (depth === MAX_RESOLVE_DEPTH) this.fail(`type id ${id} is a chain of more than ${MAX_RESOLVE_DEPTH} typedefs or qualifiers`);
      type = this.type(type.type);
    }
    return type;
  }

  /** The size in bytes of a value of type `id`, as sizeof() in C. */
  sizeOf(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) this.fail(`type id ${id} nests arrays more than ${MAX_RESOLVE_DEPTH} deep`);
    const type = this.resolve(id);
    switch (type.kind) {
      case "int":
      case "struct":
      case "union":
      case "enum":
      case "float":
      case "datasec":
        return type.size;
      case "ptr":
        return 8;
      case "array":
        return type.count * this.sizeOf(type.type, depth + 1);
      default:
        return this.fail(`type id ${id} (${type.kind}) has no size`);
    }
  }

  datasec(name: string): Extract<BtfType, { kind: "datasec" }> | undefined {
    return this.types.find((type): type is Extract<BtfType, { kind: "datasec" }> => type.kind === "datasec" && type.name === name);
  }
}

export function parseBtf(bytes: Uint8Array, file: string): Btf {
  const reader = new ByteReader(bytes, file, ".BTF");
  const magic = reader.u16(0, "magic");
  if (magic !== BTF_MAGIC) reader.fail(`bad magic 0x${magic.toString(16)} (expected 0x${BTF_MAGIC.toString(16)}; big-endian BTF is not supported)`);
  const version = reader.u8(2, "version");
  if (version !== 1) reader.fail(`version ${version} is not supported (only 1)`);
  const headerLength = reader.u32(4, "hdr_len");
  if (headerLength < HEADER_BYTES) reader.fail(`hdr_len ${headerLength} is shorter than the ${HEADER_BYTES}-byte header`);
  const typesAt = headerLength + reader.u32(8, "type_off");
  const typesLength = reader.u32(12, "type_len");
  const stringsAt = headerLength + reader.u32(16, "str_off");
  const stringsLength = reader.u32(20, "str_len");
  const strings = new ByteReader(reader.slice(stringsAt, stringsLength, "string section"), file, ".BTF", "strings");
  const types = new ByteReader(reader.slice(typesAt, typesLength, "type section"), file, ".BTF", "types");
  const name = (offset: number, what: string): string => strings.cString(offset, `the name of ${what}`);

  const table: BtfType[] = [{ kind: "void" }];
  for (let at = 0; at < typesLength;) {
    const id = table.length;
    const what = `type ${id}`;
    const nameOffset = types.u32(at, `${what} name_off`);
    const info = types.u32(at + 4, `${what} info`);
    const sizeOrType = types.u32(at + 8, `${what} size/type`);
    const vlen = info & 0xffff;
    const kind = KINDS[(info >>> 24) & 0x1f];
    if (kind === undefined || kind === "void") types.fail(`${what} has unknown kind ${(info >>> 24) & 0x1f}`);
    at += TYPE_HEADER_BYTES;
    const typeName = (): string => name(nameOffset, what);
    const records = <T>(recordBytes: number, read: (at: number, index: number) => T): T[] => {
      types.slice(at, vlen * recordBytes, `${what}'s ${vlen} members`);
      const list = Array.from({ length: vlen }, (_, index) => read(at + index * recordBytes, index));
      at += vlen * recordBytes;
      return list;
    };
    switch (kind) {
      case "int": {
        const encoding = types.u32(at, `${what} int encoding`);
        at += 4;
        table.push({ kind, name: typeName(), size: sizeOrType, bits: encoding & 0xff, signed: ((encoding >>> 24) & 1) === 1 });
        break;
      }
      case "ptr":
        table.push({ kind, type: sizeOrType });
        break;
      case "array": {
        const type = types.u32(at, `${what} element type`);
        const indexType = types.u32(at + 4, `${what} index type`);
        const count = types.u32(at + 8, `${what} element count`);
        at += 12;
        table.push({ kind, type, indexType, count });
        break;
      }
      case "struct":
      case "union": {
        const bitfields = info >>> 31 === 1;
        const members = records(12, (m, index) => {
          const offset = types.u32(m + 8, `${what} member ${index} offset`);
          return {
            name: name(types.u32(m, `${what} member ${index} name_off`), `${what} member ${index}`),
            type: types.u32(m + 4, `${what} member ${index} type`),
            bitOffset: bitfields ? offset & 0xffffff : offset,
          };
        });
        table.push({ kind, name: typeName(), size: sizeOrType, members });
        break;
      }
      case "enum":
      case "enum64": {
        const signed = info >>> 31 === 1;
        const values = records(kind === "enum" ? 8 : 12, (v, index) => {
          const low = types.u32(v + 4, `${what} value ${index}`);
          const high = kind === "enum64" ? types.u32(v + 8, `${what} value ${index} high`) : 0;
          const raw = (BigInt(high) << 32n) | BigInt(low);
          const value = signed ? BigInt.asIntN(kind === "enum" ? 32 : 64, raw) : raw;
          return { name: name(types.u32(v, `${what} value ${index} name_off`), `${what} value ${index}`), value };
        });
        table.push({ kind: "enum", name: typeName(), size: sizeOrType, values });
        break;
      }
      case "fwd":
        table.push({ kind, name: typeName() });
        break;
      case "typedef":
      case "volatile":
      case "const":
      case "restrict":
      case "type_tag":
        table.push({ kind, name: typeName(), type: sizeOrType });
        break;
      case "func":
        table.push({ kind, name: typeName(), type: sizeOrType });
        break;
      case "func_proto": {
        const params = records(8, (p, index) => ({
          name: name(types.u32(p, `${what} parameter ${index} name_off`), `${what} parameter ${index}`),
          type: types.u32(p + 4, `${what} parameter ${index} type`),
        }));
        table.push({ kind, returnType: sizeOrType, params });
        break;
      }
      case "var": {
        const linkage = types.u32(at, `${what} linkage`);
        at += 4;
        table.push({ kind, name: typeName(), type: sizeOrType, linkage });
        break;
      }
      case "datasec": {
        const variables = records(12, (v, index) => ({
          type: types.u32(v, `${what} variable ${index} type`),
          offset: types.u32(v + 4, `${what} variable ${index} offset`),
          size: types.u32(v + 8, `${what} variable ${index} size`),
        }));
        table.push({ kind, name: typeName(), size: sizeOrType, variables });
        break;
      }
      case "float":
        table.push({ kind, name: typeName(), size: sizeOrType });
        break;
      case "decl_tag":
        types.i32(at, `${what} component_idx`);
        at += 4;
        table.push({ kind, name: typeName(), type: sizeOrType });
        break;
    }
  }
  return new Btf(file, table, strings);
}
