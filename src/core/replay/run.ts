// Replaying a scenario on a Datapath: the cluster built from its manifests,
// the control plane synced to the datapath, then every traffic item in order
// (attempts through the real programs, apply/delete/wait steps) and every
// injected packet; each attempt's outcome read from the datapath's events and
// checked against its expectation.

import type { Datapath, DatapathEvent as RawEvent, Place } from "../datapath/datapath.ts";
import { decodeEvent, type DatapathEvent } from "../observe/event.ts";
import type { Cluster, ResolvedEndpoint } from "../model/index.ts";
import { buildCluster, type Attempt, type Expectation, type Scenario } from "../scenario/index.ts";
import { SeededRandom } from "../../util/random.ts";
import { ControlPlane } from "./control-plane.ts";
import { outcomeOf, type Outcome } from "./outcome.ts";

/** The virtual clock starts at 2026-01-01T00:00:00Z (SCENARIOS.md). */
export const CLOCK_START_NS = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
/** Virtual time each attempt takes. */
const ATTEMPT_NS = 1_000_000n;
/** The Linux ephemeral port range. */
const EPHEMERAL_PORTS: [number, number] = [32768, 60999];

export interface ObservedEvent {
  node: string;
  event: DatapathEvent;
  /** Virtual time of the event (ns since the epoch). */
  timeNs: bigint;
}

export interface AttemptResult {
  kind: "attempt" | "packet";
  name: string;
  expected: Expectation;
  actual: Outcome;
  pass: boolean;
  /** Why it failed, one line per expectation not met. */
  mismatches: string[];
  events: ObservedEvent[];
}

export interface StepResult {
  kind: "step";
  step: "apply" | "delete" | "wait";
  /** What the step said, as JSON-able data. */
  detail: unknown;
}

export type ReplayItem = AttemptResult | StepResult;

export interface ReplayResult {
  items: ReplayItem[];
  passed: number;
  failed: number;
  ignored: string[];
  /** The cluster and control plane state at the end, to describe endpoints and policies in flows. */
  cluster: Cluster;
  controlPlane: ControlPlane;
}

export interface ReplayOptions {
  seed: number;
}

function placeOf(endpoint: ResolvedEndpoint, other: ResolvedEndpoint, cluster: Cluster): Place {
  if (endpoint.kind === "pod") return { kind: "pod", endpoint: `${endpoint.pod.namespace}/${endpoint.pod.name}` };
  if (endpoint.kind === "node") return { kind: "node", node: endpoint.node.name };
  const via = other.kind === "pod" ? other.pod.nodeName : other.kind === "node" ? other.node.name : cluster.nodes[0].name;
  return { kind: "world", ip: endpoint.ip, via };
}

export function mismatchesOf(expected: Expectation, actual: Outcome): string[] {
  const problems: string[] = [];
  if (expected.verdict !== actual.verdict) problems.push(`verdict: expected ${expected.verdict}, got ${actual.verdict}`);
  if (expected.dropReason !== undefined && expected.dropReason !== actual.dropReason) {
    problems.push(`dropReason: expected ${expected.dropReason}, got ${actual.dropReason ?? "none"}`);
  }
  if (expected.hook !== undefined && expected.hook !== actual.hook) problems.push(`hook: expected ${expected.hook}, got ${actual.hook}`);
  if (expected.policy !== undefined && !actual.policies.some((policy) => policyMatches(expected.policy!, policy))) {
    problems.push(`policy: expected ${expected.policy.text} among [${actual.policies.join(", ")}]`);
  }
  return problems;
}

/** `expect.policy`: NS/NAME (any kind), KIND/NS/NAME, or NAME (a clusterwide policy). */
function policyMatches(expected: NonNullable<Expectation["policy"]>, actual: string): boolean {
  const parts = actual.split("/");
  const [kind, namespace, name] = parts.length === 3 ? parts : [parts[0], undefined, parts[1]];
  if (expected.kind !== undefined && expected.kind !== kind) return false;
  return expected.namespace === namespace && expected.name === name;
}

export async function replayScenario(scenario: Scenario, datapath: Datapath, options: ReplayOptions): Promise<ReplayResult> {
  const cluster = buildCluster(scenario, options.seed);
  const controlPlane = new ControlPlane(datapath, scenario.cilium.policyEnforcementMode);
  await controlPlane.sync(cluster);
  const random = new SeededRandom(options.seed);
  let clock = CLOCK_START_NS;
  const items: ReplayItem[] = [];
  const observe = (raw: RawEvent[], start: bigint): ObservedEvent[] =>
    raw.map((event, i) => ({ node: event.node, event: decodeEvent(event.record), timeNs: start + BigInt(i) * 1000n }));

  const runAttempt = async (attempt: Attempt): Promise<void> => {
    const from = cluster.resolveEndpoint(attempt.from);
    const to = cluster.resolveEndpoint(attempt.to);
    for (let n = 0; n < attempt.repeat; n++) {
      const icmp = attempt.protocol === "ICMP";
      const observation = await datapath.attempt({
        from: placeOf(from, to, cluster),
        to: placeOf(to, from, cluster),
        sourceIP: from.ip,
        destinationIP: to.ip,
        protocol: attempt.protocol,
        sourcePort: icmp ? random.between(1, 65535) : random.between(...EPHEMERAL_PORTS),
        destinationPort: attempt.port ?? 0,
      });
      const events = observe(observation.events, clock);
      const actual = outcomeOf(events.map((e) => e.event), observation.completed, controlPlane.current.policies.cookies);
      const mismatches = mismatchesOf(attempt.expect, actual);
      items.push({ kind: "attempt", name: attempt.name, expected: attempt.expect, actual, pass: mismatches.length === 0, mismatches, events });
      clock += ATTEMPT_NS;
      datapath.advanceClock(ATTEMPT_NS);
    }
  };

  for (const item of scenario.traffic) {
    switch (item.kind) {
      case "attempt":
        await runAttempt(item);
        break;
      case "apply":
        cluster.apply(item.objects);
        await controlPlane.sync(cluster);
        items.push({ kind: "step", step: "apply", detail: item.objects.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name })) });
        break;
      case "delete":
        cluster.delete(item.refs);
        await controlPlane.sync(cluster);
        items.push({ kind: "step", step: "delete", detail: item.refs.map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name })) });
        break;
      case "wait":
        clock += BigInt(item.nanoseconds);
        datapath.advanceClock(BigInt(item.nanoseconds));
        items.push({ kind: "step", step: "wait", detail: item.text });
        break;
    }
  }
  for (const packet of scenario.packets) {
    if (packet.frames.kind !== "hex") throw new Error(`${scenario.file}: packet "${packet.name}": only hex: frames are replayed so far`);
    const endpoint = `${packet.at.namespace}/${packet.at.name}`;
    const observation = await datapath.inject({ endpoint, direction: packet.direction, frame: packet.frames.bytes });
    const events = observe(observation.events, clock);
    const TC_ACT_OK = 0;
    const actual = outcomeOf(events.map((e) => e.event), observation.retval === TC_ACT_OK, controlPlane.current.policies.cookies);
    const mismatches = mismatchesOf(packet.expect, actual);
    items.push({ kind: "packet", name: packet.name, expected: packet.expect, actual, pass: mismatches.length === 0, mismatches, events });
    clock += ATTEMPT_NS;
    datapath.advanceClock(ATTEMPT_NS);
  }
  const results = items.filter((i): i is AttemptResult => i.kind !== "step");
  const passed = results.filter((r) => r.pass).length;
  return { items, passed, failed: results.length - passed, ignored: cluster.ignoredKinds, cluster, controlPlane };
}
