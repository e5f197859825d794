// The per-packet cost of service load balancing with 10, 1,000 and 100,000
// services: bpf_lxc's from-container (socket LB off, so that every packet
// goes through tc translation) on TCP SYNs to ClusterIPs, each service count
// probed with the same seeded sequence of connections spread uniformly over
// all its services. Every probe is a new connection: a service lookup, a
// Maglev slot (which carries the backend), DNAT and conntrack. Reported per packet:
// instructions executed (deterministic: must not grow with the number of
// services) and time (the 100,000 / 10 ratio must stay at or below 1.3).
//
// Beside it, kube-proxy's iptables mode as a cost model of the same probes:
// KUBE-SERVICES holds one rule per service port, walked in order until the
// frontend matches, then KUBE-SVC-* one rule per backend until the random
// draw picks one, then KUBE-SEP-* (mark for masquerade, DNAT). Rules
// evaluated per packet grow with the number of services. Beside the model,
// the same probes through real kube-proxy chains in a network namespace, as
// root (bench/kube-proxy.ts; skipped with the reason elsewhere).
//
// Service IDs (rev_nat_index) are 16 bits, as Cilium's: a node holds at most
// 65,535 frontends. With 100,000 services the benchmark's services past that
// share the Maglev table and reverse NAT entry of the service 65,535 before
// them; the services map still holds every frontend, so each lookup is the
// same lookup in maps as large as the service count makes them.
// Run: npm run bench -- services

import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadObject } from "../emu/loader/object.ts";
import { loadIntoVm, PinnedMaps } from "../emu/vm/object.ts";
import { runSkb } from "../emu/vm/test-run.ts";
import { Vm } from "../emu/vm/vm.ts";
import { encodeLoadBalancer, nodeLoadBalancer, ServiceAllocator, type ServicePort } from "../src/core/services/index.ts";
import { formatIPv4, parseIPv4 } from "../src/core/model/ipv4.ts";
import { buildFrame } from "../src/core/packets/build.ts";
import { SeededRandom } from "../src/util/random.ts";
import { kubeProxyRows } from "./kube-proxy.ts";
import type { BenchmarkReport } from "./report.ts";
import { median } from "./stats.ts";

export const SERVICE_COUNTS = [10, 1_000, 100_000] as const;
const BACKENDS_PER_SERVICE = 2;
const PROBES = 2_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;
/** Independent measurements of every case, each in fresh VMs. */
const REPETITIONS = 3;
/** Probes timed in one go: the cases take turns slice by slice. */
const SLICE = 250;
const SEED = 1;
const CLIENT = "10.244.1.5";
const CALL_IPV4_FROM_CONTAINER = 1;
const TC_ACT_OK = 0;
/** kube-proxy's rules after KUBE-SVC-*: KUBE-SEP-* marks for masquerade, then DNATs. */
const SEP_RULES = 2;

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
/** A conntrack key no probe uses (flags 0xff). */
const u32x4 = (n: number) => Uint8Array.from([...u32(n), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0]);

/** IDs in turn, wrapping past 65,535 (see above). */
class WrappingAllocator extends ServiceAllocator {
  private handedOut = 0;

  override serviceId(): number {
    return (this.handedOut++ % 0xffff) + 1;
  }
}

/** N services, ClusterIPs from 10.96.0.0 on, each with its backends on 10.200.0.0/14. */
function servicePorts(count: number): ServicePort[] {
  const clusterBase = parseIPv4("10.96.0.0")!;
  const backendBase = parseIPv4("10.200.0.0")!;
  return Array.from({ length: count }, (_, i) => ({
    service: `bench/svc-${i}`,
    portName: "",
    frontends: [{ kind: "ClusterIP" as const, address: formatIPv4(clusterBase + 16 + i), port: 80, protocol: "TCP" as const }],
    backends: Array.from({ length: BACKENDS_PER_SERVICE }, (_, b) => ({
      id: 1 + i * BACKENDS_PER_SERVICE + b,
      pod: `bench/svc-${i}-${b}`,
      node: "node-1",
      address: formatIPv4(backendBase + i * BACKENDS_PER_SERVICE + b),
      port: 8080,
      protocol: "TCP" as const,
      terminating: false,
    })),
    affinityTimeout: undefined,
    externalLocal: false,
    internalLocal: false,
  }));
}

/** The seeded connections: which service, from which source port. */
function probes(count: number, rounds: number, spread = count): { service: number; sourcePort: number }[][] {
  const random = new SeededRandom(SEED);
  return Array.from({ length: rounds }, () =>
    Array.from({ length: PROBES }, () => ({ service: random.between(0, spread - 1), sourcePort: random.between(1024, 65535) })),
  );
}

