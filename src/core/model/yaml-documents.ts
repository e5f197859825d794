// YAML text to plain values, one per document, with the line of every
// mapping key and sequence item recorded (see source.ts). Syntax errors become
// InputErrors naming the line.
//
// Input may be hostile (scenario files come from pull requests), so what a
// text can cost is bounded here, where the nodes are walked: nesting depth
// (checked on the parser's tokens, before the yaml package composes nodes
// recursively) and the nodes reached through aliases (an alias bomb of nine
// levels of nine aliases is a few hundred bytes naming 387 million nodes).
// The yaml package's maxAliasCount bounds only its own toJS, which is not used.
//
// A text in the block subset that large generated manifests use is read by
// yaml-block.ts instead, with the same result; anything else, and every
// error, goes through the yaml package.

import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type Node } from "yaml";
import { InputError, recordLines, recordNumberSources } from "./source.ts";
import { readBlockYaml } from "./yaml-block.ts";

/** Deeper than any Kubernetes object (a CRD's schema nests a few dozen levels). */
export const MAX_YAML_DEPTH = 100;
/** Nodes a file may reach through aliases, counting every node under each alias. */
export const MAX_YAML_ALIASED_NODES = 100_000;

export interface YamlDocument {
  /** The document's contents as plain JSON-like data (objects, arrays, strings, numbers, booleans, null). */
  readonly value: unknown;
  /** Line of the document's first content. */
  readonly line: number;
  /** 1-based position of the document in its file. */
  readonly index: number;
}

/** Every non-empty document of `text`; `file` is used in errors and locations. */
export function readYamlDocuments(text: string, file: string): YamlDocument[] {
  const block = readBlockYaml(text, file, MAX_YAML_DEPTH);
  if (block) return [{ value: block.value, line: block.line, index: 1 }];
  return readWithYamlPackage(text, file);
}

/** Every non-empty document of `text`, composed by the yaml package. */
export function readWithYamlPackage(text: string, file: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  // parseAllDocuments's two stages, with the depth checked between them.
  let tokens: CST.Token[];
  try {
    tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  } catch (error) {
    // The parser closes nested collections recursively: a few thousand levels overflow the stack before the tokens exist.
    if (!(error instanceof RangeError)) throw error;
    throw new InputError(file, deepestLine(text), "", "", `YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
  }
  refuseDeepNesting(tokens, file, lineAt);
  const documents = Array.from(new Composer({ uniqueKeys: true }).compose(tokens));
  const result: YamlDocument[] = [];
  documents.forEach((document, position) => {
    const error = document.errors[0];
    if (error) {
      // Composed without prettyErrors: the message has no position or excerpt appended.
      throw new InputError(file, lineAt(error.pos[0]), "", "", `invalid YAML: ${error.message.split("\n")[0]}`);
    }
    if (document.contents === null) return;
    const contents = document.contents as Node;
    const walk: Walk = { document, file, lineAt, aliasedNodes: 0, aliasLine: 0, expanding: new Set(), targets: new Map() };
    const value = toPlain(contents, walk, false);
    // kubectl skips empty documents (a trailing `---`, a file of comments).
    if (value === null) return;
    result.push({
      value,
      line: lineAt(contents.range?.[0] ?? 0),
      index: position + 1,
    });
  });
  return result;
}

/**
 * Refuses a text nested deeper than MAX_YAML_DEPTH, measured on the CST (the
 * yaml package composes nodes recursively, and past a few hundred levels its
 * composer overflows the stack or exhausts memory).
 */
function refuseDeepNesting(tokens: CST.Token[], file: string, lineAt: (offset: number) => number): void {
  const pending = tokens.map((token): [CST.Token | undefined, number] => [token, 0]);
  while (pending.length > 0) {
    const [token, depth] = pending.pop()!;
    if (token === undefined) continue;
    if (depth > MAX_YAML_DEPTH) {
      throw new InputError(file, lineAt(token.offset), "", "", `YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
    }
    if (token.type === "document") pending.push([token.value, depth]);
    else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      for (const item of token.items) {
        if ("key" in item) pending.push([item.key ?? undefined, depth + 1]);
        pending.push([item.value, depth + 1]);
      }
    }
  }
}

