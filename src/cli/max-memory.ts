// `scenario run --max-memory SIZE`: a scenario whose estimated peak memory
// (core/scenario/estimate.ts) is past the limit is refused before it is
// loaded, as is one past Node's own heap limit, which would otherwise end
// the run with an out-of-memory crash in its middle.

import { getHeapStatistics } from "node:v8";
import { estimateScenario } from "../core/scenario/estimate.ts";
import type { Scenario } from "../core/scenario/index.ts";
import { UserError } from "../util/errors.ts";

export const DEFAULT_MAX_MEMORY = "4GiB";

const UNITS: Record<string, number> = { "": 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** `512MiB`, `2GiB`, `1.5GiB` or plain bytes. */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KiB|MiB|GiB|TiB)?$/.exec(text.trim());
  const bytes = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? ""]) : 0;
  if (!match || bytes < 1 || !Number.isSafeInteger(bytes))
    throw new UserError(`--max-memory: "${text}" is not a size (e.g. 512MiB, 2GiB, or a number of bytes)`);
  return bytes;
}

/** `5.2 GiB`, `4 GiB`, `300 MiB`: one decimal at most. */
export function formatByteSize(bytes: number): string {
  const [unit, size] = bytes >= UNITS.GiB ? ["GiB", UNITS.GiB] : bytes >= UNITS.MiB ? ["MiB", UNITS.MiB] : ["KiB", UNITS.KiB];
  return `${Number((bytes / size).toFixed(1))} ${unit}`;
}

const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}`;

/** Refuses `scenario` when its estimate is past `limit` bytes or past the heap Node was started with. */
export function checkMemory(scenario: Scenario, limit: number): void {
  const estimate = estimateScenario(scenario);
  const heapLimit = getHeapStatistics().heap_size_limit;
  if (estimate.bytes <= Math.min(limit, heapLimit)) return;
  const parts = [
    count(estimate.pods, "pods"),
    count(estimate.policyRules, "policy rules"),
    count(estimate.servicePorts, "service ports"),
    count(estimate.nodes, "nodes"),
    count(estimate.attempts, "attempts"),
    ...(estimate.frameBytes > 0 ? [count(estimate.frameBytes, "packet bytes")] : []),
  ];
  const past =
    limit <= heapLimit
      ? `past --max-memory ${formatByteSize(limit)}`
      : `past Node's heap limit of ${formatByteSize(heapLimit)} (raise it with NODE_OPTIONS=--max-old-space-size=MiB)`;
  throw new UserError(`${scenario.file}: the scenario needs about ${formatByteSize(estimate.bytes)} (${parts.join(", ")}), ${past}`);
}
