// kube-proxy's iptables mode on the kernel: the services benchmark's seeded
// connections (the same services, the same source ports) through real
// KUBE-SERVICES / KUBE-SVC-* / KUBE-SEP-* chains, for each service count,
// beside the same path with no rules (the baseline) and with only
// kube-proxy's fixed chains (0 services: conntrack and the nat hooks, no
// service rule). Called by bench/services.ts.
//
// How it measures: one network namespace per case, holding two veth pairs.
// ebbflow-inject (backend-kernel/addon/src/inject.c) writes each probe's TCP
// SYN, a new connection (its own source port), into the first pair's one end
// with an AF_PACKET socket; the other end receives it: IP, netfilter's
// PREROUTING (conntrack, then kube-proxy's nat chains: DNAT to the backend
// they draw), routing, forwarding, POSTROUTING, and out of the sink, the
// second pair's end without ARP (its peer drops the frame, addressed to
// another MAC, before IP). All of it runs in the sending thread (the veth
// hands the frame to the backlog; the softirq runs when send() re-enables
// bottom halves), so the time of a round of sends is the time of the probes'
// whole path. Per packet: a round's time / its probes, the median of the
// timed rounds. The chain cost is that minus the baseline (the same sends,
// no rules: no conntrack, no nat); minus the 0-services row it is the walk
// of the chains alone.
//
// Proof that the chains did the work: with rules, the ClusterIP range is
// routed to a blackhole and only the backend range to the sink, so a round
// counts only when the sink sent every probe (each one DNATed into the
// backends); then every probe's conntrack entry (/proc/net/nf_conntrack of
// the namespace) must show, as its reply source, one of that service's
// backends on its target port, and the reply destination the client itself
// (in-cluster traffic: no masquerade). The backends' spread is reported.
//
// Loading: one `iptables-restore -w` of kube-proxy's rules for all the
// services (backend-kernel/kube-proxy/rules.ts), timed: kube-proxy's set-up
// cost. The namespaces go with the run at the end (on error and on signals
// too), not between cases: tearing a namespace down takes the kernel's time
// in the background, which the next case's measurement would pay.
//
// Per packet, two figures: the median round and the fastest. On a machine
// shared with other work, other processes only ever add time to a round, so
// the two diverge when something else ran.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { kubeProxyRules } from "../backend-kernel/kube-proxy/rules.ts";
import {
  addNamespace,
  inNamespace,
  iptablesVariant,
  kubeProxyUnavailable,
  namespacePath,
  NODE_SYSCTLS,
  restoreRules,
} from "../backend-kernel/kube-proxy/node.ts";
import { KernelRun } from "../backend-kernel/run.ts";
import { ip } from "../backend-kernel/topology.ts";
import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { buildFrame, internetChecksum } from "../src/core/packets/build.ts";
import type { ServicePort } from "../src/core/services/index.ts";
import { median } from "./stats.ts";

const injectPath = fileURLToPath(new URL("../backend-kernel/addon/build/Release/ebbflow-inject", import.meta.url));

/** The cluster's pod CIDR: the client is inside it, so kube-proxy does not masquerade its connections. */
export const CLUSTER_CIDR = "10.244.0.0/16";
const CLUSTER_IP_RANGE = "10.96.0.0/12";
const BACKEND_RANGE = "10.200.0.0/14";
/** buildFrame's destination MAC: the receiving end of the veth takes it as its own. */
const RECEIVER_MAC = "02:00:00:00:00:02";
const SENDER = "inject0";
const RECEIVER = "eth0";
const SINK = "sink0";
const SINK_PEER = "sink1";

export interface Probe {
  service: number;
  sourcePort: number;
}

export interface KubeProxyBenchmarkInput {
  counts: readonly number[];
  servicePorts: (count: number) => ServicePort[];
  /** The seeded connections for `count` services, in rounds: the first warms up, the others are timed. */
  probes: (count: number) => Probe[][];
  client: string;
}

interface CaseResult {
  nsPerPacket: number;
  fastestNsPerPacket: number;
  probes: number;
  rounds: number;
}

/** A TCP SYN from the client to `dst`:80 with both checksums right (conntrack checks the TCP one on the way in). */
function synFrame(client: string, dst: string, sourcePort: number, dport: number): Uint8Array {
  const frame = buildFrame({ ipv4: { src: client, dst }, l4: { protocol: "TCP", sport: sourcePort, dport, flags: "S" } });
  const tcp = frame.subarray(34);
  const pseudo = new Uint8Array(12 + tcp.length);
  pseudo.set(frame.subarray(26, 34), 0);
  pseudo[9] = PROTOCOL_NUMBERS.TCP;
  pseudo[11] = tcp.length;
  pseudo.set(tcp, 12);
  new DataView(frame.buffer).setUint16(50, internetChecksum(pseudo));
  return frame;
}

