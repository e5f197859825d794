// The committed objects are what clang-14 makes of their sources, whatever
// directory the clone sits in.

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { commandUnavailable, describeWhen } from "../support/requirements.ts";
import { bpfDirectory, datapathObjects } from "./datapath.ts";

test("every program source has its object committed beside it, and nothing else", () => {
  const files = readdirSync(bpfDirectory);
  const sources = files.filter((f) => f.endsWith(".c")).map((f) => f.replace(/\.c$/, ".o"));
  const objects = files.filter((f) => f.endsWith(".o"));
  const listed = datapathObjects.map((o) => o.file);
  expect(objects.sort()).toEqual(sources.sort());
  expect(objects.sort()).toEqual(listed.sort());
});

describeWhen(commandUnavailable("clang-14"), "bpf/build.sh with clang-14", () => {
  const clones: string[] = [];
  afterAll(() => clones.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("--check finds the committed objects equal to a fresh build", () => {
    const result = spawnSync(join(bpfDirectory, "build.sh"), ["--check"], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  test("a copy of bpf/ elsewhere builds the same bytes", () => {
    const clone = mkdtempSync(join(tmpdir(), "ebbflow-bpf-clone-"));
    clones.push(clone);
    const copy = join(clone, "some", "other", "bpf");
    cpSync(bpfDirectory, copy, { recursive: true });
    execFileSync(join(copy, "build.sh"));
    for (const { file } of datapathObjects) {
      expect(readFileSync(join(copy, file)).equals(readFileSync(join(bpfDirectory, file))), file).toBe(true);
    }
  });
});
