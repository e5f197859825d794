import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import type { Datapath, MapEntry, MapOwner } from "../../../src/core/datapath/datapath.ts";
import { ControlPlane } from "../../../src/core/replay/control-plane.ts";
import { buildCluster, parseScenario, type Scenario } from "../../../src/core/scenario/index.ts";
import { scaleScenario } from "../../../bench/scale/cluster.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const ownerName = (owner: MapOwner) => ("node" in owner ? `node ${owner.node}` : `endpoint ${owner.endpoint}`);

/** A Datapath that holds its maps as the calls leave them, and records every call. */
class MapHoldingDatapath implements Datapath {
  readonly backend = "wasm" as const;
  readonly maps = new Map<string, Map<string, string>>();
  readonly calls: string[] = [];

  async addNode(): Promise<void> {}
  async setEndpoint(config: { key: string }): Promise<void> {
    this.calls.push(`setEndpoint ${config.key}`);
  }
  async removeEndpoint(key: string): Promise<void> {
    this.calls.push(`removeEndpoint ${key}`);
    this.maps.delete(`endpoint ${key}\neb_policy`);
  }
  async syncMap(owner: MapOwner, map: string, entries: readonly MapEntry[]): Promise<void> {
    this.calls.push(`syncMap ${ownerName(owner)} ${map}`);
    this.maps.set(`${ownerName(owner)}\n${map}`, new Map(entries.map((entry) => [hex(entry.key), hex(entry.value)])));
  }
  async changeMap(owner: MapOwner, map: string, change: { set: readonly MapEntry[]; remove: readonly Uint8Array[] }): Promise<void> {
    this.calls.push(`changeMap ${ownerName(owner)} ${map}`);
    const held = this.maps.get(`${ownerName(owner)}\n${map}`)!;
    for (const key of change.remove) held.delete(hex(key));
    for (const entry of change.set) held.set(hex(entry.key), hex(entry.value));
  }
  async attempt(): Promise<never> {
    throw new Error("no traffic here");
  }
  async inject(): Promise<never> {
    throw new Error("no traffic here");
  }
  advanceClock(): void {}
  async close(): Promise<void> {}

  /** The identity-derived maps, which do not depend on the order things were allocated in. */
  policyAndIpcache(): Record<string, Record<string, string>> {
    const held: Record<string, Record<string, string>> = {};
    for (const [name, entries] of [...this.maps].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (name.endsWith("eb_policy") || name.endsWith("eb_ipcache")) held[name] = Object.fromEntries([...entries].sort());
    }
    return held;
  }
}

type Step = { apply: { objects: object[] } } | { delete: object[] };

const pod = (name: string, app: string, tier: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "ns-0", labels: { app, tier } },
  spec: { containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 8080 }] }] },
});

const policy = (name: string, app: string, peer: string) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: "ns-0" },
  spec: { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: peer } } }], ports: [{ port: 8080 }] }] },
});

/** A 30-pod generated cluster with `steps` as its traffic. */
function scenarioWith(steps: Step[]): Scenario {
  const document = parse(scaleScenario({ pods: 30, attempts: 0 }));
  document.spec.traffic = steps;
  return parseScenario(stringify(document), "/tmp/control-plane-apply.yaml");
}

const apps = ["app-0", "app-3", "app-new"];
const tiers = ["tier-0", "tier-9"];
const command = fc.oneof(
  fc.record({ kind: fc.constant("pod" as const), name: fc.integer({ min: 0, max: 4 }), app: fc.constantFrom(...apps), tier: fc.constantFrom(...tiers) }),
  fc.record({ kind: fc.constant("policy" as const), name: fc.integer({ min: 0, max: 2 }), app: fc.constantFrom(...apps), peer: fc.constantFrom(...apps) }),
  fc.record({ kind: fc.constant("delete" as const), name: fc.integer({ min: 0, max: 4 }), policy: fc.boolean() }),
);

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

/** Commands -> steps, a delete only of what exists then. */
function stepsOf(commands: readonly Command[]): Step[] {
  const pods = new Set<number>();
  const policies = new Set<number>();
  const steps: Step[] = [];
  for (const each of commands) {
    if (each.kind === "pod") {
      pods.add(each.name);
      steps.push({ apply: { objects: [pod(`extra-${each.name}`, each.app, each.tier)] } });
    } else if (each.kind === "policy") {
      policies.add(each.name);
      steps.push({ apply: { objects: [policy(`extra-${each.name}`, each.app, each.peer)] } });
    } else if (each.policy ? policies.delete(each.name) : pods.delete(each.name)) {
      steps.push({ delete: [{ kind: each.policy ? "NetworkPolicy" : "Pod", namespace: "ns-0", name: `extra-${each.name}` }] });
    }
  }
  return steps;
}

