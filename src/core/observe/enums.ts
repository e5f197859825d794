// Hubble's enum names and the texts `hubble observe` prints, keyed by the
// numbers the datapath writes. Sources (cilium/cilium, as vendored by
// cilium/hubble): api/v1/flow/flow.proto (enum names), pkg/monitor/api/types.go
// (observation point strings, policy match types), pkg/monitor/api/drop.go
// (drop reason texts), pkg/identity/numericidentity.go (reserved names).

import { EventType, PolicyMatchType, TraceReason } from "../../abi/generated.ts";

/** Monitor message types (`event_type.type`): the datapath writes Cilium's numbers in event.type. */
export const MessageType = { drop: EventType.EVENT_DROP, trace: EventType.EVENT_TRACE, policyVerdict: EventType.EVENT_POLICY_VERDICT } as const;

export type VerdictName = "VERDICT_UNKNOWN" | "FORWARDED" | "DROPPED" | "ERROR" | "AUDIT" | "REDIRECTED" | "TRACED" | "TRANSLATED";

export type TrafficDirectionName = "TRAFFIC_DIRECTION_UNKNOWN" | "INGRESS" | "EGRESS";

/** flow.proto's TraceReason, indexed by its value. */
export const TRACE_REASON_NAMES = [
  "TRACE_REASON_UNKNOWN",
  "NEW",
  "ESTABLISHED",
  "REPLY",
  "RELATED",
  "REOPENED",
  "SRV6_ENCAP",
  "SRV6_DECAP",
  "ENCRYPT_OVERLAY",
] as const;

/**
 * Hubble's trace_reason from the monitor's: 0..4 (new, established, reply,
 * related, reopened) become 1..5; unknown (5) becomes 0.
 */
export function hubbleTraceReason(monitorReason: number): number {
  return monitorReason < TraceReason.TRACE_REASON_UNKNOWN ? monitorReason + 1 : 0;
}

interface ObservationPoint {
  /** flow.proto TraceObservationPoint. */
  enumName: string;
  /** What `hubble observe` prints in its type column. */
  text: string;
}

/** By monitor sub_type. Sub_type 0 is TO_ENDPOINT (101 in flow.proto, never 0). */
export const OBSERVATION_POINTS: ReadonlyMap<number, ObservationPoint> = new Map([
  [0, { enumName: "TO_ENDPOINT", text: "to-endpoint" }],
  [1, { enumName: "TO_PROXY", text: "to-proxy" }],
  [2, { enumName: "TO_HOST", text: "to-host" }],
  [3, { enumName: "TO_STACK", text: "to-stack" }],
  [4, { enumName: "TO_OVERLAY", text: "to-overlay" }],
  [5, { enumName: "FROM_ENDPOINT", text: "from-endpoint" }],
  [6, { enumName: "FROM_PROXY", text: "from-proxy" }],
  [7, { enumName: "FROM_HOST", text: "from-host" }],
  [8, { enumName: "FROM_STACK", text: "from-stack" }],
  [9, { enumName: "FROM_OVERLAY", text: "from-overlay" }],
  [10, { enumName: "FROM_NETWORK", text: "from-network" }],
  [11, { enumName: "TO_NETWORK", text: "to-network" }],
  [12, { enumName: "FROM_CRYPTO", text: "from-crypto" }],
  [13, { enumName: "TO_CRYPTO", text: "to-crypto" }],
]);

interface DropReason {
  /** flow.proto DropReason (drop_reason_desc). */
  enumName: string;
  /** pkg/monitor/api/drop.go: what `hubble observe` prints in its type column. */
  text: string;
}

