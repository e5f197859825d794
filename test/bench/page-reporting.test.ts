import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { holdFreePageReportingOff } from "../../bench/page-reporting.ts";

/** A stand-in for /sys/module/page_reporting/parameters/page_reporting_order, holding `order` if given. */
function standIn(order?: number): string {
  const setting = join(mkdtempSync(join(tmpdir(), "ebbflow-page-reporting-")), "page_reporting_order");
  if (order !== undefined) writeFileSync(setting, `${order}\n`);
  return setting;
}

const order = (setting: string) => readFileSync(setting, "utf8").trim();

test("a run turns reporting off, past the largest block, and restore() sets the original order back, once", () => {
  const setting = standIn(9);
  const hold = holdFreePageReportingOff(setting);
  expect(hold.change).toBe("turned off for this run (page_reporting_order 9 set to 11, set back at the end)");
  expect(order(setting)).toBe("11");
  hold.restore();
  expect(order(setting)).toBe("9");
  hold.restore();
  expect(order(setting)).toBe("9");
});

test("a machine without reporting, or with it off already, is left as it is", () => {
  expect(holdFreePageReportingOff(standIn()).change).toBe("none");
  const off = standIn(11);
  const hold = holdFreePageReportingOff(off);
  expect(hold.change).toBe("off (page_reporting_order 11), as found");
  hold.restore();
  expect(order(off)).toBe("11");
});

test("a setting the run may not write is left, and the report says so and why", () => {
  // A sysfs file without write permission refuses root too.
  const readOnly = "/sys/devices/system/cpu/cpu0/topology/core_id";
  const before = order(readOnly);
  const hold = holdFreePageReportingOff(readOnly);
  expect(hold.change).toBe(
    `free blocks of 0.00390625 MiB and more go back to the host (page_reporting_order ${before}): left on, cannot set ${readOnly} (EACCES); run as root for stable figures`,
  );
  expect(order(readOnly)).toBe(before);
});

/** A process that holds reporting off on `setting`; resolves once it holds. */
async function holdingProcess(setting: string, then: "wait" | "exit"): Promise<ChildProcess> {
  const module = join(import.meta.dirname, "../../bench/page-reporting.ts");
  const script = `import { holdFreePageReportingOff } from ${JSON.stringify(module)};
    holdFreePageReportingOff(${JSON.stringify(setting)});
    console.log("held");
    ${then === "exit" ? "process.exit(0);" : "setInterval(() => {}, 1000);"}`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve()));
  return child;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

/** The setting once it reads `expected`, or what it reads after a second. */
async function settles(setting: string, expected: string): Promise<string> {
  for (let waited = 0; waited < 1000 && order(setting) !== expected; waited += 10) await sleep(10);
  return order(setting);
}

test("the original order comes back however the run ends: exit without restore(), Ctrl-C, SIGTERM, kill -9", async () => {
  const setting = standIn(9);
  await exited(await holdingProcess(setting, "exit"));
  expect(await settles(setting, "9")).toBe("9");
  for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
    const child = await holdingProcess(setting, "wait");
    expect(order(setting)).toBe("11");
    child.kill(signal);
    await exited(child);
    expect(await settles(setting, "9")).toBe("9");
  }
});

test("after restore(), a later change of the setting is left alone", async () => {
  const setting = standIn(9);
  const hold = holdFreePageReportingOff(setting);
  hold.restore();
  writeFileSync(setting, "10\n");
  await sleep(200);
  expect(order(setting)).toBe("10");
});
