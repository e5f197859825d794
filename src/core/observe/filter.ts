// `hubble observe`'s flow filters (CILIUM-FACTS.md 4.1): the same flag
// repeated ORs its values, different flags AND. `--pod` is a name prefix,
// `[namespace/]name` with the namespace defaulting to `default`.

import type { Flow, FlowEndpoint } from "./flow.ts";

export interface FlowFilter {
  namespace?: string[];
  pod?: string[];
  fromPod?: string[];
  toPod?: string[];
  verdict?: string[];
  protocol?: string[];
  port?: number[];
  type?: string[];
  dropReasonDesc?: string[];
  identity?: number[];
}

const EVENT_TYPES: Record<number, string> = { 1: "drop", 4: "trace", 5: "policy-verdict" };

function podMatches(endpoint: FlowEndpoint, pattern: string): boolean {
  const [namespace, prefix] = pattern.includes("/") ? pattern.split("/", 2) : ["default", pattern];
  return endpoint.namespace === namespace && (endpoint.pod_name ?? "").startsWith(prefix);
}

function protocolOf(flow: Flow): string | undefined {
  const l4 = flow.l4;
  if (!l4) return undefined;
  if ("TCP" in l4) return "tcp";
  if ("UDP" in l4) return "udp";
  if ("SCTP" in l4) return "sctp";
  if ("ICMPv4" in l4) return "icmpv4";
  return "icmpv6";
}

function portsOf(flow: Flow): number[] {
  const l4 = flow.l4;
  if (!l4) return [];
  const ports = "TCP" in l4 ? l4.TCP : "UDP" in l4 ? l4.UDP : "SCTP" in l4 ? l4.SCTP : undefined;
  return ports ? [ports.source_port ?? 0, ports.destination_port ?? 0] : [];
}

const any = <T>(values: T[] | undefined, test: (value: T) => boolean): boolean => values === undefined || values.some(test);

export function flowMatches(flow: Flow, filter: FlowFilter): boolean {
  const { source, destination } = flow;
  return (
    any(filter.namespace, (ns) => source.namespace === ns || destination.namespace === ns) &&
    any(filter.pod, (pod) => podMatches(source, pod) || podMatches(destination, pod)) &&
    any(filter.fromPod, (pod) => podMatches(source, pod)) &&
    any(filter.toPod, (pod) => podMatches(destination, pod)) &&
    any(filter.verdict, (verdict) => flow.verdict === verdict.toUpperCase()) &&
    any(filter.protocol, (protocol) => protocolOf(flow) === protocol.toLowerCase().replace(/^icmp$/, "icmpv4")) &&
    any(filter.port, (port) => portsOf(flow).includes(port)) &&
    any(filter.type, (type) => EVENT_TYPES[flow.event_type.type] === type) &&
    any(filter.dropReasonDesc, (reason) => flow.drop_reason_desc === reason) &&
    any(filter.identity, (identity) => source.identity === identity || destination.identity === identity)
  );
}