/** The veth and the sink; where ClusterIPs go is the case's (the sink, or a blackhole when rules must DNAT them). */
async function wire(netns: string, clusterIPs: "sink" | "blackhole"): Promise<void> {
  await ip(netns, [
    "link set lo up",
    `link add ${SENDER} type veth peer name ${RECEIVER}`,
    `link set ${RECEIVER} address ${RECEIVER_MAC}`,
    `link set ${SENDER} up`,
    `link set ${RECEIVER} up`,
    `addr add 192.168.0.1/24 dev ${RECEIVER}`,
    `link add ${SINK} type veth peer name ${SINK_PEER}`,
    `link set ${SINK} arp off`,
    `link set ${SINK} up`,
    `link set ${SINK_PEER} up`,
    `route add ${BACKEND_RANGE} dev ${SINK}`,
    clusterIPs === "sink" ? `route add ${CLUSTER_IP_RANGE} dev ${SINK}` : `route add blackhole ${CLUSTER_IP_RANGE}`,
  ]);
}

/** Sends the rounds of frames through the namespace; every round must reach the sink whole. */
function inject(netns: string, rounds: Uint8Array[][]): Promise<CaseResult> {
  const perRound = rounds[0].length;
  const frameLength = rounds[0][0].length;
  return new Promise((resolve, reject) => {
    const child = spawn(injectPath, [namespacePath(netns), SENDER, SINK, String(frameLength), String(perRound)], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`ebbflow-inject in ${netns} exited ${code}: ${stderr.trim()}`));
      const lines = stdout.trim().split("\n");
      const measured = lines.filter((line) => line.startsWith("round ")).map((line) => line.split(" ").map(Number));
      if (lines.at(-1) !== "done" || measured.length !== rounds.length)
        return reject(new Error(`ebbflow-inject in ${netns}: unexpected output ${JSON.stringify(stdout)}`));
      const short = measured.findIndex(([, , delivered]) => delivered !== perRound);
      if (short >= 0)
        return reject(
          new Error(`${netns}: round ${short}: the sink sent ${measured[short][2]} of ${perRound} probes (the others were not DNATed to a backend)`),
        );
      // Round 0 warms up; the median of the others, so that one disturbed round does not count.
      const timed = measured.slice(1).map(([, ns]) => ns / perRound);
      resolve({ nsPerPacket: median(timed), fastestNsPerPacket: Math.min(...timed), probes: perRound, rounds: timed.length });
    });
    for (const round of rounds) for (const frame of round) child.stdin.write(frame);
    child.stdin.end();
  });
}

interface ConntrackEntry {
  replySource: string;
  replySourcePort: number;
  replyDestination: string;
}

/** The namespace's conntrack entries of TCP to port 80, keyed "ORIGINAL_DST:SPORT". */
async function conntrack(netns: string): Promise<Map<string, ConntrackEntry>> {
  const table = await inNamespace(netns, "cat", ["/proc/net/nf_conntrack"]);
  const entries = new Map<string, ConntrackEntry>();
  for (const line of table.split("\n")) {
    const fields = [...line.matchAll(/(src|dst|sport|dport)=(\S+)/g)].map((m) => m[2]);
    if (!line.includes(" tcp ") || fields.length < 8) continue;
    const [, dst, sport, dport, replySrc, replyDst, replySport] = fields;
    if (dport !== "80") continue;
    entries.set(`${dst}:${sport}`, { replySource: replySrc, replySourcePort: Number(replySport), replyDestination: replyDst });
  }
  return entries;
}

