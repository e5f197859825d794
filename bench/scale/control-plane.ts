// The control plane alone at scale: a generated cluster (cluster.ts) built
// into the model and synced to a Datapath that only counts its calls, then
// one pod added through the path a scenario's `apply` step takes. Prints the
// time of each phase and the calls the one-pod add made.
//
//   npx tsx bench/scale/control-plane.ts 1000 10000

import type { Datapath } from "../../src/core/datapath/datapath.ts";
import { ControlPlane } from "../../src/core/replay/control-plane.ts";
import { buildCluster, parseScenario } from "../../src/core/scenario/index.ts";
import { parse, stringify } from "yaml";
import { scaleScenario } from "./cluster.ts";

type Calls = Record<string, number>;

function countingDatapath(calls: Calls): Datapath {
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  return {
    backend: "wasm",
    addNode: async () => void count("addNode"),
    setEndpoint: async () => void count("setEndpoint"),
    removeEndpoint: async () => void count("removeEndpoint"),
    syncMap: async () => void count("syncMap"),
    changeMap: async () => void count("changeMap"),
    attempt: async () => {
      throw new Error("no traffic in this benchmark");
    },
    inject: async () => {
      throw new Error("no traffic in this benchmark");
    },
    advanceClock: () => undefined,
    close: async () => undefined,
  };
}

/** A pod of an existing group (its identity exists): what depends on it is its own endpoint, the ipcache and its group's Services. */
const ADDED_POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "app-5-extra", namespace: "ns-2", labels: { app: "app-5", tier: "tier-1" } },
  spec: { nodeName: "node-3", containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 8080 }] }] },
};

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function measure(pods: number): Promise<void> {
  const document = parse(scaleScenario({ pods, attempts: 0 }));
  document.spec.traffic = [{ apply: { objects: [ADDED_POD] } }];
  const scenario = parseScenario(stringify(document), `/tmp/scale-${pods}.yaml`);
  const step = scenario.traffic[0];
  if (step.kind !== "apply") throw new Error("the scenario's first traffic item is the pod's apply step");
  let start = process.hrtime.bigint();
  const cluster = buildCluster(scenario, 1);
  const model = ms(start);
  const calls: Calls = {};
  const controlPlane = new ControlPlane(countingDatapath(calls), scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true });
  start = process.hrtime.bigint();
  await controlPlane.sync(cluster);
  const sync = ms(start);
  const initial = { ...calls };
  for (const key of Object.keys(calls)) delete calls[key];
  start = process.hrtime.bigint();
  await controlPlane.apply(cluster.apply(step.objects));
  const add = ms(start);
  console.log(
    `${pods} pods: model ${model.toFixed(0)} ms, sync ${sync.toFixed(0)} ms (${JSON.stringify(initial)}); one pod added ${add.toFixed(2)} ms (${JSON.stringify(calls)})`,
  );
}

for (const pods of process.argv.slice(2).map(Number)) await measure(pods);
