// A fast reader for the block YAML that large manifests are written in
// (`yaml.stringify`'s and kubectl's output): one document of block mappings,
// block sequences and one-line scalars. The yaml package's Parser and Composer
// build a node per token, which for a 5 MB scenario costs seconds; this reads
// the lines directly.
//
// It only ever accepts a text it reads exactly as the yaml package path in
// yaml-documents.ts does (values, key order, line tables, number sources).
// Anything outside the subset (flow collections other than an empty `{}` or `[]`, anchors, aliases, tags,
// block or multi-line scalars, escapes, duplicate keys, non-decimal numbers,
// several documents, ...) makes it decline, and that path runs instead and
// reports any error: this reader never does.

import { recordLines, recordNumberSources } from "./source.ts";

export interface BlockDocument {
  /** The document's contents: a mapping or a sequence. */
  readonly value: object;
  /** Line of the document's first content. */
  readonly line: number;
}

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

/** Characters the subset leaves to the yaml package: tabs, CR, BOM, other controls, and Unicode spaces and line breaks (YAML trims and folds only some). */
const OUTSIDE_SUBSET = /[\x00-\x09\x0b-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** Characters that start no plain scalar here: YAML's indicators (`-` is checked apart: `-x` is plain, `- x` an item). */
const INDICATORS = new Set("?:,[]{}#&*!|>'\"%@`");
/** Plain keys with flow indicators read as the yaml package reads them, but are left to it. */
const FLOW_INDICATOR = /[[\]{},]/;

// The YAML 1.2 core schema's tests (yaml/dist/schema/core), in the yaml package's order.
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
/** The one spelling of an integer read here; `+1`, `007`, `0x50`, `0o7` are left to the yaml package. */
const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/;
const CORE_OTHER_NUMBER = [
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/** The first characters of every null, boolean and number the core schema reads. */
const MAYBE_NOT_STRING = /^[-+.0-9~nNtTfF]/;

/** Below the yaml package's limit of 1024 characters between an implicit key's start and its `:`. */
const MAX_KEY_LENGTH = 1000;

/** Thrown inside the reader when the text leaves the subset; caught in readBlockYaml. */
const DECLINE = Symbol("not block YAML");

function decline(): never {
  throw DECLINE;
}

interface Scalar {
  readonly value: string | number | boolean | null;
  /** The plain text a number was written as (the yaml package's Scalar.source). */
  readonly source: string;
}

/**
 * The single document of `text` if it is within the block subset, with line
 * tables and number sources recorded as yaml-documents.ts records them;
 * undefined ("not mine") otherwise. Collections nest at most `maxDepth - 1`
 * levels, so an accepted text is one the yaml path would not refuse as deep.
 */
export function readBlockYaml(text: string, file: string, maxDepth: number): BlockDocument | undefined {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    return new BlockReader(text, file, maxDepth).document();
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}

class BlockReader {
  private readonly lines: string[];
  /** The 0-based line index of each content line (blank and comment lines skipped: no scalar spans lines here). */
  private readonly rows: number[] = [];
  /** The indentation of each content line. */
  private readonly indents: number[] = [];
  /** The content line being read. */
  private next = 0;
  private sawDocumentStart = false;

  constructor(
    text: string,
    private readonly file: string,
    private readonly maxDepth: number,
  ) {
    this.lines = text.split("\n");
  }

  document(): BlockDocument {
    const { lines, rows, indents } = this;
    for (let row = 0; row < lines.length; row++) {
      const line = lines[row];
      let indent = 0;
      while (line.charCodeAt(indent) === SPACE) indent++;
      if (indent === line.length || line.charCodeAt(indent) === HASH) continue;
      // A document marker: only a bare `---` opening the single document.
      if (indent === 0 && (line.startsWith("---") || line.startsWith("..."))) {
        if (line === "---" && rows.length === 0 && !this.sawDocumentStart) {
          this.sawDocumentStart = true;
          continue;
        }
        decline();
      }
      rows.push(row);
      indents.push(indent);
    }
    if (rows.length === 0) decline();
    const value = this.block(indents[0], 1);
    if (this.next < rows.length) decline();
    return { value, line: rows[0] + 1 };
  }

  /** The mapping or sequence starting on the current line at `column` (greater than the line's indent for a compact one after `- `). */
  private block(column: number, depth: number): object {
    if (depth >= this.maxDepth) decline();
    const text = this.lines[this.rows[this.next]];
    return isItem(text, column) ? this.sequence(column, depth) : this.mapping(column, depth);
  }

  private sequence(column: number, depth: number): unknown[] {
    const { rows, indents } = this;
    const items: unknown[] = [];
    const lines = new Map<string | number, number>();
    const numbers = new Map<string | number, string>();
    const line = rows[this.next] + 1;
    do {
      const text = this.lines[rows[this.next]];
      let content = column + 1;
      while (text.charCodeAt(content) === SPACE) content++;
      // An empty `-` (null, or a node on the lines below) is left to the yaml package.
      if (content >= text.length || text.charCodeAt(content) === HASH) decline();
      const index = items.length;
      lines.set(index, rows[this.next] + 1);
      if (isItem(text, content) || keyEnd(text, content) >= 0) items.push(this.block(content, depth + 1));
      else items.push(this.inline(text, content, index, numbers));
      // More indented than the `-` but not part of the item: a continued scalar or misindentation.
      if (this.next < rows.length && indents[this.next] > column) decline();
    } while (this.next < rows.length && indents[this.next] === column && isItem(this.lines[rows[this.next]], column));
    recordLines(items, this.file, line, lines);
    recordNumberSources(items, numbers);
    return items;
  }

  private mapping(column: number, depth: number): Record<string, unknown> {
    const { rows, indents } = this;
    const result: Record<string, unknown> = {};
    const lines = new Map<string | number, number>();
    const numbers = new Map<string | number, string>();
    const line = rows[this.next] + 1;
    do {
      const text = this.lines[rows[this.next]];
      const colon = keyEnd(text, column);
      if (colon < 0) decline();
      const key = readKey(text, column, colon);
      // Duplicates are the yaml package's error to report (uniqueKeys).
      if (lines.has(key)) decline();
      lines.set(key, rows[this.next] + 1);
      let start = colon + 1;
      while (text.charCodeAt(start) === SPACE) start++;
      if (start >= text.length || text.charCodeAt(start) === HASH) {
        this.next++;
        // `key:` then a more indented block, or a sequence at the key's own column (as kubectl writes `containers:\n- name: x`).
        const below = this.next < rows.length ? indents[this.next] : -1;
        const nested = below > column || (below === column && isItem(this.lines[rows[this.next]], column));
        result[key] = nested ? this.block(below, depth + 1) : null;
      } else result[key] = this.inline(text, start, key, numbers);
      if (this.next < rows.length && indents[this.next] > column) decline();
    } while (this.next < rows.length && indents[this.next] === column);
    recordLines(result, this.file, line, lines);
    recordNumberSources(result, numbers);
    return result;
  }

  /** The value that ends the current line from `start`: a scalar (a number's spelling kept in `numbers` under `key`), or an empty `{}` or `[]`. */
  private inline(text: string, start: number, key: string | number, numbers: Map<string | number, string>): unknown {
    const line = this.rows[this.next] + 1;
    this.next++;
    const empty = text.startsWith("{}", start) ? {} : text.startsWith("[]", start) ? [] : undefined;
    if (empty) {
      expectLineEnd(text, start + 2);
      recordLines(empty, this.file, line, new Map());
      return empty;
    }
    const scalar = readScalar(text, start);
    if (typeof scalar.value === "number") numbers.set(key, scalar.source);
    return scalar.value;
  }
}

/** Whether `text` has a block sequence's `-` at `column`. */
function isItem(text: string, column: number): boolean {
  return text.charCodeAt(column) === DASH && (column + 1 === text.length || text.charCodeAt(column + 1) === SPACE);
}

/** The position of the `:` ending the implicit key that starts at `start`, or -1 if the line there is not `key: ...`. */
function keyEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
    const end = quotedEnd(text, start);
    return text.charCodeAt(end) === COLON && isSeparated(text, end + 1) ? end : -1;
  }
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON && isSeparated(text, i + 1)) return i;
    if (c === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
  }
  return -1;
}

