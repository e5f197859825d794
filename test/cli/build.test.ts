// The command as shipped: bin/ebbflow.js runs the JavaScript that npm run
// build compiles to dist/, without tsx, and the compiled engine compiles a
// program in a worker thread only when its module is not in the disk cache.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ebbflow } from "../support/cli.ts";

const SCENARIO = "scenarios/seed-default-deny-all.yaml";

describe("the built ebbflow command", () => {
  test("runs dist/ and prints the package's version", async () => {
    expect(readFileSync("bin/ebbflow.js", "utf8")).toContain("../dist/src/cli/main.js");
    expect(readFileSync("bin/ebbflow.js", "utf8")).not.toContain("tsx");
    const run = await ebbflow(["--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  test("compiles a replay's programs into an empty cache, then replays from it with the same output", async () => {
    const cache = join(mkdtempSync(join(tmpdir(), "ebbflow-cache-")), "compiled");
    const compiling = await ebbflow(["scenario", "run", SCENARIO], { env: { EBBFLOW_CACHE_DIR: cache } });
    expect(compiling.stderr).toBe("");
    expect(compiling.status).toBe(0);
    expect(compiling.stdout.trimEnd().split("\n").at(-1)).toMatch(/^1 files: \d+ passed, 0 failed, 0 refused$/);
    expect(existsSync(cache) && readdirSync(cache).filter((name) => name.endsWith(".wasm")).length).toBeGreaterThan(0);
    const cached = await ebbflow(["scenario", "run", SCENARIO], { env: { EBBFLOW_CACHE_DIR: cache } });
    expect(cached.status).toBe(0);
    expect(cached.stdout).toBe(compiling.stdout);
  });
});
