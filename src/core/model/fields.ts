// Reading plain YAML values field by field, so that every mistake becomes an
// InputError naming the file, the line of the field, the item and the
// field's path within the item.

import { InputError, locationOf, numberSourceOf } from "./source.ts";

/** The item being read: its file, its name in messages, and its line. */
export interface Item {
  readonly file: string;
  /** e.g. `traffic[3] "frontend reaches backend"` or `objects[2] Pod "x/a"`. */
  readonly name: string;
  readonly line: number;
}

/** A field inside an item: where it sits (its container and key) and its dotted path. */
export class FieldPath {
  constructor(
    readonly item: Item,
    /** Dotted path within the item; empty for the item itself. */
    readonly field: string,
    private readonly container?: object,
    private readonly key?: string | number,
  ) {}

  static root(item: Item, value?: unknown): FieldPath {
    return new FieldPath(item, "", typeof value === "object" && value !== null ? value : undefined);
  }

  child(container: object, key: string | number): FieldPath {
    const step = typeof key === "number" ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (this.field ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    return new FieldPath(this.item, this.field + step, container, key);
  }

  get line(): number {
    if (this.container === undefined) return this.item.line;
    return locationOf(this.container, this.key)?.line ?? this.item.line;
  }

  /** How the number at this field was written in YAML (`0x50`, `+80`); undefined when not read from YAML. */
  get numberSource(): string | undefined {
    return this.container === undefined || this.key === undefined ? undefined : numberSourceOf(this.container, this.key);
  }

  error(problem: string): InputError {
    return new InputError(this.item.file, this.line, this.item.name, this.field, problem);
  }

  fail(problem: string): never {
    throw this.error(problem);
  }
}

/** How a value is named in a message: strings quoted, the rest as YAML would show it. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Removes, in place, every mapping key whose value is null: a key written
 * with nothing after it is absent, as the API server and Cilium read it, and
 * as the field checks read it. In place, because the YAML line of each field
 * is found by the object that contains it.
 */
export function withoutNullFields<T>(value: T): T {
  if (Array.isArray(value)) value.forEach(withoutNullFields);
  else if (isMapping(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (field === null) delete value[key];
      else withoutNullFields(field);
    }
  }
  return value;
}

/** A mapping read field by field; unknown fields are refused by `allow`. */
export class MappingReader {
  private constructor(
    readonly value: Record<string, unknown>,
    readonly path: FieldPath,
  ) {}

  static of(value: unknown, path: FieldPath): MappingReader {
    if (!isMapping(value)) path.fail(`expected a mapping, got ${show(value)}`);
    return new MappingReader(value, path);
  }

  /** Refuses any field not listed. */
  allow(...known: string[]): this {
    for (const key of Object.keys(this.value)) {
      if (!known.includes(key)) this.at(key).fail(`unknown field (expected one of: ${known.join(", ")})`);
    }
    return this;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  get(key: string): unknown {
    return this.value[key] ?? undefined;
  }

  at(key: string): FieldPath {
    return this.path.child(this.value, key);
  }

  require(key: string): unknown {
    if (!this.has(key)) this.at(key).fail("is required");
    return this.value[key];
  }

  mapping(key: string): MappingReader | undefined {
    return this.has(key) ? MappingReader.of(this.value[key], this.at(key)) : undefined;
  }

  requireMapping(key: string): MappingReader {
    return MappingReader.of(this.require(key), this.at(key));
  }

  string(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.value[key];
    if (typeof value !== "string") throw this.at(key).error(`expected a string, got ${show(value)}`);
    return value;
  }

  requireString(key: string): string {
    this.require(key);
    const value = this.string(key) as string;
    if (value === "") this.at(key).fail("must not be empty");
    return value;
  }

  boolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.value[key];
    if (typeof value !== "boolean") throw this.at(key).error(`expected true or false, got ${show(value)}`);
    return value;
  }

  integer(key: string, min: number, max: number): number | undefined {
    if (!this.has(key)) return undefined;
    return readInteger(this.value[key], this.at(key), min, max);
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    if (!this.has(key)) return undefined;
    return readChoice(this.value[key], this.at(key), choices);
  }

  /** The items of a list field, each with its path; [] when absent. */
  list(key: string): { value: unknown; path: FieldPath }[] {
    if (!this.has(key)) return [];
    return readList(this.value[key], this.at(key));
  }
}

export function readList(value: unknown, path: FieldPath): { value: unknown; path: FieldPath }[] {
  if (!Array.isArray(value)) path.fail(`expected a list, got ${show(value)}`);
  return value.map((item, index) => ({ value: item, path: path.child(value, index) }));
}

export function readInteger(value: unknown, path: FieldPath, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) path.fail(`expected an integer, got ${show(value)}`);
  if (value < min || value > max) path.fail(`${value} is out of range ${min}-${max}`);
  return value;
}

export function readChoice<T extends string>(value: unknown, path: FieldPath, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    path.fail(`${show(value)} is not one of ${choices.join(", ")}`);
  }
  return value as T;
}

export function readString(value: unknown, path: FieldPath): string {
  if (typeof value !== "string") path.fail(`expected a string, got ${show(value)}`);
  return value;
}
