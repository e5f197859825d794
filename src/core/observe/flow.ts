// A datapath event as a Hubble flow: the `GetFlowsResponse` that
// `hubble observe -o json` prints, field for field. Hubble builds it in
// cilium/cilium pkg/hubble/parser/threefour/parser.go; the JSON is protojson
// with proto field names (api/v1/observer/observer.pb.json.go), so keys come
// in flow.proto's declaration order, enums are names, and fields holding
// zero, "" or false are left out. Types below list only what this datapath
// fills in, in that order.

import { DROP_REASONS, hubbleTraceReason, MessageType, OBSERVATION_POINTS, TRACE_REASON_NAMES, type TrafficDirectionName, type VerdictName } from "./enums.ts";
import type { DatapathEvent } from "./event.ts";
import { parseFrame } from "./frame.ts";
import type { Layer4 } from "./layer4.ts";
import type { FlowResolver, PolicyDetails, Workload } from "./resolver.ts";
import { formatRfc3339 } from "./time.ts";
import { flowUuid } from "./uuid.ts";

export interface FlowEndpoint {
  ID?: number;
  identity?: number;
  cluster_name?: string;
  namespace?: string;
  labels?: string[];
  pod_name?: string;
  workloads?: Workload[];
}

export interface FlowPolicy {
  name?: string;
  namespace?: string;
  labels?: string[];
  /** uint64: protojson writes it as a string. */
  revision?: string;
  kind?: string;
}

export interface Flow {
  time: string;
  uuid: string;
  verdict: VerdictName;
  drop_reason?: number;
  ethernet?: { source: string; destination: string };
  /**
   * Always present, `{}` when the frame held no IP header: the scenario
   * result schema requires it (Hubble itself would leave it out).
   */
  IP: { source?: string; destination?: string; ipVersion?: "IPv4" | "IPv6" };
  l4?: Layer4;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  Type: "L3_L4";
  node_name: string;
  /** Deprecated twin of is_reply; present only when true. */
  reply?: boolean;
  event_type: { type: number; sub_type?: number };
  traffic_direction?: TrafficDirectionName;
  policy_match_type?: number;
  trace_observation_point?: string;
  trace_reason?: (typeof TRACE_REASON_NAMES)[number];
  drop_reason_desc?: string;
  /** Absent when unknown (drops, denied policy verdicts, traces without conntrack). */
  is_reply?: boolean;
  interface?: { index: number; name?: string };
  Summary?: string;
  egress_allowed_by?: FlowPolicy[];
  ingress_allowed_by?: FlowPolicy[];
  egress_denied_by?: FlowPolicy[];
  ingress_denied_by?: FlowPolicy[];
}

/** One line of `hubble observe -o json`. */
export interface FlowRecord {
  flow: Flow;
  node_name: string;
  time: string;
}

export interface FlowBuilderOptions {
  /** Hubble's node_name: `<cluster>/<node>`. */
  nodeName: string;
  /** Seed of the flow UUIDs. */
  seed: number;
  resolver: FlowResolver;
}

/** Removes keys holding undefined, keeping the order of the others. */
function defined<T extends object>(fields: T): T {
  for (const key of Object.keys(fields) as (keyof T)[]) if (fields[key] === undefined) delete fields[key];
  return fields;
}

const nonZero = (value: number): number | undefined => (value === 0 ? undefined : value);
const nonEmpty = <T>(values: readonly T[] | undefined): T[] | undefined => (values === undefined || values.length === 0 ? undefined : [...values]);

function flowPolicy(policy: PolicyDetails): FlowPolicy {
  return defined({
    name: policy.name || undefined,
    namespace: policy.namespace || undefined,
    labels: nonEmpty(policy.labels),
    revision: policy.revision ? String(policy.revision) : undefined,
    kind: policy.kind || undefined,
  });
}

/**
 * Turns datapath events into flow records, numbering them for their UUIDs.
 * One builder per observed node and run: the n-th flow always gets the
 * same UUID for the same seed.
 */
export class FlowBuilder {
  private count = 0;

  constructor(private readonly options: FlowBuilderOptions) {}

