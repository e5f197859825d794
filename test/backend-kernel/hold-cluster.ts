// A kernel backend run that sets up a scenario's cluster, prints "ready" and
// holds it until it is killed: what the cleanup tests kill.
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { replayScenario } from "../../src/core/replay/run.ts";
import { readScenario } from "../../src/core/scenario/index.ts";

const datapath = await KernelDatapath.create();
await replayScenario(readScenario(process.argv[2]), datapath, { seed: 1 });
process.stdout.write("ready\n");
setInterval(() => {}, 60_000);
