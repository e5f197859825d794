// The per-packet cost of service load balancing with 10, 1,000 and 100,000
// services: bpf_lxc's from-container (socket LB off, so that every packet
// goes through tc translation) on TCP SYNs to ClusterIPs, each service count
// probed with the same seeded sequence of connections spread uniformly over
// all its services. Every probe is a new connection: a service lookup, a
// Maglev slot (which carries the backend), DNAT and conntrack. Reported per packet:
// instructions executed (deterministic: must not grow with the number of
// services) and time (the 100,000 / 10 ratio must stay at or below 1.3).
// The ratio is taken within each repetition, whose cases ran interleaved,
// and the median of the repetitions' ratios is reported, with each of them.
//
// On a virtual machine whose kernel reports free pages to its host, each new
// VM's memory is backed anew by the host, and some VMs read their maps
// several times slower for their whole life: as root, the benchmark turns
// reporting off for its run and sets it back after (bench/page-reporting.ts).
// The report's first row says what it found and did.
//
// Beside the VM, as root, the same object, maps and probes in the kernel,
// each probe a BPF_PROG_TEST_RUN of its own, in the same repetitions: the
// extra nanoseconds 100,000 services cost there are what this machine's
// memory makes of the same lookups. (A test run of one packet carries a
// fixed cost of several microseconds in the kernel's own measure, against a
// few hundred nanoseconds per run when one run repeats a packet, so the
// kernel's ratio is not comparable with the VM's: its extra time is.)
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

import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { KernelObjects } from "../backend-kernel/kernel-objects.ts";
import { type KernelObject, kernelBackendUnavailable } from "../backend-kernel/libbpf.ts";
import { VmObjects } from "../backend-wasm/vm-objects.ts";
import { PinnedMaps } from "../emu/vm/object.ts";
import { runSkb } from "../emu/vm/test-run.ts";
import { Vm } from "../emu/vm/vm.ts";
import { loadEndpoint } from "../src/core/datapath/endpoint-loader.ts";
import { encodeLoadBalancer, nodeLoadBalancer, ServiceAllocator, type ServicePort } from "../src/core/services/index.ts";
import { ctEntry, ctKey } from "../src/abi/conntrack.ts";
import { SkBuffLayout, TcAction } from "../src/abi/generated.ts";
import { formatIPv4, type IPv4Prefix, parseIPv4, prefixHolds, readIPv4, requireIPv4 } from "../src/util/ipv4.ts";
import { buildFrame } from "../src/core/packets/build.ts";
import { SeededRandom } from "../src/util/random.ts";
import { TemporaryBpffs } from "./bpffs.ts";
import { kubeProxyRows } from "./kube-proxy.ts";
import { holdFreePageReportingOff } from "./page-reporting.ts";
import type { BenchmarkReport } from "./report.ts";
import { median } from "./stats.ts";

export const SERVICE_COUNTS = [10, 1_000, 100_000] as const;
const BACKENDS_PER_SERVICE = 2;
const PROBES = 2_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;
/** Independent measurements of every case, each in fresh VMs. */
const REPETITIONS = 5;
/** Probes timed in one go: the cases take turns slice by slice. */
const SLICE = 250;
const SEED = 1;
const CLIENT = "10.244.1.5";
/** Where the benchmark's backends are (see servicePorts). */
const BACKEND_PREFIX: IPv4Prefix = { address: requireIPv4("10.200.0.0"), length: 14 };
/** kube-proxy's rules after KUBE-SVC-*: KUBE-SEP-* marks for masquerade, then DNATs. */
const SEP_RULES = 2;

