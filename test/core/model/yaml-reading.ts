// The comparison behind the fast block reader's tests: a text it accepts must
// read exactly as through the yaml package, values, key order, line tables
// and number sources.

import { expect } from "vitest";
import { locationOf, numberSourceOf } from "../../../src/core/model/source.ts";
import { readBlockYaml } from "../../../src/core/model/yaml-block.ts";
import { MAX_YAML_DEPTH, readWithYamlPackage } from "../../../src/core/model/yaml-documents.ts";

export const FILE = "pr.yaml";

export const readFast = (text: string) => readBlockYaml(text, FILE, MAX_YAML_DEPTH);

/** Whether the fast reader accepts `text`; if it does, fails unless it reads as the yaml package path does. */
export function expectSameReadingIfAccepted(text: string): boolean {
  const fast = readFast(text);
  if (fast === undefined) return false;
  const slow = readWithYamlPackage(text, FILE);
  expect(slow).toHaveLength(1);
  expect({ line: fast.line, index: 1 }).toEqual({ line: slow[0].line, index: slow[0].index });
  expectSameTree(fast.value, slow[0].value);
  return true;
}

/** Equal values (with Object.is on numbers: -0 is not 0), and equal key order, locations and number sources at every level. */
export function expectSameTree(fast: unknown, slow: unknown): void {
  expect(fast).toStrictEqual(slow);
  expectSameSources(fast, slow, "$");
}

/** Key order, locations and number sources of two equal values, compared directly (expect only on a difference, which names the path). */
function expectSameSources(fast: unknown, slow: unknown, path: string): void {
  if (typeof fast !== "object" || fast === null || typeof slow !== "object" || slow === null) return;
  const same = (a: unknown, b: unknown, what: string) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) expect(a, `${path} ${what}`).toEqual(b);
  };
  same(locationOf(fast), locationOf(slow), "line");
  const keys: (string | number)[] = Array.isArray(fast) ? fast.map((_, index) => index) : Object.keys(fast);
  same(keys, Array.isArray(slow) ? slow.map((_, index) => index) : Object.keys(slow), "keys");
  for (const key of keys) {
    same(locationOf(fast, key), locationOf(slow, key), `${key} line`);
    same(numberSourceOf(fast, key), numberSourceOf(slow, key), `${key} number source`);
    expectSameSources((fast as Record<string | number, unknown>)[key], (slow as Record<string | number, unknown>)[key], `${path}.${key}`);
  }
}
