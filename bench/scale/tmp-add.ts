import { ControlPlane } from "/work/main/src/core/replay/control-plane.ts";
import { buildCluster, parseScenario } from "/work/main/src/core/scenario/index.ts";
import { parse, stringify } from "yaml";
import { scaleScenario } from "/work/main/bench/scale/cluster.ts";
const pods = Number(process.argv[2]);
const mk = (i: number) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: `app-5-extra-${i}`, namespace: "ns-2", labels: { app: "app-5", tier: "tier-1" } },
  spec: { nodeName: "node-3", containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 8080 }] }] } });
const document = parse(scaleScenario({ pods, attempts: 0 }));
document.spec.traffic = Array.from({ length: 20 }, (_, i) => ({ apply: { objects: [mk(i)] } }));
const scenario = parseScenario(stringify(document), `/tmp/x.yaml`);
const cluster = buildCluster(scenario, 1);
const dp: any = { backend: "wasm", addNode: async () => {}, setEndpoint: async () => {}, removeEndpoint: async () => {}, syncMap: async () => {}, changeMap: async () => {}, advanceClock() {}, close: async () => {} };
const cp = new ControlPlane(dp, scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true });
await cp.sync(cluster);
for (let i = 0; i < 20; i++) {
  const t0 = performance.now(); const step: any = scenario.traffic[i]; const changes = cluster.apply(step.objects); const t1 = performance.now(); await cp.apply(changes); const t2 = performance.now();
  console.log(`model ${(t1 - t0).toFixed(2)} control plane ${(t2 - t1).toFixed(2)}`);
}
