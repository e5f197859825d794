// How much memory replaying a parsed scenario will take, before any of it is
// loaded, so that `scenario run --max-memory` refuses a scenario too large
// for the machine instead of Node running out of memory in its middle.
//
// The costs are peak resident memory (/usr/bin/time -f %M of
// `node bin/ebbflow.js scenario run FILE`), per item, from generated
// clusters (bench/scale/cluster.ts), measured when copies of an object came
// to share one instance in the VM (issue 19):
//   BASE_BYTES       a one-pod scenario (scenarios/seed-default-deny-all.yaml): 101 MB
//   POD_BYTES, POLICY_RULE_BYTES, SERVICE_PORT_BYTES
//                    1,000 pods / 100 policies / 500 Services: 282 MB; 10,000 / 1,000 / 5,000:
//                    1,054 MB; the 772 MB between shared as 64 KB a pod (its endpoint's
//                    maps and programs, its ipcache entry on every node), 64 KB a policy
//                    rule and 80 KB a Service port (its entries in every node's maps), so
//                    that the larger cluster is over-estimated by 15%
//   NODE_BYTES       100 pods on 40 nodes against 10 nodes: +17 MB / 30 nodes
//   ATTEMPT_BYTES    100,000 against 16,000 attempts at 100 pods: 1,380 - 358 MB over 84,000
//                    (most of it the YAML parser's document of the traffic)
//   FRAME_BYTE_BYTES a `packets:` frame is held as its text, its bytes and the copies its events
//                    keep: counted 16 times (derived, not measured)
// Re-measure them with `npm run bench -- scale` when the control plane or
// the wasm backend changes what a pod costs.

import type { ManifestObject } from "../model/index.ts";
import type { Scenario } from "./types.ts";

const KIB = 1024;
const MIB = 1024 * KIB;
const BASE_BYTES = 100 * MIB;
const POD_BYTES = 64 * KIB;
const NODE_BYTES = 600 * KIB;
const POLICY_RULE_BYTES = 64 * KIB;
const SERVICE_PORT_BYTES = 80 * KIB;
const ATTEMPT_BYTES = 12 * KIB;
const FRAME_BYTE_BYTES = 16;

export interface ScenarioEstimate {
  /** Peak resident memory the replay is expected to take. */
  readonly bytes: number;
  readonly pods: number;
  readonly policyRules: number;
  readonly servicePorts: number;
  readonly nodes: number;
  readonly attempts: number;
  readonly frameBytes: number;
}

const lengthOf = (value: unknown): number => (Array.isArray(value) ? value.length : 0);

/** A policy's rules: its ingress, egress and deny sections (a CiliumNetworkPolicy's `specs` each), at least one. */
function policyRules(body: Readonly<Record<string, unknown>>): number {
  const sections = (spec: unknown): number => {
    const fields = (spec ?? {}) as Record<string, unknown>;
    return lengthOf(fields.ingress) + lengthOf(fields.egress) + lengthOf(fields.ingressDeny) + lengthOf(fields.egressDeny);
  };
  const specs = Array.isArray(body.specs) ? body.specs : [];
  return Math.max(1, sections(body.spec) + specs.reduce((sum: number, spec) => sum + sections(spec), 0));
}

function objectCounts(objects: readonly ManifestObject[]): { pods: number; policyRules: number; servicePorts: number } {
  const counts = { pods: 0, policyRules: 0, servicePorts: 0 };
  for (const object of objects) {
    if (object.kind === "Pod") counts.pods++;
    else if (object.kind === "Deployment" || object.kind === "StatefulSet") counts.pods += object.replicas;
    else if (object.kind === "Service") counts.servicePorts += Math.max(1, lengthOf((object.body.spec as Record<string, unknown> | undefined)?.ports));
    else if (object.kind === "NetworkPolicy" || object.kind === "CiliumNetworkPolicy" || object.kind === "CiliumClusterwideNetworkPolicy") {
      counts.policyRules += policyRules(object.body);
    }
  }
  return counts;
}

/** The estimate of a parsed scenario: its objects and those its `apply` steps add, its nodes, attempts (with `repeat`) and packet bytes. */
export function estimateScenario(scenario: Scenario): ScenarioEstimate {
  const applied = scenario.traffic.flatMap((item) => (item.kind === "apply" ? item.objects : []));
  const { pods, policyRules, servicePorts } = objectCounts([...scenario.objects, ...applied]);
  const nodes = scenario.nodes.length;
  const attempts = scenario.traffic.reduce((sum, item) => sum + (item.kind === "attempt" ? item.repeat : 0), 0) + scenario.packets.length;
  const frameBytes = scenario.packets.reduce((sum, packet) => sum + frameBytesOf(packet.frames), 0);
  const bytes =
    BASE_BYTES +
    pods * POD_BYTES +
    nodes * NODE_BYTES +
    policyRules * POLICY_RULE_BYTES +
    servicePorts * SERVICE_PORT_BYTES +
    attempts * ATTEMPT_BYTES +
    frameBytes * FRAME_BYTE_BYTES;
  return { bytes, pods, policyRules, servicePorts, nodes, attempts, frameBytes };
}

/** The bytes of a packet's frames; a frame built from headers is a few dozen, not counted. */
function frameBytesOf(frames: Scenario["packets"][number]["frames"]): number {
  if (frames.kind === "hex") return frames.bytes.byteLength;
  if (frames.kind === "pcap") return frames.frames.reduce((sum, frame) => sum + frame.byteLength, 0);
  return 0;
}
