// The compact line of `hubble observe` (the default output), as
// cilium/cilium hubble/pkg/printer/printer.go writes it:
//
//   <time>[ [<node>]]: <src> <src identity> <arrow> <dst> <dst identity> <type> <verdict> (<summary>)
//
// e.g. `Jan  1 00:00:00.000: production/frontend:40000 (ID:12345) -> production/backend:8080 (ID:23456) to-endpoint FORWARDED (TCP Flags: SYN)`.

import { DROP_REASONS, MessageType, OBSERVATION_POINTS, POLICY_MATCH_NAMES, RESERVED_IDENTITY_NAMES } from "./enums.ts";
import type { Flow, FlowPolicy, FlowRecord } from "./flow.ts";
import { formatStampMilli, parseRfc3339 } from "./time.ts";

export interface CompactOptions {
  /** `--print-node-name`: ` [<node>]` after the time. */
  nodeName?: boolean;
  /** `--print-policy-names`: ` BY <name> (<Kind>)` after policy verdicts. */
  policyNames?: boolean;
}

function ports(flow: Flow): [number, number] {
  const l4 = flow.l4;
  if (l4 === undefined) return [0, 0];
  const withPorts = "TCP" in l4 ? l4.TCP : "UDP" in l4 ? l4.UDP : "SCTP" in l4 ? l4.SCTP : undefined;
  return [withPorts?.source_port ?? 0, withPorts?.destination_port ?? 0];
}

/** Printer.Hostname: `namespace/pod` when the pod is known, else the IP; `:port` unless 0; IPv6 in brackets. */
function hostname(ip: string, port: number, namespace: string | undefined, pod: string | undefined): string {
  let host = ip;
  if (pod) host = namespace ? `${namespace}/${pod}` : pod;
  if (port === 0) return host;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function hosts(flow: Flow): [string, string] {
  const { source, destination } = flow.IP;
  // Without an IP layer Hubble names the ends by their MAC addresses.
  if (source === undefined || destination === undefined) {
    return flow.ethernet ? [flow.ethernet.source, flow.ethernet.destination] : ["", ""];
  }
  const [sourcePort, destinationPort] = ports(flow);
  return [
    hostname(source, sourcePort, flow.source.namespace, flow.source.pod_name),
    hostname(destination, destinationPort, flow.destination.namespace, flow.destination.pod_name),
  ];
}

function identity(id: number | undefined): string {
  const reserved = RESERVED_IDENTITY_NAMES.get(id ?? 0);
  return reserved === undefined ? `(ID:${id})` : `(${reserved})`;
}

/** GetFlowType: the observation point, the drop reason's text, or `policy-verdict:<match> <direction>`. */
export function flowTypeText(flow: Flow): string {
  const subtype = flow.event_type.sub_type ?? 0;
  switch (flow.event_type.type) {
    case MessageType.trace:
      return OBSERVATION_POINTS.get(subtype)?.text ?? String(subtype);
    case MessageType.drop:
      return DROP_REASONS.get(subtype)?.text ?? `${subtype}, 0`;
    case MessageType.policyVerdict:
      return `policy-verdict:${POLICY_MATCH_NAMES.get(flow.policy_match_type ?? 0) ?? "unknown"} ${flow.traffic_direction ?? "TRAFFIC_DIRECTION_UNKNOWN"}`;
    default:
      return "UNKNOWN";
  }
}

function policyNames(policies: FlowPolicy[] | undefined): string {
  const named = (policies ?? []).filter((p) => p.kind && p.name).map((p) => `${p.name} (${p.kind})`);
  return named.length === 0 ? "" : ` BY ${named.join(", ")}`;
}

/** getVerdict: policy verdicts say ALLOWED / DENIED / AUDITED. */
function verdictText(flow: Flow, options: CompactOptions): string {
  if (flow.event_type.type !== MessageType.policyVerdict) return flow.verdict;
  const egress = flow.traffic_direction === "EGRESS";
  const ingress = flow.traffic_direction === "INGRESS";
  switch (flow.verdict) {
    case "FORWARDED":
    case "REDIRECTED": {
      const by = egress ? flow.egress_allowed_by : ingress ? flow.ingress_allowed_by : undefined;
      return `ALLOWED${options.policyNames ? policyNames(by) : ""}`;
    }
    case "DROPPED":
    case "ERROR": {
      const by = egress ? flow.egress_denied_by : ingress ? flow.ingress_denied_by : undefined;
      return `DENIED${options.policyNames ? policyNames(by) : ""}`;
    }
    case "AUDIT":
      return "AUDITED";
    default:
      return flow.verdict;
  }
}

/** One compact line, without its newline. */
export function formatCompactLine(record: FlowRecord, options: CompactOptions = {}): string {
  const flow = record.flow;
  let [src, dst] = hosts(flow);
  let [srcIdentity, dstIdentity] = [identity(flow.source.identity), identity(flow.destination.identity)];
  let arrow = "->";
  if (flow.is_reply === undefined) {
    arrow = "<>";
  } else if (flow.is_reply) {
    // Replies keep the connection's client on the left.
    [src, dst] = [dst, src];
    [srcIdentity, dstIdentity] = [dstIdentity, srcIdentity];
    arrow = "<-";
  }
  const node = options.nodeName ? ` [${flow.node_name}]` : "";
  const time = formatStampMilli(parseRfc3339(flow.time));
  return `${time}${node}: ${src} ${srcIdentity} ${arrow} ${dst} ${dstIdentity} ${flowTypeText(flow)} ${verdictText(flow, options)} (${flow.Summary ?? ""})`;
}