/** A conntrack key no probe uses (flags 0xff). */
const unusedConntrackKey = (n: number) =>
  ctKey.encode({ destinationAddress: n, sourceAddress: 0, destinationPort: 0, sourcePort: 0, protocol: 0, flags: 0xff });

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
  return Array.from({ length: count }, (_, i) => ({
    service: `bench/svc-${i}`,
    portName: "",
    frontends: [{ kind: "ClusterIP" as const, address: formatIPv4(clusterBase + 16 + i), port: 80, protocol: "TCP" as const }],
    backends: Array.from({ length: BACKENDS_PER_SERVICE }, (_, b) => ({
      id: 1 + i * BACKENDS_PER_SERVICE + b,
      pod: `bench/svc-${i}-${b}`,
      node: "node-1",
      address: formatIPv4(BACKEND_PREFIX.address + i * BACKENDS_PER_SERVICE + b),
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

/** One case's datapath, loaded with its services, and the probes' frames. */
interface Side {
  frames: Uint8Array[][];
  /** Runs one probe; the instructions it executed, where they are counted. */
  run(frame: Uint8Array): number | undefined;
  /** Runs a slice of probes: nanoseconds per probe. */
  timeSlice(frames: readonly Uint8Array[]): number;
  /** Whether the datapath's memory had transparent huge pages, or why not. */
  hugePages: string;
  close(): void;
}

/** The services' map entries, the maps' sizes and the probes' frames of a case. */
function caseInput(count: number, rounds: number, spread: number) {
  const ports = servicePorts(count);
  const maps = encodeLoadBalancer(nodeLoadBalancer(ports, "node-1", new WrappingAllocator(SEED), SEED));
  const maxEntries = {
    eb_lb4_services: Math.max(65536, maps.eb_lb4_services.length),
    eb_lb4_backends: Math.max(65536, maps.eb_lb4_backends.length),
    eb_ct4: 4 * PROBES * rounds,
  };
  const frames = probes(count, rounds, spread).map((round) =>
    round.map(({ service, sourcePort }) =>
      buildFrame({ ipv4: { src: CLIENT, dst: ports[service].frontends[0].address }, l4: { protocol: "TCP", sport: sourcePort, dport: 80, flags: "S" } }),
    ),
  );
  return { maps, maxEntries, frames };
}

/** The client's endpoint, enforcing no policy, on a node whose hash seed is the benchmark's. */
const CLIENT_ENDPOINT = {
  node: { loadBalancer: { hashSeed: SEED, dsr: false } },
  endpoint: { endpointId: 1, ip: CLIENT, ifindex: 10, identity: 1000, ingressEnforced: false, egressEnforced: false },
};

/** IPv4's destination address in a frame. */
const DESTINATION = 14 + 16;

/** That the probe passed, DNATed to a backend (10.200.0.0/14). */
function checkProbe(side: string, retval: number, frame: Uint8Array): void {
  if (retval !== TcAction.TC_ACTION_OK) throw new Error(`bpf_lxc returned ${retval} for a probe (${side})`);
  const destination = readIPv4(frame, DESTINATION);
  if (!prefixHolds(BACKEND_PREFIX, destination)) throw new Error(`bpf_lxc sent a probe to ${formatIPv4(destination)}, not to a backend (${side})`);
}

/** bpf_lxc in a VM with `count` services in its maps; the tables built for it are left to the collector. */
async function vmSide(count: number, rounds: number, spread: number): Promise<Side> {
  const { maps, maxEntries, frames } = caseInput(count, rounds, spread);
  const vm = await Vm.create({ engine: "compiled" });
  const lxc = loadEndpoint(new VmObjects(vm, new PinnedMaps()), { ...CLIENT_ENDPOINT, maxEntries });
  for (const [name, entries] of Object.entries(maps)) {
    const map = lxc.map(name);
    for (const { key, value } of entries) map.update(key, value);
  }
  // Conntrack gets two entries per probe. Making room for them now keeps the
  // VM from growing its memory while timed: growing copies the whole memory,
  // a cost of the simulator proportional to the maps' size, not the datapath's.
  const conntrack = lxc.map("eb_ct4");
  const room = Array.from({ length: 2 * PROBES * rounds }, (_, i) => unusedConntrackKey(i));
  const emptyEntry = new Uint8Array(ctEntry.size);
  for (const key of room) conntrack.update(key, emptyEntry);
  for (const key of room) conntrack.delete(key);
  const program = lxc.program("cil_from_container");
  const events = lxc.map("eb_events");
  const ctx = new Uint8Array(SkBuffLayout.size);
  const run = (frame: Uint8Array) => {
    const output = runSkb(vm, program, { data: frame, ctx });
    checkProbe("VM", output.retval, output.data);
    events.drain();
    return output.executed;
  };
  return {
    frames,
    run,
    timeSlice(slice) {
      const start = process.hrtime.bigint();
      for (const frame of slice) run(frame);
      return Number(process.hrtime.bigint() - start) / slice.length;
    },
    hugePages: vm.hugePages.advised ? "advised" : `not advised: ${vm.hugePages.reason}`,
    close() {},
  };
}

/**
 * The same object, maps and probes in the kernel, each probe one
 * BPF_PROG_TEST_RUN: its time is the kernel's own measure of the program's
 * run, without the system call. Maps are pinned in a bpffs of the case's
 * own, so that no two cases share one.
 */
function kernelSide(count: number, rounds: number, spread: number): Side {
  const { maps, maxEntries, frames } = caseInput(count, rounds, spread);
  const pins = new TemporaryBpffs();
  let kernel: KernelObject | undefined;
  const close = () => {
    kernel?.close();
    pins.remove();
  };
  try {
    kernel = loadEndpoint(new KernelObjects({ pinRoot: pins.path }), { ...CLIENT_ENDPOINT, maxEntries });
    for (const [name, entries] of Object.entries(maps)) {
      const map = kernel.map(name);
      for (const { key, value } of entries) map.update(key, value);
    }
  } catch (error) {
    close();
    throw error;
  }
  const program = kernel.program("cil_from_container");
  const events = kernel.map("eb_events");
  /** The program's time in the kernel's own measure. */
  const timedRun = (frame: Uint8Array) => {
    const output = program.testRun({ data: frame, dataOutCapacity: frame.length + 64 });
    checkProbe("kernel", output.retval, output.data);
    events.drainRingbuf();
    return output.durationNs;
  };
  return {
    frames,
    run(frame) {
      timedRun(frame);
      return undefined;
    },
    timeSlice(slice) {
      let total = 0;
      for (const frame of slice) total += timedRun(frame);
      return total / slice.length;
    },
    hugePages: "the kernel's own memory",
    close,
  };
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

/** A service count, how many of its services the probes go to (all, but for the locality control), and where it runs. */
export interface ServiceCase {
  count: number;
  spread: number;
  datapath: "vm" | "kernel";
}

/** One repetition's figures for one case. */
interface Repetition {
  hugePages: string;
  instructions: number[];
  sliceNs: number[];
}

/**
 * Each case's datapath and probes, measured in turn, SLICE probes at a time:
 * a change in the machine's load falls on every case alike, so that their
 * ratios within a repetition hold. The first WARMUP_ROUNDS rounds let the
 * engine's code reach its optimised tier and count instructions.
 */
async function measureRepetition(cases: readonly ServiceCase[], rounds: number): Promise<Repetition[]> {
  const sides: Side[] = [];
  try {
    for (const { count, spread, datapath } of cases) {
      sides.push(datapath === "vm" ? await vmSide(count, WARMUP_ROUNDS + rounds, spread) : kernelSide(count, WARMUP_ROUNDS + rounds, spread));
    }
    const instructions = sides.map(({ frames, run }) =>
      frames
        .slice(0, WARMUP_ROUNDS)
        .flatMap((round) => round.map(run))
        .filter((n) => n !== undefined),
    );
    await collectSetupGarbage();
    const sliceNs: number[][] = sides.map(() => []);
    for (let round = WARMUP_ROUNDS; round < WARMUP_ROUNDS + rounds; round++) {
      for (let first = 0; first < PROBES; first += SLICE) {
        sides.forEach((side, k) => sliceNs[k].push(side.timeSlice(side.frames[round].slice(first, first + SLICE))));
      }
    }
    return sides.map((side, k) => ({ hugePages: side.hugePages, instructions: instructions[k], sliceNs: sliceNs[k] }));
  } finally {
    for (const side of sides) side.close();
  }
}

export interface ServiceCountResult {
  services: number;
  /** How many of the services the probes go to (all, but for the locality control). */
  probed: number;
  datapath: "vm" | "kernel";
  /** Whether the memory had transparent huge pages, or why not. */
  hugePages: string;
  /** Instructions per packet (VM only: the kernel does not count them). */
  instructionsPerPacket: number;
  instructionsMin: number;
  instructionsMax: number;
  /** The median of the repetitions' times. */
  nsPerPacket: number;
  /** Each repetition's time: the median of its slices. */
  repetitionsNsPerPacket: number[];
  /** The fastest slice: other work on a shared machine only ever adds time. */
  fastestNsPerPacket: number;
  iptablesRulesPerPacket: number;
}

/**
 * REPETITIONS independent repetitions, each with fresh datapaths (the last
 * ones collected first). Within a repetition a case's time is the median of
 * its slices, so that a collection of the JavaScript heap or a burst of load
 * in one slice does not count. Ratios between cases are taken within a
 * repetition, whose cases ran interleaved: the machine's speed changes from
 * one repetition to the next (on these shared machines by half), and a ratio
 * of times from different repetitions would measure that.
 */
export async function measureServiceCounts(cases: readonly ServiceCase[], rounds = ROUNDS, repetitions = REPETITIONS): Promise<ServiceCountResult[]> {
  const measured: Repetition[][] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    if (repetition > 0) await collectSetupGarbage();
    measured.push(await measureRepetition(cases, rounds));
  }
  return cases.map(({ count, spread, datapath }, k) => {
    const runs = measured.map((repetition) => repetition[k]);
    const instructions = runs.flatMap((run) => run.instructions);
    const repetitionNs = runs.map((run) => median(run.sliceNs));
    return {
      services: count,
      probed: spread,
      datapath,
      hugePages: [...new Set(runs.map((run) => run.hugePages))].join("; "),
      instructionsPerPacket: instructions.reduce((a, b) => a + b, 0) / instructions.length,
      instructionsMin: Math.min(...instructions),
      instructionsMax: Math.max(...instructions),
      nsPerPacket: median(repetitionNs),
      repetitionsNsPerPacket: repetitionNs,
      fastestNsPerPacket: Math.min(...runs.flatMap((run) => run.sliceNs)),
      iptablesRulesPerPacket: iptablesRules(probes(count, WARMUP_ROUNDS + rounds, spread).flat()),
    };
  });
}

/** The ratio of two cases measured together: each repetition's, and their median. */
export function pairedRatio(of: ServiceCountResult, to: ServiceCountResult): { ratio: number; repetitions: number[] } {
  const repetitions = of.repetitionsNsPerPacket.map((ns, i) => ns / to.repetitionsNsPerPacket[i]);
  return { ratio: median(repetitions), repetitions };
}

/** One case, one repetition: its instructions, as the tests check them. */
export async function measureServiceCount(count: number, rounds = ROUNDS, spread = count): Promise<ServiceCountResult> {
  return (await measureServiceCounts([{ count, spread, datapath: "vm" }], rounds, 1))[0];
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

function caseRow(r: ServiceCountResult, label: string): Record<string, string | number> {
  const counted = r.datapath === "vm";
  return {
    case: `${r.services} services${r.probed === r.services ? "" : `, probes on ${r.probed}`}: ${label}`,
    ...(counted ? { instructionsPerPacket: r.instructionsPerPacket, instructionsMin: r.instructionsMin, instructionsMax: r.instructionsMax } : {}),
    nsPerPacket: Math.round(r.nsPerPacket),
    repetitionsNsPerPacket: r.repetitionsNsPerPacket.map(Math.round).join(" / "),
    fastestNsPerPacket: Math.round(r.fastestNsPerPacket),
    ...(counted ? { iptablesRulesPerPacket: r.iptablesRulesPerPacket } : {}),
    hugePages: r.hugePages,
  };
}

/** A row of figures per case, then the ratio of the largest count to the smallest, per repetition paired. */
function rows(results: readonly ServiceCountResult[], label: string): Record<string, string | number>[] {
  const first = results[0];
  const last = results.at(-1)!;
  const { ratio, repetitions } = pairedRatio(last, first);
  const counted = last.datapath === "vm";
  return [
    ...results.map((r) => caseRow(r, label)),
    {
      case: `ratio ${last.services} / ${first.services} services: ${label}`,
      ...(counted ? { instructionsPerPacket: last.instructionsPerPacket / first.instructionsPerPacket } : {}),
      nsPerPacket: ratio,
      repetitionsNsPerPacket: repetitions.map((r) => r.toFixed(3)).join(" / "),
      extraNsPerPacket: Math.round(median(last.repetitionsNsPerPacket.map((ns, i) => ns - first.repetitionsNsPerPacket[i]))),
      fastestNsPerPacket: last.fastestNsPerPacket / first.fastestNsPerPacket,
      ...(counted ? { iptablesRulesPerPacket: last.iptablesRulesPerPacket / first.iptablesRulesPerPacket } : {}),
    },
  ];
}

export async function servicesBenchmark(): Promise<BenchmarkReport> {
  // Beside the counts, a control: the largest maps, probes on 10 services
  // only. What it saves against the full spread is the cost of touching more
  // memory (caches, TLB), not of more lookups. And, as root, the same object,
  // maps and probes in the kernel, measured in the same repetitions: what the
  // machine's memory makes of the same lookups.
  const reporting = holdFreePageReportingOff();
  console.error(`services: free page reporting to the host: ${reporting.change}`);
  try {
    const unavailable = kernelBackendUnavailable();
    const vm = SERVICE_COUNTS.map((count) => ({ count, spread: count, datapath: "vm" as const }));
    const control = { count: SERVICE_COUNTS.at(-1)!, spread: SERVICE_COUNTS[0], datapath: "vm" as const };
    const kernel = unavailable ? [] : SERVICE_COUNTS.map((count) => ({ count, spread: count, datapath: "kernel" as const }));
    const measured = await measureServiceCounts([...vm, control, ...kernel]);
    const label = "bpf_lxc from-container, new connection to a ClusterIP";
    const kernelLabel = `${label}, in the kernel (BPF_PROG_TEST_RUN)`;
    return {
      name: "services",
      results: [
        { case: "this machine's free page reporting to its host", freePageReporting: reporting.change },
        ...rows(measured.slice(0, vm.length), label),
        caseRow(measured[vm.length], label),
        ...(unavailable ? [{ case: kernelLabel, skipped: unavailable }] : rows(measured.slice(vm.length + 1), kernelLabel)),
        ...(await kubeProxyRows({ counts: SERVICE_COUNTS, servicePorts, probes: (count) => probes(count, WARMUP_ROUNDS + ROUNDS), client: CLIENT })),
      ],
    };
  } finally {
    reporting.restore();
  }
}
