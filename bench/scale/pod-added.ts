// The time of one pod added to a large cluster, from the `apply` step until
// the maps hold it: in-process, on the path a user's scenario takes (the
// step's cluster.apply and ControlPlane.apply of its changes, which a node
// agent's watch events take too), timed between the items the replay hands
// out either side of the step.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { replayScenarioTo, type ReplayItem } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";
import { podAddedScenario } from "./cluster.ts";

/** Milliseconds from the attempt before the step to the step's end; the attempt after it checks the pod is reachable. */
export async function onePodAddedMs(pods: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ebbflow-scale-"));
  const file = join(dir, `pods-${pods}-one-added.yaml`);
  writeFileSync(file, podAddedScenario(pods));
  const datapath = await WasmDatapath.create();
  try {
    const marks: { item: ReplayItem; at: bigint }[] = [];
    const summary = await replayScenarioTo(
      readScenario(file),
      datapath,
      { seed: 1, flows: "failed" },
      { push: (item) => marks.push({ item, at: process.hrtime.bigint() }) },
    );
    if (summary.failed > 0) throw new Error(`scale: the pod added to ${pods} pods: ${summary.failed} attempts failed`);
    const step = marks.findIndex(({ item }) => item.kind === "step");
    return Number(marks[step].at - marks[step - 1].at) / 1e6;
  } finally {
    await datapath.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
