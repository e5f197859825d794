// Where a value came from, and the error that names it. Every object read
// from YAML keeps a table of the lines of its keys (kept beside it, not in it,
// so the objects stay plain Kubernetes shapes), so that any later check can
// name the line of the field at fault.

import { UserError } from "../../util/errors.ts";

export interface SourceLocation {
  /** The file as the user named it (relative paths stay relative). */
  readonly file: string;
  /** 1-based YAML line. */
  readonly line: number;
}

interface LineTable {
  readonly file: string;
  readonly line: number;
  readonly keys: Map<string | number, number>;
}

const lineTables = new WeakMap<object, LineTable>();
/** How each number member of a mapping or sequence was written (`0x50`, `+80`, `80`): YAML reads them all as 80. */
const numberSources = new WeakMap<object, Map<string | number, string>>();

/** Records where a mapping or sequence read from YAML starts and where each of its keys is. */
export function recordLines(value: object, file: string, line: number, keys: Map<string | number, number>): void {
  lineTables.set(value, { file, line, keys });
}

/** Records how the number members of a mapping or sequence read from YAML were written. */
export function recordNumberSources(value: object, sources: Map<string | number, string>): void {
  if (sources.size > 0) numberSources.set(value, sources);
}

/** The text a number member of a value read from YAML was written as; undefined for values built in code. */
export function numberSourceOf(value: object, key: string | number): string | undefined {
  return numberSources.get(value)?.get(key);
}

/**
 * Where `value` (an object or array read from YAML) or its member `key` was
 * written; undefined for values built in code.
 */
export function locationOf(value: unknown, key?: string | number): SourceLocation | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const table = lineTables.get(value);
  if (!table) return undefined;
  const line = key === undefined ? table.line : (table.keys.get(key) ?? table.line);
  return { file: table.file, line };
}

/**
 * A mistake in a scenario or a manifest, named as the user needs it:
 * `FILE:LINE: ITEM: field "FIELD": PROBLEM`.
 */
export class InputError extends UserError {
  override name = "InputError";

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    /** The item, e.g. `traffic[3] "frontend reaches backend"`; empty for the file as a whole. */
    readonly item: string,
    /** The field's path inside the item, e.g. `expect.dropReason`; empty when the item itself is at fault. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ` + (item ? `${item}: ` : "") + (field ? `field "${field}": ` : "") + problem);
  }
}