  /** `timeNs`: the virtual clock's time of the event, in nanoseconds since the Unix epoch. */
  build(event: DatapathEvent, timeNs: bigint): FlowRecord {
    const { resolver, nodeName } = this.options;
    const time = formatRfc3339(timeNs);
    const frame = parseFrame(event.frame);
    const isTrace = event.type === "trace";
    const isVerdict = event.type === "policy-verdict";
    const isReply = this.isReply(event);
    const dropReason = event.type === "drop" || (isVerdict && event.verdict === "DROPPED") ? event.dropReason : 0;

    const flow: Flow = defined({
      time,
      uuid: flowUuid(this.options.seed, this.count++),
      verdict: event.verdict,
      drop_reason: nonZero(dropReason),
      ethernet: frame.ethernet,
      IP: frame.ip ?? {},
      l4: frame.l4,
      source: this.endpoint(frame.ip?.source, event.srcIdentity),
      destination: this.endpoint(frame.ip?.destination, event.dstIdentity),
      Type: "L3_L4" as const,
      node_name: nodeName,
      reply: isReply === true ? true : undefined,
      event_type: defined({ type: MessageType[isTrace ? "trace" : isVerdict ? "policyVerdict" : "drop"], sub_type: nonZero(isVerdict ? 0 : event.subtype) }),
      traffic_direction: event.direction,
      policy_match_type: isVerdict ? nonZero(event.matchType) : undefined,
      trace_observation_point: isTrace ? OBSERVATION_POINTS.get(event.obsPoint)?.enumName : undefined,
      trace_reason: isTrace ? TRACE_REASON_NAMES[hubbleTraceReason(event.traceReason)] : undefined,
      drop_reason_desc: dropReason === 0 ? undefined : DROP_REASONS.get(dropReason)?.enumName,
      is_reply: isReply,
      interface: isTrace && event.ifindex !== 0 ? defined({ index: event.ifindex, name: resolver.interfaceName(event.ifindex) }) : undefined,
      Summary: frame.summary || undefined,
    });
    if (flow.trace_reason === "TRACE_REASON_UNKNOWN") delete flow.trace_reason;
    if (isVerdict && event.policyCookie !== 0) {
      const policies = resolver.policiesByCookie(event.policyCookie).map(flowPolicy);
      const direction = event.direction === "INGRESS" ? "ingress" : "egress";
      const outcome = event.verdict === "FORWARDED" ? "allowed" : "denied";
      if (policies.length > 0) flow[`${direction}_${outcome}_by`] = policies;
    }
    return { flow, node_name: nodeName, time };
  }

  /** Takes the next flow's number without building it: the flows after it keep the UUIDs they would have. */
  skip(): void {
    this.count++;
  }

  /**
   * Hubble's rule (parser.go decodeIsReply): a trace knows from conntrack; a
   * policy verdict that forwards is a connection's first packet, so not a
   * reply; drops and denying verdicts are unknown.
   */
  private isReply(event: DatapathEvent): boolean | undefined {
    if (event.type === "trace") return event.isReply;
    if (event.type === "policy-verdict" && event.verdict === "FORWARDED") return false;
    return undefined;
  }

  /**
   * Hubble's endpoint resolution (pkg/hubble/parser/common/endpoint.go): the
   * datapath's identity wins unless it is 0; labels are the identity's,
   * sorted; pod, namespace and workload come from the address.
   */
  private endpoint(ip: string | undefined, datapathIdentity: number): FlowEndpoint {
    const details = ip === undefined ? undefined : this.options.resolver.endpointByIp(ip);
    const identity = datapathIdentity !== 0 ? datapathIdentity : (details?.identity ?? 0);
    const labels = identity === 0 ? undefined : this.options.resolver.identityLabels(identity);
    return defined({
      ID: nonZero(details?.id ?? 0),
      identity: nonZero(identity),
      cluster_name: details?.clusterName || undefined,
      namespace: details?.namespace || undefined,
      labels: nonEmpty(labels)?.sort(),
      pod_name: details?.podName || undefined,
      workloads: nonEmpty(details?.workloads)?.map((w) => ({ name: w.name, kind: w.kind })),
    });
  }
}
