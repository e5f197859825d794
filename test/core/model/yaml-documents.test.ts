// What a hostile YAML text can cost is bounded where ebbflow walks the nodes:
// each case is refused in one line naming the file and the line, quickly,
// and a text within the bounds reads as before.

import { describe, expect, test } from "vitest";
import { MAX_YAML_ALIASED_NODES, MAX_YAML_DEPTH, readYamlDocuments } from "../../../src/core/model/yaml-documents.ts";

const read = (text: string) => readYamlDocuments(text, "pr.yaml").map((document) => document.value);

function aliasBomb(levels: number): string {
  let text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (let level = 1; level < levels; level++)
    text += `a${level}: &a${level} [${Array(9)
      .fill(`*a${level - 1}`)
      .join(", ")}]\n`;
  return text;
}

describe("reading YAML from an untrusted file", () => {
  test("refuses an alias bomb (nine levels of nine aliases) instead of expanding it", () => {
    expect(() => read(`kind: Pod\nunknownField: 1\n${aliasBomb(9)}`)).toThrow(`pr.yaml:8: YAML aliases expand to more than ${MAX_YAML_ALIASED_NODES} nodes`);
  });

  test("refuses an alias inside the node it names", () => {
    expect(() => read("x: &x {a: *x}\n")).toThrow("pr.yaml:1: YAML alias *x refers to a node that contains it");
  });

  test.each([
    ["a flow sequence", `a: ${"[".repeat(3000)}${"]".repeat(3000)}\n`, 1],
    ["compact block sequences", `a:\n  ${"- ".repeat(3000)}x\n`, 2],
    ["flow mappings", `a: ${"{b: ".repeat(3000)}1${"}".repeat(3000)}\n`, 1],
    ["indented block sequences", `a:\n${Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i + 1)}- \n`).join("")}`, MAX_YAML_DEPTH + 2],
  ])("refuses %s nested 3,000 levels deep, naming the line where it passes the limit", (_, text, line) => {
    expect(() => read(text)).toThrow(`pr.yaml:${line}: YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
  });

  test.each([
    ["compact block sequences", `a:\n  ${"- ".repeat(3000)}x\nc: 1\n`, 2],
    ["block mappings", `a:\n${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i + 1)}k${i}:\n`).join("")}c: 1\n`, 2001],
  ])("refuses %s nested so deep that the parser's stack would overflow, naming the deepest line", (_, text, line) => {
    expect(() => read(text)).toThrow(`pr.yaml:${line}: YAML nested more than ${MAX_YAML_DEPTH} levels deep`);
  });

  test("reads aliases and nesting within the bounds", () => {
    expect(read("base: &base {app: web}\nlabels: *base\n")).toEqual([{ base: { app: "web" }, labels: { app: "web" } }]);
    const nested = `a: ${"[".repeat(MAX_YAML_DEPTH - 1)}1${"]".repeat(MAX_YAML_DEPTH - 1)}\n`;
    expect(() => read(nested)).not.toThrow();
    expect(read(aliasBomb(3))).toHaveLength(1);
  });
});