/** Whether position `i` ends the line or is a space (what a `:` needs after it to be a mapping indicator). */
function isSeparated(text: string, i: number): boolean {
  return i === text.length || text.charCodeAt(i) === SPACE;
}

/** The position just past the closing quote of the quoted scalar at `start`. */
function quotedEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close < 0) decline();
    if (quote === "'" && text.charCodeAt(close + 1) === SINGLE_QUOTE) i = close + 2;
    else return close + 1;
  }
}

/** A key the core schema reads as a string (numbers, booleans and nulls as keys are left to the yaml package). */
function readKey(text: string, start: number, colon: number): string {
  if (colon - start > MAX_KEY_LENGTH) decline();
  const first = text.charCodeAt(start);
  if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) return quoted(text, start, colon);
  const key = text.slice(start, colon);
  if (INDICATORS.has(key[0]) || key[0] === "-" || key.endsWith(" ") || FLOW_INDICATOR.test(key)) decline();
  // `__proto__` would set the prototype, `<<` is a merge key in YAML 1.1: both left to the yaml package.
  if (key === "__proto__" || key === "<<" || resolvePlain(key) !== key) decline();
  return key;
}

/** The value of the scalar starting at `start`, which must end the line (but for spaces and a comment). */
function readScalar(text: string, start: number): Scalar {
  const first = text.charCodeAt(start);
  if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
    const end = quotedEnd(text, start);
    expectLineEnd(text, end);
    const value = quoted(text, start, end);
    return { value, source: value };
  }
  if (INDICATORS.has(text[start]) || (first === DASH && isSeparated(text, start + 1))) decline();
  const comment = text.indexOf(" #", start);
  let end = comment < 0 ? text.length : comment;
  while (text.charCodeAt(end - 1) === SPACE) end--;
  const source = text.slice(start, end);
  // A `: ` or a final `:` would make a nested mapping, an error on a value's line.
  if (source.includes(": ") || source.endsWith(":")) decline();
  return { value: resolvePlain(source), source };
}