/** Every drop reason the datapath uses (bpf/README.md), plus their neighbours a later datapath will need. */
export const DROP_REASONS: ReadonlyMap<number, DropReason> = new Map([
  [132, { enumName: "INVALID_SOURCE_IP", text: "Invalid source ip" }],
  [133, { enumName: "POLICY_DENIED", text: "Policy denied" }],
  [134, { enumName: "INVALID_PACKET_DROPPED", text: "Invalid packet" }],
  [135, { enumName: "CT_TRUNCATED_OR_INVALID_HEADER", text: "CT: Truncated or invalid header" }],
  [136, { enumName: "CT_MISSING_TCP_ACK_FLAG", text: "Fragmentation needed" }],
  [137, { enumName: "CT_UNKNOWN_L4_PROTOCOL", text: "CT: Unknown L4 protocol" }],
  [139, { enumName: "UNSUPPORTED_L3_PROTOCOL", text: "Unsupported L3 protocol" }],
  [140, { enumName: "MISSED_TAIL_CALL", text: "Missed tail call" }],
  [141, { enumName: "ERROR_WRITING_TO_PACKET", text: "Error writing to packet" }],
  [142, { enumName: "UNKNOWN_L4_PROTOCOL", text: "Unknown L4 protocol" }],
  [151, { enumName: "STALE_OR_UNROUTABLE_IP", text: "Stale or unroutable IP" }],
  [153, { enumName: "ERROR_WHILE_CORRECTING_L3_CHECKSUM", text: "Error while correcting L3 checksum" }],
  [154, { enumName: "ERROR_WHILE_CORRECTING_L4_CHECKSUM", text: "Error while correcting L4 checksum" }],
  [155, { enumName: "CT_MAP_INSERTION_FAILED", text: "CT: Map insertion failed" }],
  [157, { enumName: "IP_FRAGMENTATION_NOT_SUPPORTED", text: "IP fragmentation not supported" }],
  [158, { enumName: "SERVICE_BACKEND_NOT_FOUND", text: "Service backend not found" }],
  [166, { enumName: "UNSUPPORTED_L2_PROTOCOL", text: "Unsupported L2 protocol" }],
  [167, { enumName: "NO_MAPPING_FOR_NAT_MASQUERADE", text: "No mapping for NAT masquerade" }],
  [169, { enumName: "FIB_LOOKUP_FAILED", text: "FIB lookup failed" }],
  [174, { enumName: "IS_A_CLUSTERIP", text: "Is a ClusterIP" }],
  [177, { enumName: "DENIED_BY_LB_SRC_RANGE_CHECK", text: "Denied by LB src range check" }],
  [180, { enumName: "PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL", text: "Proxy redirection not supported for protocol" }],
  [181, { enumName: "POLICY_DENY", text: "Policy denied by denylist" }],
  [182, { enumName: "VLAN_FILTERED", text: "VLAN traffic disallowed by VLAN filter" }],
  [189, { enumName: "AUTH_REQUIRED", text: "Authentication required" }],
  [194, { enumName: "NO_EGRESS_GATEWAY", text: "No egress gateway found" }],
  [204, { enumName: "DROP_NO_EGRESS_IP", text: "No Egress IP configured" }],
]);

/** Policy match types (Hubble's policy_match_type) as `hubble observe` names them. */
export const POLICY_MATCH_NAMES: ReadonlyMap<number, string> = new Map([
  [PolicyMatchType.MATCH_NONE, "none"],
  [PolicyMatchType.MATCH_L3_ONLY, "L3-Only"],
  [PolicyMatchType.MATCH_L3_L4, "L3-L4"],
  [PolicyMatchType.MATCH_L4_ONLY, "L4-Only"],
  [PolicyMatchType.MATCH_ALL, "all"],
  [PolicyMatchType.MATCH_L3_PROTO, "L3-Proto"],
  [PolicyMatchType.MATCH_PROTO_ONLY, "Proto-Only"],
]);

/** Reserved identities by number, as `(world)`, `(host)` in compact lines. 11 and above print as IDs. */
export const RESERVED_IDENTITY_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "unknown"],
  [1, "host"],
  [2, "world"],
  [3, "unmanaged"],
  [4, "health"],
  [5, "init"],
  [6, "remote-node"],
  [7, "kube-apiserver"],
  [8, "ingress"],
  [9, "world-ipv4"],
  [10, "world-ipv6"],
]);
