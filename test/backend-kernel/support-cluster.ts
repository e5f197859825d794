// What the kernel backend's cluster tests need: the reason they cannot run
// here, and the replay of one scenario file on a backend, as comparable outcomes.

import { kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { topologyUnavailable } from "../../backend-kernel/run.ts";
import type { Datapath } from "../../src/core/datapath/datapath.ts";
import { replayScenario } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";

/** Why a kernel cluster cannot be set up here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  return kernelBackendUnavailable() ?? topologyUnavailable();
}

/** Each attempt's and packet's outcome by name and position: what parity compares. */
export async function outcomes(file: string, datapath: Datapath): Promise<string[]> {
  try {
    const result = await replayScenario(readScenario(file), datapath, { seed: 1 });
    return result.items.flatMap((item, index) => {
      if (item.kind === "step") return [];
      const { verdict, dropReason, hook, policies, backend } = item.actual;
      return [`#${index} ${item.name}: ${verdict} ${dropReason ?? "-"} at ${hook} by [${policies.join(", ")}] backend ${backend ?? "-"}`];
    });
  } finally {
    await datapath.close();
  }
}
