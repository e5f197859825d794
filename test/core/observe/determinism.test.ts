import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function printFlows(env: NodeJS.ProcessEnv): string {
  const script = join(import.meta.dirname, "print-flows.ts");
  const result = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", env: { ...process.env, ...env } });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

describe("flows, lines and metrics are the same bytes in every time zone and locale", () => {
  it("UTC/C and America/New_York/de_DE give identical output in separate processes", () => {
    const reference = printFlows({ TZ: "UTC", LANG: "C", LC_ALL: "C" });
    const elsewhere = printFlows({ TZ: "America/New_York", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" });
    expect(reference).toContain('"time":"2026-01-01T00:00:00Z"');
    expect(reference).toContain("Jan  1 00:00:00.000 [default/node-1]: ");
    expect(elsewhere).toBe(reference);
  });
});