/** The text of a one-line quoted scalar from its opening quote to `end` (just past the closing one): `''` in single quotes is `'`; no escapes in double quotes. */
function quoted(text: string, start: number, end: number): string {
  const body = text.slice(start + 1, end - 1);
  if (text.charCodeAt(start) === DOUBLE_QUOTE) {
    if (body.includes("\\")) decline();
    return body;
  }
  return body.replaceAll("''", "'");
}

/** After a quoted scalar: nothing, spaces, or spaces and a comment. */
function expectLineEnd(text: string, end: number): void {
  let i = end;
  while (text.charCodeAt(i) === SPACE) i++;
  if (i === text.length) return;
  if (text.charCodeAt(i) !== HASH || i === end) decline();
}

/** A plain scalar by the YAML 1.2 core schema, as the yaml package resolves it; other numeric spellings decline. */
function resolvePlain(source: string): string | number | boolean | null {
  // Most plain scalars are names: no core tag but str matches a letter other than these.
  if (!MAYBE_NOT_STRING.test(source)) return source;
  if (CORE_NULL.test(source)) return null;
  if (CORE_BOOL.test(source)) return source[0] === "t" || source[0] === "T";
  if (DECIMAL.test(source)) return parseInt(source, 10);
  if (CORE_OTHER_NUMBER.some((test) => test.test(source))) decline();
  return source;
}
