// YAML text to plain values, one per document, with the line of every
// mapping key and sequence item recorded (see source.ts). Syntax errors become
// InputErrors naming the line.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { InputError, recordLines } from "./source.ts";

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
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const result: YamlDocument[] = [];
  // A stream without documents comes back as an EmptyStream, not an array.
  if (!Array.isArray(documents)) return result;
  documents.forEach((document, position) => {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? lineAt(error.pos[0]);
      throw new InputError(file, line, "", "", `invalid YAML: ${firstSentence(error.message)}`);
    }
    if (document.contents === null) return;
    const contents = document.contents as Node;
    const value = toPlain(contents, document, file, lineAt);
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

function firstSentence(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function toPlain(node: Node, document: Document, file: string, lineAt: (offset: number) => number): unknown {
  if (isAlias(node)) {
    const target = node.resolve(document);
    if (!target) throw new InputError(file, lineAt(node.range?.[0] ?? 0), "", "", `unknown YAML alias *${node.source}`);
    return toPlain(target, document, file, lineAt);
  }
  if (isScalar(node)) return node.value ?? null;
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    const keys = new Map<string | number, number>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || (typeof keyNode.value !== "string" && typeof keyNode.value !== "number" && typeof keyNode.value !== "boolean")) {
        throw new InputError(file, lineAt(keyNode?.range?.[0] ?? node.range?.[0] ?? 0), "", "", "mapping keys must be plain strings");
      }
      const key = String(keyNode.value);
      const valueNode = pair.value as Node | null;
      keys.set(key, lineAt(keyNode.range?.[0] ?? 0));
      result[key] = valueNode === null ? null : toPlain(valueNode, document, file, lineAt);
    }
    recordLines(result, file, lineAt(node.range?.[0] ?? 0), keys);
    return result;
  }
  if (isSeq(node)) {
    const keys = new Map<string | number, number>();
    const result = node.items.map((item, index) => {
      const itemNode = item as Node | null;
      if (itemNode === null) return null;
      keys.set(index, lineAt(itemNode.range?.[0] ?? 0));
      return toPlain(itemNode, document, file, lineAt);
    });
    recordLines(result, file, lineAt(node.range?.[0] ?? 0), keys);
    return result;
  }
  throw new InputError(file, undefined, "", "", "unsupported YAML node");
}
