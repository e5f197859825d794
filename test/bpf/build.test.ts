// The committed objects are what clang-14 makes of their sources, whatever
// directory the clone sits in, and src/abi/generated.ts is what their BTF gives.

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

const abiModule = join("src", "abi", "generated.ts");

describeWhen(commandUnavailable("clang-14"), "bpf/build.sh with clang-14", () => {
  const clones: string[] = [];
  afterAll(() => clones.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("--check finds the committed objects equal to a fresh build", () => {
    const result = spawnSync(join(bpfDirectory, "build.sh"), ["--check"], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  /** bpf/ and what its build reads and writes (the BTF reader in emu/loader, src/abi, the packages), copied elsewhere. */
  const cloneRepository = (): string => {
    const root = join(mkdtempSync(join(tmpdir(), "ebbflow-bpf-clone-")), "some", "other");
    clones.push(root);
    const repository = join(bpfDirectory, "..");
    for (const folder of ["bpf", "emu/loader", "src/abi"]) cpSync(join(repository, folder), join(root, folder), { recursive: true });
    cpSync(join(repository, "package.json"), join(root, "package.json"));
    symlinkSync(join(repository, "node_modules"), join(root, "node_modules"));
    return root;
  };

  test("a copy of bpf/ elsewhere builds the same bytes and the same ABI module", () => {
    const clone = cloneRepository();
    execFileSync(join(clone, "bpf", "build.sh"));
    for (const { file } of datapathObjects) {
      expect(readFileSync(join(clone, "bpf", file)).equals(readFileSync(join(bpfDirectory, file))), file).toBe(true);
    }
    expect(readFileSync(join(clone, abiModule), "utf8")).toBe(readFileSync(join(bpfDirectory, "..", abiModule), "utf8"));
  });

  test("--check fails naming src/abi/generated.ts when a struct changed and the module was not regenerated", () => {
    const clone = cloneRepository();
    const lb = join(clone, "bpf", "lib", "lb.h");
    writeFileSync(lb, readFileSync(lb, "utf8").replace("struct lb4_reverse_nat {\n", "struct lb4_reverse_nat {\n\t__u32 added;\n"));
    execFileSync(join(clone, "bpf", "build.sh"));
    expect(readFileSync(join(clone, abiModule), "utf8")).toMatch(
      /Lb4ReverseNatLayout = \{\n {2}size: 12,\n {2}fields: \{\n {4}added: \{ offset: 0, size: 4 \}/,
    );
    cpSync(join(bpfDirectory, "..", abiModule), join(clone, abiModule));
    const result = spawnSync(join(clone, "bpf", "build.sh"), ["--check"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("differ from their sources: src/abi/generated.ts (run bpf/build.sh");
  });
});
