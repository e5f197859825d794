// Hubble's metrics fed by flows, with the names, labels and counting rules
// of cilium/cilium pkg/hubble/metrics/{flow,drop,tcp,policy,port-distribution}/handler.go
// (without the optional context labels), held in a prom-client registry.

import { Counter, Registry } from "prom-client";
import { ReservedIdentity } from "../../abi/generated.ts";
import { OBSERVATION_POINTS, MessageType, POLICY_MATCH_NAMES } from "./enums.ts";
import type { Flow } from "./flow.ts";

/** pkg/hubble/api/v1 FlowProtocol for L3/L4 flows. */
function flowProtocol(flow: Flow): string {
  const l4 = flow.l4;
  if (l4 === undefined) return "Unknown flow";
  return Object.keys(l4)[0];
}

function destinationPort(flow: Flow): number {
  const l4 = flow.l4;
  if (l4 === undefined) return 0;
  const withPorts = "TCP" in l4 ? l4.TCP : "UDP" in l4 ? l4.UDP : "SCTP" in l4 ? l4.SCTP : undefined;
  return withPorts?.destination_port ?? 0;
}

const EVENT_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [MessageType.drop, "Drop"],
  [MessageType.trace, "Trace"],
  [MessageType.policyVerdict, "PolicyVerdict"],
]);

export class HubbleMetrics {
  /** Register more metrics here, or serve it whole, to expose them with Hubble's. */
  readonly registry = new Registry();

  private readonly flows = this.counter("hubble_flows_processed_total", "Total number of flows processed", ["protocol", "type", "subtype", "verdict"]);
  private readonly drops = this.counter("hubble_drop_total", "Number of drops", ["reason", "protocol"]);
  private readonly tcpFlags = this.counter("hubble_tcp_flags_total", "TCP flag occurrences", ["flag", "family"]);
  private readonly policyVerdicts = this.counter("hubble_policy_verdicts_total", "Total number of Cilium network policy verdicts", [
    "direction",
    "match",
    "action",
  ]);
  private readonly ports = this.counter("hubble_port_distribution_total", "Numbers of packets distributed by destination port", ["protocol", "port"]);

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  observe(flow: Flow): void {
    const protocol = flowProtocol(flow);
    const type = flow.event_type.type;
    const subtype = type === MessageType.trace ? (OBSERVATION_POINTS.get(flow.event_type.sub_type ?? 0)?.text ?? "") : "";
    this.flows.inc({ protocol, type: EVENT_TYPE_NAMES.get(type) ?? "Unknown", subtype, verdict: flow.verdict });

    if (flow.verdict === "DROPPED") this.drops.inc({ reason: flow.drop_reason_desc ?? "DROP_REASON_UNKNOWN", protocol });

    const forwarded = flow.verdict === "FORWARDED" || flow.verdict === "REDIRECTED";
    const tcp = flow.l4 !== undefined && "TCP" in flow.l4 ? flow.l4.TCP : undefined;
    if (forwarded && tcp !== undefined && flow.IP.ipVersion !== undefined) {
      const family = flow.IP.ipVersion;
      if (tcp.flags.SYN) this.tcpFlags.inc({ flag: tcp.flags.ACK ? "SYN-ACK" : "SYN", family });
      if (tcp.flags.FIN) this.tcpFlags.inc({ flag: "FIN", family });
      if (tcp.flags.RST) this.tcpFlags.inc({ flag: "RST", family });
    }

    // The host may reach every local endpoint: Hubble leaves its verdicts out.
    if (type === MessageType.policyVerdict && flow.source.identity !== ReservedIdentity.IDENTITY_HOST) {
      this.policyVerdicts.inc({
        direction: (flow.traffic_direction ?? "TRAFFIC_DIRECTION_UNKNOWN").toLowerCase(),
        match: (POLICY_MATCH_NAMES.get(flow.policy_match_type ?? 0) ?? "unknown").toLowerCase(),
        action: flow.verdict.toLowerCase(),
      });
    }

    // Only the first direction of a connection, known not to be a reply, says which port was used.
    if (forwarded && flow.l4 !== undefined && flow.is_reply === false) {
      this.ports.inc({ protocol, port: String(destinationPort(flow)) });
    }
  }

  /**
   * The Prometheus text exposition, in an order that depends only on the
   * counts: metrics by name, samples by their labels' values.
   */
  async text(): Promise<string> {
    const metrics = (await this.registry.getMetricsAsJSON()).sort((a, b) => compare(a.name, b.name));
    const lines: string[] = [];
    for (const metric of metrics) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
      const samples = metric.values.map((sample) => {
        const labels = Object.entries(sample.labels).map(([name, value]) => `${name}="${escapeLabelValue(String(value))}"`);
        return `${metric.name}${labels.length === 0 ? "" : `{${labels.join(",")}}`} ${sample.value}`;
      });
      lines.push(...samples.sort(compare));
    }
    return lines.join("\n") + "\n";
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