export interface ServiceCountResult {
  services: number;
  /** How many of the services the probes go to (all, but for the locality control). */
  probed: number;
  /** Whether the VM's memory had transparent huge pages, or why not. */
  hugePages: string;
  instructionsPerPacket: number;
  instructionsMin: number;
  instructionsMax: number;
  /** The fastest repetition's median slice. */
  nsPerPacket: number;
  /** Each repetition's median slice, in order. */
  repetitionsNsPerPacket: number[];
  /** The fastest slice: other work on a shared machine only ever adds time. */
  fastestNsPerPacket: number;
  iptablesRulesPerPacket: number;
}

/** bpf_lxc with `count` services in its maps, and the probes' frames; the tables built for it are left to the collector. */
async function loadServices(count: number, rounds: number, spread: number) {
  const ports = servicePorts(count);
  const maps = encodeLoadBalancer(nodeLoadBalancer(ports, "node-1", new WrappingAllocator(SEED), SEED));
  const vm = await Vm.create({ engine: "compiled" });
  const lxc = loadIntoVm(vm, loadObject(readFileSync("bpf/bpf_lxc.o"), "bpf_lxc.o"), {
    pins: new PinnedMaps(),
    variables: { hash_seed: SEED, endpoint_id: 1, endpoint_ipv4: new DataView(Uint8Array.from(CLIENT.split(".").map(Number)).buffer).getUint32(0, true), endpoint_ifindex: 10, endpoint_identity: 1000 },
    maxEntries: {
      eb_lb4_services: Math.max(65536, maps.eb_lb4_services.length),
      eb_lb4_backends: Math.max(65536, maps.eb_lb4_backends.length),
      eb_ct4: 4 * PROBES * rounds,
    },
  });
  lxc.map("eb_calls").update(u32(CALL_IPV4_FROM_CONTAINER), u32(lxc.program("tail_ipv4_from_container").id));
  for (const [name, entries] of Object.entries(maps)) {
    const map = lxc.map(name);
    for (const { key, value } of entries) map.update(key, value);
  }
  // Conntrack gets two entries per probe. Making room for them now keeps the
  // VM from growing its memory while timed: growing copies the whole memory,
  // a cost of the simulator proportional to the maps' size, not the datapath's.
  const conntrack = lxc.map("eb_ct4");
  const room = Array.from({ length: 2 * PROBES * rounds }, (_, i) => u32x4(i));
  for (const key of room) conntrack.update(key, new Uint8Array(48));
  for (const key of room) conntrack.delete(key);
  const frames = probes(count, rounds, spread).map((round) =>
    round.map(({ service, sourcePort }) =>
      buildFrame({ ipv4: { src: CLIENT, dst: ports[service].frontends[0].address }, l4: { protocol: "TCP", sport: sourcePort, dport: 80, flags: "S" } }),
    ),
  );
  return { vm, program: lxc.program("cil_from_container"), events: lxc.map("eb_events"), frames };
}

/**
 * A full collection, then a moment for V8's sweeper threads: setting up
 * 100,000 services leaves hundreds of megabytes of encoded map entries, whose
 * collection (and the marking of a heap that size) must not fall into the
 * timed rounds of one case and not another.
 */
async function collectSetupGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  await sleep(1000);
}

/** A service count, and how many of its services the probes go to (all, but for the locality control). */
export interface ServiceCase {
  count: number;
  spread: number;
}

/** One repetition's figures for one case. */
interface Repetition {
  hugePages: string;
  instructions: number[];
  sliceNs: number[];
}

/**
 * Each case's VM and probes, measured in turn, SLICE probes at a time: a
 * change in the machine's load falls on every case alike, so that their
 * ratios hold. The first WARMUP_ROUNDS rounds let the engine's code reach its
 * optimised tier and count instructions.
 */
async function measureRepetition(cases: readonly ServiceCase[], rounds: number): Promise<Repetition[]> {
  const ctx = new Uint8Array(192);
  const setups: Awaited<ReturnType<typeof loadServices>>[] = [];
  for (const { count, spread } of cases) setups.push(await loadServices(count, WARMUP_ROUNDS + rounds, spread));
  const runs = setups.map(({ vm, program, events }) => (frame: Uint8Array) => {
    const output = runSkb(vm, program, { data: frame, ctx });
    if (output.retval !== TC_ACT_OK) throw new Error(`bpf_lxc returned ${output.retval} for a probe`);
    events.drain();
    return output.executed;
  });
  const instructions = setups.map(({ frames }, k) => frames.slice(0, WARMUP_ROUNDS).flatMap((round) => round.map(runs[k])));
  await collectSetupGarbage();
  const sliceNs: number[][] = setups.map(() => []);
  for (let round = WARMUP_ROUNDS; round < WARMUP_ROUNDS + rounds; round++) {
    for (let first = 0; first < PROBES; first += SLICE) {
      setups.forEach(({ frames }, k) => {
        const slice = frames[round].slice(first, first + SLICE);
        const start = process.hrtime.bigint();
        for (const frame of slice) runs[k](frame);
        sliceNs[k].push(Number(process.hrtime.bigint() - start) / slice.length);
      });
    }
  }
  return setups.map(({ vm }, k) => ({
    hugePages: vm.hugePages.advised ? "advised" : `not advised: ${vm.hugePages.reason}`,
    instructions: instructions[k],
    sliceNs: sliceNs[k],
  }));
}

