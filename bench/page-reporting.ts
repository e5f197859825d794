// Free page reporting (virtio-balloon) hands free blocks of memory of at
// least 2^page_reporting_order pages back to the virtual machine's host. A
// benchmark that frees and reallocates hundreds of megabytes between cases
// then gets its memory backed anew by the host on each first touch, with
// whatever pages the host has free: some cases run several times slower for
// their whole life, and the figures measure the host's placement.
//
// So a benchmark turns reporting off for its own run, as `pyperf system
// tune` sets a machine up for measurement: it sets the order past the largest
// block the allocator keeps (then no block qualifies) and sets it back when it
// ends. However it ends: a guardian process of its own session (out of reach
// of Ctrl-C) holds a pipe from the run, and when the pipe closes without the
// run having set the order back (killed, or interrupted while busy: tsx kills
// a child that does not answer a signal within 30 ms), the guardian does.
// It needs root; without, the setting stays and the report says so.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";

const PAGE_REPORTING_ORDER = "/sys/module/page_reporting/parameters/page_reporting_order";
/** The largest block the page allocator keeps (MAX_PAGE_ORDER on x86-64 and arm64's 4 KiB pages). */
const MAX_PAGE_ORDER = 10;
/** Past every block: nothing is reported. The kernel accepts MAX_PAGE_ORDER + 1 and no more. */
const REPORTING_OFF = MAX_PAGE_ORDER + 1;

function readOrder(setting: string): number {
  return Number(readFileSync(setting, "utf8").trim());
}

/** Whether the machine gives freed memory back to its host, and from which block size. */
function describe(order: number): string {
  if (order > MAX_PAGE_ORDER) return `off (page_reporting_order ${order})`;
  return `free blocks of ${(4 << order) / 1024} MiB and more go back to the host (page_reporting_order ${order})`;
}

/** Free page reporting held off for a run: what was done, and how to undo it. */
export interface PageReportingHold {
  /** For the report: the setting found, and what the run changed. */
  readonly change: string;
  /** Sets the original order back; if the process ends first, its guardian does. Idempotent. */
  restore(): void;
}

/**
 * Waits for the run's pipe to close, then sets the original order back if
 * the run's setting is still there. Arguments: original, setting, the run's order.
 */
const GUARDIAN = 'cat > /dev/null; [ "$(cat "$2")" = "$3" ] && echo "$1" > "$2"';

/** Turns free page reporting off until restore() or the end of the process, whichever comes first. */
export function holdFreePageReportingOff(setting = PAGE_REPORTING_ORDER): PageReportingHold {
  const unchanged = (change: string) => ({ change, restore() {} });
  if (!existsSync(setting)) return unchanged("none");
  const original = readOrder(setting);
  if (original > MAX_PAGE_ORDER) return unchanged(`${describe(original)}, as found`);
  try {
    writeFileSync(setting, `${REPORTING_OFF}\n`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return unchanged(`${describe(original)}: left on, cannot set ${setting} (${reason}); run as root for stable figures`);
  }
  const guardian = spawn("sh", ["-c", GUARDIAN, "page-reporting-guardian", String(original), setting, String(REPORTING_OFF)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  guardian.unref();
  (guardian.stdin as Socket).unref();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    writeFileSync(setting, `${original}\n`);
    guardian.stdin!.end();
  };
  return { change: `turned off for this run (page_reporting_order ${original} set to ${REPORTING_OFF}, set back at the end)`, restore };
}
