// Replaying a scenario on a Datapath: the cluster built from its manifests,
// the control plane synced to the datapath, then every traffic item in order
// (attempts through the real programs, apply/delete/wait steps) and every
// injected packet; each attempt's outcome read from the datapath's events and
// checked against its expectation.

import type { Datapath, DatapathEvent as RawEvent, Place } from "../datapath/datapath.ts";
import { decodeEvent, type DatapathEvent, FlowBuilder, type FlowRecord } from "../observe/index.ts";
import { type Cluster, formatEndpoint, InputError, type ResolvedEndpoint } from "../model/index.ts";
import { buildCluster, type Attempt, type Expectation, type PacketFrames, type Scenario } from "../scenario/index.ts";
import { buildFrame } from "../packets/build.ts";
import { TcAction } from "../../abi/generated.ts";
import { SeededRandom } from "../../util/random.ts";
import { type ClusterState, ControlPlane } from "./control-plane.ts";
import { outcomeOf, type Outcome } from "./outcome.ts";
import { resolverFor } from "./resolver.ts";
import { serviceTarget, type ServiceTarget } from "./service-target.ts";

/** The virtual clock starts at 2026-01-01T00:00:00Z (SCENARIOS.md). */
export const CLOCK_START_NS = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
/** Virtual time each attempt takes. */
const ATTEMPT_NS = 1_000_000n;
/** Cilium's default cluster name, the first part of Hubble's node_name. */
const CLUSTER_NAME = "default";
/** The hook each kind of source sends through: where an attempt lost before any program reported it is placed. */
const SOURCE_HOOKS = { pod: "pod-egress", node: "host-egress", world: "host-ingress" } as const;
/** The Linux ephemeral port range. */
const EPHEMERAL_PORTS: [number, number] = [32768, 60999];
/** ICMP echo identifiers. */
const ICMP_IDS: [number, number] = [1, 65535];

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
  /** The events as Hubble flows. */
  flows: FlowRecord[];
}

export interface StepResult {
  kind: "step";
  step: "apply" | "delete" | "wait";
  /** What the step said, as JSON-able data. */
  detail: unknown;
}

export type ReplayItem = AttemptResult | StepResult;

/** Where replayed items go, in order: an array keeps them; the CLI renders each and lets it go, so memory stays flat in attempts. */
export interface ItemSink {
  push(item: ReplayItem): void;
}

export interface ReplaySummary {
  passed: number;
  failed: number;
  ignored: string[];
  /** Helm values of `cilium:` a scenario does not use (`cilium.k8sServiceHost`, ...), each once. */
  unusedValues: string[];
  /** The cluster and control plane state at the end, to describe endpoints and policies in flows. */
  cluster: Cluster;
  controlPlane: ControlPlane;
}

export interface ReplayResult extends ReplaySummary {
  items: ReplayItem[];
}

export interface ReplayOptions {
  seed: number;
  /**
   * Whose flows are built: every item's (the default), or only those of items
   * that failed (what text and JUnit reports print); a passing item then has
   * none, and its flows' UUID numbers are skipped so the others keep theirs.
   */
  flows?: "all" | "failed";
}

/** The frames of a `packets:` item: its hex, its capture's, or one built from headers. */
function framesOf(frames: PacketFrames): readonly Uint8Array[] {
  if (frames.kind === "hex") return [frames.bytes];
  if (frames.kind === "pcap") return frames.frames;
  return [buildFrame(frames.build)];
}

type PlacedEndpoint = Exclude<ResolvedEndpoint, { kind: "service" }>;

function placeOf(endpoint: PlacedEndpoint, other: PlacedEndpoint | undefined, cluster: Cluster): Place {
  if (endpoint.kind === "pod") return { kind: "pod", endpoint: `${endpoint.pod.namespace}/${endpoint.pod.name}` };
  if (endpoint.kind === "node") return { kind: "node", node: endpoint.node.name };
  const via = other?.kind === "pod" ? other.pod.nodeName : other?.kind === "node" ? other.node.name : cluster.nodes[0].name;
  return { kind: "world", ip: endpoint.ip, via };
}

/**
 * `pod:NS/NAME` of the pod at an address, else `node:NAME` or `world:IP`:
 * answered from an index of the cluster as it is in `state`, rebuilt only
 * when a step changed it (every sync makes a new state), not scanned per attempt.
 */