/**
 * REPETITIONS independent repetitions, each with fresh VMs (the last ones
 * collected first). Within a repetition a case's time is the median of its
 * slices, so that a collection of the JavaScript heap or a burst of load in
 * one slice does not count. Across repetitions the fastest counts: where the
 * machine puts a VM's memory only ever adds time, and it lasts the VM's life
 * (on these shared machines one 100,000-service VM in four or so reads its
 * memory slower throughout), which no median within one VM can see past.
 * Every repetition's time is reported beside it, and the fastest slice.
 */
export async function measureServiceCounts(cases: readonly ServiceCase[], rounds = ROUNDS, repetitions = REPETITIONS): Promise<ServiceCountResult[]> {
  const measured: Repetition[][] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    if (repetition > 0) await collectSetupGarbage();
    measured.push(await measureRepetition(cases, rounds));
  }
  return cases.map(({ count, spread }, k) => {
    const runs = measured.map((repetition) => repetition[k]);
    const instructions = runs.flatMap((run) => run.instructions);
    const repetitionNs = runs.map((run) => median(run.sliceNs));
    return {
      services: count,
      probed: spread,
      hugePages: [...new Set(runs.map((run) => run.hugePages))].join("; "),
      instructionsPerPacket: instructions.reduce((a, b) => a + b, 0) / instructions.length,
      instructionsMin: Math.min(...instructions),
      instructionsMax: Math.max(...instructions),
      nsPerPacket: Math.min(...repetitionNs),
      repetitionsNsPerPacket: repetitionNs,
      fastestNsPerPacket: Math.min(...runs.flatMap((run) => run.sliceNs)),
      iptablesRulesPerPacket: iptablesRules(probes(count, WARMUP_ROUNDS + rounds, spread).flat()),
    };
  });
}

/** One case, one repetition: its instructions, as the tests check them. */
export async function measureServiceCount(count: number, rounds = ROUNDS, spread = count): Promise<ServiceCountResult> {
  return (await measureServiceCounts([{ count, spread }], rounds, 1))[0];
}

/** Mean rules kube-proxy's chains evaluate for the first packet of each probe. */
export function iptablesRules(connections: readonly { service: number; sourcePort: number }[]): number {
  const random = new SeededRandom(SEED);
  let total = 0;
  for (const { service } of connections) {
    // KUBE-SVC-*: rule k matches with probability 1/(n-k), so the backend drawn is uniform.
    const backend = random.between(0, BACKENDS_PER_SERVICE - 1);
    total += service + 1 + (backend + 1) + SEP_RULES;
  }
  return total / connections.length;
}

export async function servicesBenchmark(): Promise<BenchmarkReport> {
  // And a control: the largest maps, probes on 10 services only. What it
  // saves against the full spread is the cost of touching more memory
  // (caches, TLB), not of more lookups.
  const measured = await measureServiceCounts([
    ...SERVICE_COUNTS.map((count) => ({ count, spread: count })),
    { count: SERVICE_COUNTS.at(-1)!, spread: SERVICE_COUNTS[0] },
  ]);
  const results = measured.slice(0, SERVICE_COUNTS.length);
  const control = measured.at(-1)!;
  const first = results[0];
  const last = results.at(-1)!;
  return {
    name: "services",
    results: [
      ...[...results, control].map((r) => ({
        case: `${r.services} services${r.probed === r.services ? "" : `, probes on ${r.probed}`}: bpf_lxc from-container, new connection to a ClusterIP`,
        instructionsPerPacket: r.instructionsPerPacket,
        instructionsMin: r.instructionsMin,
        instructionsMax: r.instructionsMax,
        nsPerPacket: Math.round(r.nsPerPacket),
        repetitionsNsPerPacket: r.repetitionsNsPerPacket.map(Math.round).join(" / "),
        fastestNsPerPacket: Math.round(r.fastestNsPerPacket),
        iptablesRulesPerPacket: r.iptablesRulesPerPacket,
        hugePages: r.hugePages,
      })),
      {
        case: `ratio ${last.services} / ${first.services} services`,
        instructionsPerPacket: last.instructionsPerPacket / first.instructionsPerPacket,
        nsPerPacket: last.nsPerPacket / first.nsPerPacket,
        fastestNsPerPacket: last.fastestNsPerPacket / first.fastestNsPerPacket,
        iptablesRulesPerPacket: last.iptablesRulesPerPacket / first.iptablesRulesPerPacket,
      },
      ...(await kubeProxyRows({ counts: SERVICE_COUNTS, servicePorts, probes: (count) => probes(count, WARMUP_ROUNDS + ROUNDS), client: CLIENT })),
    ],
  };
}
