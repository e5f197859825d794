// A file's report held until its replay ends: written in order whole, from
// memory or from the temporary file it spilled to, or dropped on a refusal.

import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, test } from "vitest";
import { PendingOutput } from "../../src/cli/pending-output.ts";

const drained = async () => {};
const spills = () => readdirSync(tmpdir()).filter((name) => name.startsWith("ebbflow-report-")).length;

describe("PendingOutput", () => {
  test("writes what was added, in order, when nothing spilled", async () => {
    const pending = new PendingOutput();
    pending.add("a\n");
    pending.add("b\n");
    let written = "";
    await pending.commit((text) => (written += text), drained);
    expect(written).toBe("a\nb\n");
  });

  test("past its threshold, keeps the text in a file and writes it back whole, multi-byte characters across read chunks included", async () => {
    const before = spills();
    const pending = new PendingOutput(10);
    const parts = Array.from({ length: 4000 }, (_, n) => `line ${n} é→🙂 ${"x".repeat(n % 700)}\n`);
    for (const part of parts) pending.add(part);
    let written = "";
    await pending.commit((text) => (written += text), drained);
    expect(written).toBe(parts.join(""));
    expect(spills()).toBe(before);
  });

  test("a discard drops everything, the spilled file too", async () => {
    const before = spills();
    const pending = new PendingOutput(10);
    pending.add("0123456789ab");
    expect(spills()).toBe(before + 1);
    pending.discard();
    expect(spills()).toBe(before);
    let written = "";
    await pending.commit((text) => (written += text), drained);
    expect(written).toBe("");
  });
});