/** Every probe's connection was DNATed to one of its service's backends; returns the share of probes on each service's first backend. */
function checkDnat(netns: string, ports: readonly ServicePort[], probes: readonly Probe[], client: string, entries: Map<string, ConntrackEntry>): number {
  let onFirst = 0;
  let distinct = 0;
  const seen = new Set<string>();
  for (const { service, sourcePort } of probes) {
    const frontend = ports[service].frontends[0];
    const key = `${frontend.address}:${sourcePort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    distinct++;
    const entry = entries.get(key);
    if (!entry) throw new Error(`${netns}: no conntrack entry for the probe ${client}:${sourcePort} -> ${key.replace(/:\d+$/, ":80")}`);
    const backend = ports[service].backends.findIndex((b) => b.address === entry.replySource && b.port === entry.replySourcePort);
    if (backend < 0)
      throw new Error(
        `${netns}: ${ports[service].service}: the probe from port ${sourcePort} went to ${entry.replySource}:${entry.replySourcePort}, not one of its backends`,
      );
    if (entry.replyDestination !== client) throw new Error(`${netns}: the probe from port ${sourcePort} was masqueraded to ${entry.replyDestination}`);
    if (backend === 0) onFirst++;
  }
  return onFirst / distinct;
}

function framesOf(rounds: Probe[][], ports: readonly ServicePort[], client: string): Uint8Array[][] {
  return rounds.map((round) =>
    round.map(({ service, sourcePort }) => synFrame(client, ports[service].frontends[0].address, sourcePort, ports[service].frontends[0].port)),
  );
}

/** The rows of the real-iptables side: the baseline, kube-proxy's fixed chains, then each service count. */
export async function kubeProxyRows(input: KubeProxyBenchmarkInput): Promise<Record<string, string | number>[]> {
  const unavailable =
    kubeProxyUnavailable() ?? (existsSync(injectPath) ? undefined : `ebbflow-inject is not built (${injectPath}): run \`npm run build:kernel\``);
  if (unavailable) {
    return ["baseline, no rules", "0 services", ...input.counts.map((count) => `${count} services`)].map((what) => ({
      case: `${what}: kube-proxy iptables, real chains in a namespace`,
      skipped: unavailable,
    }));
  }
  const variant = iptablesVariant();
  const label = (what: string) => `${what}: kube-proxy iptables ${variant}, real chains in a namespace, new connection to a ClusterIP`;

  const rows: Record<string, string | number>[] = [];
  const run = new KernelRun();
  try {
    // The baseline and the fixed chains carry the probes of the smallest count, to ClusterIPs routed straight to the sink.
    const smallest = input.counts[0];
    const smallPorts = input.servicePorts(smallest);
    const smallProbes = input.probes(smallest);
    const baseline = await addNamespace(run, "kp-base", NODE_SYSCTLS);
    await wire(baseline, "sink");
    const base = await inject(baseline, framesOf(smallProbes, smallPorts, input.client));
    rows.push({
      case: label("baseline, no rules"),
      nsPerPacket: Math.round(base.nsPerPacket),
      fastestNsPerPacket: Math.round(base.fastestNsPerPacket),
      probes: base.probes,
      rounds: base.rounds,
    });

    const fixed = await addNamespace(run, "kp-0", NODE_SYSCTLS);
    await wire(fixed, "sink");
    const fixedRules = kubeProxyRules([], { clusterCIDR: CLUSTER_CIDR });
    const fixedMs = await restoreRules(fixed, fixedRules.restoreInput);
    const fixedResult = await inject(fixed, framesOf(smallProbes, smallPorts, input.client));
    rows.push({
      case: label("0 services (kube-proxy's fixed chains, conntrack)"),
      nsPerPacket: Math.round(fixedResult.nsPerPacket),
      fastestNsPerPacket: Math.round(fixedResult.fastestNsPerPacket),
      overBaselineNs: Math.round(fixedResult.nsPerPacket - base.nsPerPacket),
      natRules: fixedRules.natRules,
      restoreMs: Math.round(fixedMs),
    });

    const measured: { count: number; ns: number; fastest: number }[] = [];
    for (const count of input.counts) {
      const ports = input.servicePorts(count);
      const generateStart = performance.now();
      const rules = kubeProxyRules(ports, { clusterCIDR: CLUSTER_CIDR });
      const generateMs = performance.now() - generateStart;
      const netns = await addNamespace(run, `kp-${count}`, NODE_SYSCTLS);
      await wire(netns, "blackhole");
      const restoreMs = await restoreRules(netns, rules.restoreInput);
      const rounds = input.probes(count);
      const result = await inject(netns, framesOf(rounds, ports, input.client));
      const onFirstBackend = checkDnat(netns, ports, rounds.flat(), input.client, await conntrack(netns));
      measured.push({ count, ns: result.nsPerPacket, fastest: result.fastestNsPerPacket });
      rows.push({
        case: label(`${count} services`),
        nsPerPacket: Math.round(result.nsPerPacket),
        fastestNsPerPacket: Math.round(result.fastestNsPerPacket),
        overBaselineNs: Math.round(result.nsPerPacket - base.nsPerPacket),
        natRules: rules.natRules,
        natChains: rules.natChains,
        generateMs: Math.round(generateMs),
        restoreMs: Math.round(restoreMs),
        onFirstBackend: Number(onFirstBackend.toFixed(3)),
      });
    }
    const first = measured[0];
    const last = measured.at(-1)!;
    rows.push({
      case: `ratio ${last.count} / ${first.count} services: kube-proxy iptables, real chains`,
      nsPerPacket: last.ns / first.ns,
      fastestNsPerPacket: last.fastest / first.fastest,
    });
  } finally {
    run.close();
  }
  return rows;
}
