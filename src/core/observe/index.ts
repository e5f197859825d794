// Hubble-shaped flows from the datapath's ring buffer events (issue 5,
// item 6): what `hubble observe` would show for the same packets.
//
// Public interface:
//   decodeEvent(bytes, record?): DatapathEvent
//       one 168-byte `eb_events` record (bpf/README.md "Events") as named fields;
//       EventDecodeError {record, field} for a record that breaks the layout
//   FlowResolver, EndpointDetails, PolicyDetails, Workload
//       what the control plane answers: pod by IP, identity labels, interface
//       names, policies by policy-map cookie
//   new FlowBuilder({nodeName, seed, resolver}).build(event, timeNs): FlowRecord
//       `{flow, node_name, time}` as `hubble observe -o json` prints it: Hubble's
//       field and enum names, time from the virtual clock (ns since the epoch),
//       UUIDs from the seed and the flow's number
//   Flow, FlowRecord, FlowEndpoint, FlowPolicy, Layer4, TcpFlags  the JSON shape
//   encodeFlowRecord(record): string      the JSON line, byte for byte as Hubble writes it
//   formatCompactLine(record, {nodeName?, policyNames?}): string
//       the default `hubble observe` line, e.g.
//       `Jan  1 00:00:00.000: prod/frontend:40000 (ID:256) -> prod/backend:8080 (ID:257) to-endpoint FORWARDED (TCP Flags: SYN)`
//   flowTypeText(flow)                    its type column (`to-endpoint`, `Policy denied`, `policy-verdict:L3-L4 INGRESS`)
//   new HubbleMetrics(): observe(flow), text(), registry
//       hubble_flows_processed_total, hubble_drop_total, hubble_tcp_flags_total,
//       hubble_policy_verdicts_total, hubble_port_distribution_total
//   flowMatches(flow, filter)             `hubble observe`'s filters (--pod, --verdict, --protocol, ...)
//   formatRfc3339(ns), formatStampMilli(ns), parseRfc3339(text)  UTC, no locale
//   parseFrame(bytes): ParsedFrame        Ethernet, IPv4/IPv6 and L4 headers as Hubble reads them
//   enums: DROP_REASONS, OBSERVATION_POINTS, POLICY_MATCH_NAMES, RESERVED_IDENTITY_NAMES, ...
//
// Typical use:
//   const builder = new FlowBuilder({ nodeName: "default/node-1", seed, resolver });
//   const record = builder.build(decodeEvent(bytes), clock.nowNs());
//   metrics.observe(record.flow);
//   print(encodeFlowRecord(record)) or print(formatCompactLine(record));
//
// Everything here is deterministic: no real clock, no randomness, no locale.

export * from "./compact.ts";
export * from "./enums.ts";
export * from "./event.ts";
export * from "./filter.ts";
export * from "./flow.ts";
export * from "./frame.ts";
export * from "./json.ts";
export type * from "./layer4.ts";
export * from "./metrics.ts";
export type * from "./resolver.ts";
export * from "./time.ts";
export { flowUuid } from "./uuid.ts";