function peerFinder(cluster: Cluster, currentState: () => ClusterState): (ip: string) => string {
  let seen: ClusterState | undefined;
  let peers = new Map<string, string>();
  return (ip) => {
    if (currentState() !== seen) {
      seen = currentState();
      // The first pod at an address wins, then a node, as a search of pods then nodes would find.
      peers = new Map();
      for (const pod of cluster.pods) if (!peers.has(pod.ip)) peers.set(pod.ip, `pod:${pod.namespace}/${pod.name}`);
      for (const node of cluster.nodes) if (!peers.has(node.internalIP)) peers.set(node.internalIP, `node:${node.name}`);
    }
    return peers.get(ip) ?? `world:${ip}`;
  };
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
  if (expected.backend !== undefined) {
    const wanted = formatEndpoint(expected.backend);
    if (wanted !== actual.backend) problems.push(`backend: expected ${wanted}, got ${actual.backend ?? "none"}`);
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
  const items: ReplayItem[] = [];
  return { items, ...(await replayScenarioTo(scenario, datapath, options, items)) };
}

/** Replays `scenario`, handing each item to `sink` as it is done. */
export async function replayScenarioTo(scenario: Scenario, datapath: Datapath, options: ReplayOptions, sink: ItemSink): Promise<ReplaySummary> {
  const cluster = buildCluster(scenario, options.seed);
  const controlPlane = new ControlPlane(datapath, scenario.cilium.policyEnforcementMode, {
    seed: options.seed,
    socketLB: scenario.cilium.socketLB,
    socketLBHostNamespaceOnly: scenario.cilium.socketLBHostNamespaceOnly,
    dsr: scenario.cilium.loadBalancerMode === "dsr",
  });
  await controlPlane.sync(cluster);
  const random = new SeededRandom(options.seed);
  // Like a kernel's ephemeral port allocator, never reuse a source port of a
  // connection the datapath may still track (it would be ESTABLISHED, not NEW).
  const usedPorts = new Set<string>();
  const sourcePort = (ip: string, protocol: string, [low, high]: [number, number]): number => {
    let port = random.between(low, high);
    while (usedPorts.has(`${ip}/${protocol}/${port}`)) port = port === high ? low : port + 1;
    usedPorts.add(`${ip}/${protocol}/${port}`);
    return port;
  };
  let clock = CLOCK_START_NS;
  let passed = 0;
  let failed = 0;
  const items: ItemSink = {
    push(item) {
      if (item.kind !== "step") {
        if (item.pass) passed++;
        else failed++;
      }
      sink.push(item);
    },
  };
  const observe = (raw: RawEvent[], start: bigint): ObservedEvent[] =>
    raw.map((event, i) => ({ node: event.node, event: decodeEvent(event.record, `${event.node} eb_events record`), timeNs: start + BigInt(i) * 1000n }));
  const builders = new Map(
    cluster.nodes.map((node) => [
      node.name,
      new FlowBuilder({ nodeName: `${CLUSTER_NAME}/${node.name}`, seed: options.seed, resolver: resolverFor(node.name, cluster, () => controlPlane.current) }),
    ]),
  );
  const peerAt = peerFinder(cluster, () => controlPlane.current);
  // Each Service's frontend for a client, found once per control plane state rather than by a search of every service port per attempt.
  let targetsState: ClusterState | undefined;
  const targets = new Map<string, ServiceTarget | undefined>();
  const targetOf = (service: string, port: number, protocol: string, clientNode: string | undefined): ServiceTarget | undefined => {
    if (controlPlane.current !== targetsState) {
      targetsState = controlPlane.current;
      targets.clear();
    }
    const key = `${service} ${port} ${protocol} ${clientNode ?? ""}`;
    if (!targets.has(key)) targets.set(key, serviceTarget(controlPlane.current.services, cluster, service, port, protocol, clientNode));
    return targets.get(key);
  };
  const flowsOf = (events: ObservedEvent[], pass: boolean): FlowRecord[] => {
    if (pass && options.flows === "failed") {
      for (const { node } of events) builders.get(node)!.skip();
      return [];
    }
    return events.map(({ node, event, timeNs }) => builders.get(node)!.build(event, timeNs));
  };

  const runAttempt = async (attempt: Attempt): Promise<void> => {
    const from = cluster.resolveEndpoint(attempt.from) as PlacedEndpoint;
    const to = cluster.resolveEndpoint(attempt.to);
    let destination: { place: Place; ip: string; port: number };
    if (to.kind === "service") {
      const service = `${to.service.namespace}/${to.service.name}`;
      const clientNode = from.kind === "pod" ? from.pod.nodeName : from.kind === "node" ? from.node.name : undefined;
      const target = targetOf(service, attempt.port ?? 0, attempt.protocol, clientNode);
      if (!target)
        throw new InputError(
          attempt.source.file,
          attempt.fieldLines.to,
          `traffic "${attempt.name}"`,
          "to",
          `Service ${service} has no frontend for ${attempt.protocol} port ${attempt.port} reachable from ${formatEndpoint(attempt.from)}`,
        );
      destination = { place: target.place, ip: target.frontend.address, port: target.frontend.port };
    } else {
      destination = { place: placeOf(to, from, cluster), ip: to.ip, port: attempt.port ?? 0 };
    }
    for (let n = 0; n < attempt.repeat; n++) {
      const icmp = attempt.protocol === "ICMP";
      const observation = await datapath.attempt({
        from: placeOf(from, to.kind === "service" ? undefined : to, cluster),
        to: destination.place,
        sourceIP: from.ip,
        destinationIP: destination.ip,
        protocol: attempt.protocol,
        sourcePort: sourcePort(from.ip, attempt.protocol, icmp ? ICMP_IDS : EPHEMERAL_PORTS),
        destinationPort: destination.port,
      });
      // On a real node it crosses the source's own lo: no program sees it, so Hubble has no flow to show and no policy applies.
      if (observation.completed && observation.events.length === 0 && observation.replyEvents.length === 0) {
        const address = observation.answeredBy ?? destination.ip;
        throw new InputError(
          attempt.source.file,
          attempt.fieldLines.to,
          `traffic "${attempt.name}"`,
          "to",
          `the connection from ${from.ip} to ${address}${to.kind === "service" ? " (the backend bpf_sock chose)" : ""} stays on the source's own loopback, as on a real node: no BPF program sees it and Hubble records no flow, so no policy can change it and there is nothing to check`,
        );
      }
      const request = observe(observation.events, clock);
      const reply = observe(observation.replyEvents, clock + BigInt(request.length) * 1000n);
      const events = [...request, ...reply];
      const outcome = outcomeOf(
        request.map((e) => e.event),
        reply.map((e) => e.event),
        observation.completed,
        controlPlane.current.policies.cookies,
        SOURCE_HOOKS[from.kind],
      );
      // An attempt that reached a service (a service: target, or a NodePort on a node's address) says which backend answered.
      const translated = to.kind === "service" || observation.answeredBy !== destination.ip;
      const answered = translated && outcome.verdict === "FORWARDED" ? observation.answeredBy : undefined;
      const actual = answered ? { ...outcome, backend: peerAt(answered) } : outcome;
      const mismatches = mismatchesOf(attempt.expect, actual);
      items.push({
        kind: "attempt",
        name: attempt.name,
        expected: attempt.expect,
        actual,
        pass: mismatches.length === 0,
        mismatches,
        events,
        flows: flowsOf(events, mismatches.length === 0),
      });
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
        await controlPlane.apply(cluster.apply(item.objects));
        items.push({ kind: "step", step: "apply", detail: item.objects.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name })) });
        break;
      case "delete":
        await controlPlane.apply(cluster.delete(item.refs));
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
    const endpoint = `${packet.at.namespace}/${packet.at.name}`;
    const events: ObservedEvent[] = [];
    let delivered = true;
    for (const frame of framesOf(packet.frames)) {
      const observation = await datapath.inject({ endpoint, direction: packet.direction, frame });
      events.push(...observe(observation.events, clock + BigInt(events.length) * 1000n));
      delivered &&= observation.retval === TcAction.TC_ACTION_OK;
    }
    const actual = outcomeOf(
      events.map((e) => e.event),
      [],
      delivered,
      controlPlane.current.policies.cookies,
    );
    const mismatches = mismatchesOf(packet.expect, actual);
    items.push({
      kind: "packet",
      name: packet.name,
      expected: packet.expect,
      actual,
      pass: mismatches.length === 0,
      mismatches,
      events,
      flows: flowsOf(events, mismatches.length === 0),
    });
    clock += ATTEMPT_NS;
    datapath.advanceClock(ATTEMPT_NS);
  }
  return { passed, failed, ignored: cluster.ignoredKinds, unusedValues: [...scenario.cilium.unused], cluster, controlPlane };
}
