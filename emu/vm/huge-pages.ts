// Transparent huge pages under the VM's memory, through the host helper in
// emu/host (built by npm install on Linux). With maps of 100,000 services
// every lookup lands on a page of its own, and on 4 KiB pages each costs a
// TLB miss; the kernel keeps its own maps in memory mapped with huge pages.
// Best effort: where the helper is not built or the machine turned huge
// pages off, the VM runs the same on small pages, and says why.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "../../src/util/package-root.ts";

/** Whether the memory got the advice, or why not. */
export type HugePages = { advised: true } | { advised: false; reason: string };

interface HostHelper {
  adviseHugePages(buffer: ArrayBuffer, bytes: number): number;
}

/** What V8 reserves for a 32-bit memory: all of it, grown in place. */
const WASM32_RESERVATION = 2 ** 32;
const THP_SETTING = "/sys/kernel/mm/transparent_hugepage/enabled";

let helper: { host: HostHelper } | { reason: string } | undefined;

function loadHelper(): { host: HostHelper } | { reason: string } {
  helper ??= findHelper();
  return helper;
}

function findHelper(): { host: HostHelper } | { reason: string } {
  if (process.platform !== "linux") return { reason: `huge pages are asked of Linux only (this is ${process.platform})` };
  const directory = join(packageRoot(), "emu/host/build");
  const path = join(directory, "huge-pages.node");
  if (!existsSync(path)) {
    const why = join(directory, "unavailable.txt");
    return { reason: existsSync(why) ? readFileSync(why, "utf8").trim() : "the helper is not built: run npm run build:host" };
  }
  const setting = existsSync(THP_SETTING) ? /\[(\w+)\]/.exec(readFileSync(THP_SETTING, "utf8"))?.[1] : undefined;
  if (setting === "never") return { reason: `transparent huge pages are off on this machine (${THP_SETTING}: never)` };
  try {
    return { host: createRequire(import.meta.url)(path) as HostHelper };
  } catch (error) {
    return { reason: `the helper cannot be loaded (${error instanceof Error ? error.message : String(error)}): rebuild it with npm run build:host` };
  }
}

/** Asks for huge pages under a 32-bit WebAssembly memory, before it fills. */
export function adviseHugePages(memory: ArrayBuffer): HugePages {
  const loaded = loadHelper();
  if ("reason" in loaded) return { advised: false, reason: loaded.reason };
  const errno = loaded.host.adviseHugePages(memory, WASM32_RESERVATION);
  return errno === 0 ? { advised: true } : { advised: false, reason: `madvise(MADV_HUGEPAGE) failed with errno ${errno}` };
}
