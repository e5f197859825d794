// The VM asks Linux for transparent huge pages under its memory (emu/host),
// so that lookups in maps of 100,000 services do not each cost a TLB miss on
// a 4 KiB page. Where the helper is not built or huge pages are off, the VM
// says why and runs on small pages.

import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { Vm } from "../../../emu/vm/vm.ts";
import { describeWhen } from "../../support/requirements.ts";

const vm = await Vm.create();
const GiB = 2 ** 30;

/** Bytes of this process's mappings advised for huge pages (VmFlags "hg" in /proc/self/smaps). */
function advisedBytes(): number {
  let total = 0;
  let size = 0;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) size = Number(BigInt(`0x${range[2]}`) - BigInt(`0x${range[1]}`));
    else if (line.startsWith("VmFlags:") && line.split(/\s+/).includes("hg")) total += size;
  }
  return total;
}

describeWhen(vm.hugePages.advised ? undefined : vm.hugePages.reason, "huge pages under the VM's memory", () => {
  test("cover the memory's whole 4 GiB reservation, so that it grows into them", async () => {
    expect(vm.hugePages).toEqual({ advised: true });
    const before = advisedBytes();
    await Vm.create();
    expect(advisedBytes() - before).toBeGreaterThanOrEqual(4 * GiB);
  });
});
