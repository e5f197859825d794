// Hostile YAML through `ebbflow scenario run` (issue 18): what a text can cost
// is bounded, and each bound is a one-line refusal naming the file and the
// line, exit 2, no stack trace. (The bounds themselves: test/core/model/yaml-documents.test.ts.)

import { expect, test } from "vitest";
import { HEADER, hostileFolder, refusal, refusedWith } from "./hostile-folder.ts";

test("an alias bomb (nine levels of nine aliases) is refused at the alias that passes the bound, not expanded", async () => {
  const levels = Array.from({ length: 8 }, (_, i) => `    a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(", ")}]\n`).join("");
  const file = hostileFolder().write(
    "bomb.yaml",
    `${HEADER.replace("metadata: {name: hostile}\n", "")}metadata:\n  name: hostile\n  annotations:\n    a0: &a0 [x, x, x, x, x, x, x, x, x]\n${levels}spec: {}\n`,
  );
  expect(await refusal(file)).toEqual(refusedWith(file, 11, "YAML aliases expand to more than 100000 nodes"));
});

test("an alias inside the node it names (x: &x {a: *x}) is refused", async () => {
  const file = hostileFolder().write("cycle.yaml", `${HEADER}spec:\n  x: &x {a: *x}\n`);
  expect(await refusal(file)).toEqual(refusedWith(file, 5, "YAML alias *x refers to a node that contains it"));
});

test("an alias to no anchor is refused naming it", async () => {
  const file = hostileFolder().write("unknown.yaml", `${HEADER}spec:\n  objects: *nowhere\n`);
  expect(await refusal(file)).toEqual(refusedWith(file, 5, "unknown YAML alias *nowhere"));
});

test.each([
  ["a flow sequence", `  objects: ${"[".repeat(3000)}${"]".repeat(3000)}\n`, 5],
  ["flow mappings", `  objects: ${"{a: ".repeat(3000)}1${"}".repeat(3000)}\n`, 5],
  ["a compact block sequence", `  objects:\n  ${"- ".repeat(3000)}x\n`, 6],
])("%s nested 3,000 levels deep is refused at the line where it passes 100 levels", async (_, spec, line) => {
  const file = hostileFolder().write("deep.yaml", `${HEADER}spec:\n${spec}`);
  expect(await refusal(file)).toEqual(refusedWith(file, line, "YAML nested more than 100 levels deep"));
});

test("a NUL byte in a value is shown escaped in the one-line refusal, never raw", async () => {
  const file = hostileFolder().write("nul.yaml", Buffer.from(`${HEADER}spec:\n  objects: [a\u0000b]\n`));
  expect(await refusal(file)).toEqual(refusedWith(file, 5, 'objects[0]: expected a mapping, got "a\\u0000b"'));
});