async function fullSync(scenario: Scenario, cluster: ReturnType<typeof buildCluster>): Promise<MapHoldingDatapath> {
  const datapath = new MapHoldingDatapath();
  await new ControlPlane(datapath, scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true }).sync(cluster);
  return datapath;
}

describe("ControlPlane.apply", () => {
  it("leaves the policy maps and ipcaches a full sync of the resulting cluster writes, after any sequence of adds and removes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 6 }), async (commands) => {
        const scenario = scenarioWith(stepsOf(commands));
        const cluster = buildCluster(scenario, 1);
        const datapath = new MapHoldingDatapath();
        const controlPlane = new ControlPlane(datapath, scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true });
        await controlPlane.sync(cluster);
        for (const step of scenario.traffic) {
          if (step.kind === "apply") await controlPlane.apply(cluster.apply(step.objects));
          if (step.kind === "delete") await controlPlane.apply(cluster.delete(step.refs));
          const reference = await fullSync(scenario, cluster);
          expect(datapath.policyAndIpcache()).toEqual(reference.policyAndIpcache());
        }
      }),
      { numRuns: 15 },
    );
  });

  it("leaves every map, load balancing included, as a full sync after the same history writes, when pods alone change", async () => {
    const podCommand = fc.oneof(
      fc.record({
        kind: fc.constant("pod" as const),
        name: fc.integer({ min: 0, max: 4 }),
        app: fc.constantFrom("app-0", "app-1", "app-new"),
        tier: fc.constantFrom("tier-0", "tier-1", "tier-9"),
      }),
      fc.record({ kind: fc.constant("delete" as const), name: fc.integer({ min: 0, max: 4 }), policy: fc.constant(false) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(podCommand, { minLength: 1, maxLength: 8 }), async (commands) => {
        const scenario = scenarioWith(stepsOf(commands));
        const [incremental, whole] = [buildCluster(scenario, 1), buildCluster(scenario, 1)];
        const [applied, synced] = [new MapHoldingDatapath(), new MapHoldingDatapath()];
        const options = { seed: 1, socketLB: true };
        const applying = new ControlPlane(applied, scenario.cilium.policyEnforcementMode, options);
        const syncing = new ControlPlane(synced, scenario.cilium.policyEnforcementMode, options);
        await applying.sync(incremental);
        await syncing.sync(whole);
        for (const step of scenario.traffic) {
          if (step.kind === "apply") (await applying.apply(incremental.apply(step.objects)), whole.apply(step.objects));
          if (step.kind === "delete") (await applying.apply(incremental.delete(step.refs)), whole.delete(step.refs));
          await syncing.sync(whole);
          expect(Object.fromEntries([...applied.maps].map(([name, entries]) => [name, Object.fromEntries([...entries].sort())]))).toEqual(
            Object.fromEntries([...synced.maps].map(([name, entries]) => [name, Object.fromEntries([...entries].sort())])),
          );
          expect([...applying.current.endpoints]).toEqual([...syncing.current.endpoints]);
          expect(applying.current.services).toEqual(syncing.current.services);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("writes, for one pod added with an existing identity, its own endpoint and the nodes' maps, and no other endpoint", async () => {
    const scenario = scenarioWith([{ apply: { objects: [pod("extra-0", "app-0", "tier-1")] } }]);
    const cluster = buildCluster(scenario, 1);
    const datapath = new MapHoldingDatapath();
    const controlPlane = new ControlPlane(datapath, scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true });
    await controlPlane.sync(cluster);
    datapath.calls.length = 0;
    const step = scenario.traffic[0];
    if (step.kind !== "apply") throw new Error("the first step is the apply");
    await controlPlane.apply(cluster.apply(step.objects));
    const endpointCalls = datapath.calls.filter((call) => call.includes("endpoint") || call.startsWith("setEndpoint"));
    expect(endpointCalls).toEqual(["setEndpoint ns-0/extra-0", "syncMap endpoint ns-0/extra-0 eb_policy"]);
    expect(datapath.calls.filter((call) => call.includes("eb_ipcache"))).toHaveLength(10);
    expect(datapath.calls.every((call) => !call.startsWith("syncMap node"))).toBe(true);
  });

  it("does nothing for a change set that changes nothing", async () => {
    const scenario = scenarioWith([]);
    const cluster = buildCluster(scenario, 1);
    const datapath = new MapHoldingDatapath();
    const controlPlane = new ControlPlane(datapath, scenario.cilium.policyEnforcementMode, { seed: 1, socketLB: true });
    await controlPlane.sync(cluster);
    datapath.calls.length = 0;
    await controlPlane.apply(cluster.apply([]));
    expect(datapath.calls).toEqual([]);
  });
});