/**
 * The line that may nest deepest, by the lexer's tokens (it does not
 * recurse): a line's indentation, its block indicators (`-`, `?`, `:`) and
 * the flow collections open around it each add at most one level.
 */
function deepestLine(text: string): number {
  let line = 1;
  let atLineStart = true;
  let levels = 0;
  let flow = 0;
  let deepest = { line: 1, levels: 0 };
  for (const token of new Lexer().lex(text)) {
    if (token === "\n" || token === "\r\n") {
      line++;
      atLineStart = true;
      levels = 0;
      continue;
    }
    if (atLineStart && /^[ \t]+$/.test(token)) levels += token.length;
    else if (token === "-" || token === "?" || token === ":") levels++;
    else if (token === "[" || token === "{") flow++;
    else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
    atLineStart = false;
    if (levels + flow > deepest.levels) deepest = { line, levels: levels + flow };
  }
  return deepest.line;
}

interface Walk {
  readonly document: Document;
  readonly file: string;
  readonly lineAt: (offset: number) => number;
  /** Nodes reached so far through an alias. */
  aliasedNodes: number;
  /** The line of the outermost alias being expanded: where an error points. */
  aliasLine: number;
  /** The alias targets being expanded: one reached again is a cycle. */
  readonly expanding: Set<Node>;
  /** Each alias's target: Alias.resolve searches the whole document on every call. */
  readonly targets: Map<Node, Node | undefined>;
}

/** Keeps how a number scalar (or the one an alias, already expanded, names) was written, for fields that take only some spellings (ports: decimal). */
function noteNumberSource(node: Node | null, key: string | number, into: Map<string | number, string>, walk: Walk): void {
  const scalar = isAlias(node) ? walk.targets.get(node) : node;
  if (isScalar(scalar) && typeof scalar.value === "number" && scalar.source !== undefined) into.set(key, scalar.source);
}

function toPlain(node: Node, walk: Walk, aliased: boolean): unknown {
  const { file, lineAt } = walk;
  const line = () => lineAt(node.range?.[0] ?? 0);
  if (aliased && ++walk.aliasedNodes > MAX_YAML_ALIASED_NODES) {
    throw new InputError(file, walk.aliasLine, "", "", `YAML aliases expand to more than ${MAX_YAML_ALIASED_NODES} nodes`);
  }
  if (isAlias(node)) {
    if (!walk.targets.has(node)) walk.targets.set(node, node.resolve(walk.document));
    const target = walk.targets.get(node);
    if (!target) throw new InputError(file, line(), "", "", `unknown YAML alias *${node.source}`);
    if (walk.expanding.has(target)) throw new InputError(file, line(), "", "", `YAML alias *${node.source} refers to a node that contains it`);
    if (!aliased) walk.aliasLine = line();
    walk.expanding.add(target);
    const value = toPlain(target, walk, true);
    walk.expanding.delete(target);
    return value;
  }
  if (isScalar(node)) return node.value ?? null;
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    const keys = new Map<string | number, number>();
    const numbers = new Map<string | number, string>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || (typeof keyNode.value !== "string" && typeof keyNode.value !== "number" && typeof keyNode.value !== "boolean")) {
        throw new InputError(file, lineAt(keyNode?.range?.[0] ?? node.range?.[0] ?? 0), "", "", "mapping keys must be plain strings");
      }
      const key = String(keyNode.value);
      const valueNode = pair.value as Node | null;
      keys.set(key, lineAt(keyNode.range?.[0] ?? 0));
      result[key] = valueNode === null ? null : toPlain(valueNode, walk, aliased);
      noteNumberSource(valueNode, key, numbers, walk);
    }
    recordLines(result, file, line(), keys);
    recordNumberSources(result, numbers);
    return result;
  }
  if (isSeq(node)) {
    const keys = new Map<string | number, number>();
    const numbers = new Map<string | number, string>();
    const result = node.items.map((item, index) => {
      const itemNode = item as Node | null;
      if (itemNode === null) return null;
      keys.set(index, lineAt(itemNode.range?.[0] ?? 0));
      const value = toPlain(itemNode, walk, aliased);
      noteNumberSource(itemNode, index, numbers, walk);
      return value;
    });
    recordLines(result, file, line(), keys);
    recordNumberSources(result, numbers);
    return result;
  }
  throw new InputError(file, undefined, "", "", "unsupported YAML node");
}
