import { describe, expect, it } from "vitest";
import { HubbleMetrics } from "../../../src/core/observe/index.ts";
import { buildAll } from "./flows.ts";

describe("Hubble metrics counted from flows (pkg/hubble/metrics/*/handler.go)", () => {
  it("exposes each metric with Hubble's names and labels, in an order independent of the flows'", async () => {
    const flows = Object.values(buildAll());
    const forward = new HubbleMetrics();
    const backward = new HubbleMetrics();
    for (const record of flows) forward.observe(record.flow);
    for (const record of [...flows].reverse()) backward.observe(record.flow);
    const text = await forward.text();
    expect(await backward.text()).toBe(text);
    expect(text).toBe(
      [
        "# HELP hubble_drop_total Number of drops",
        "# TYPE hubble_drop_total counter",
        'hubble_drop_total{reason="INVALID_PACKET_DROPPED",protocol="Unknown flow"} 1',
        'hubble_drop_total{reason="POLICY_DENIED",protocol="TCP"} 2',
        'hubble_drop_total{reason="POLICY_DENY",protocol="UDP"} 1',
        'hubble_drop_total{reason="SERVICE_BACKEND_NOT_FOUND",protocol="Unknown flow"} 1',
        "# HELP hubble_flows_processed_total Total number of flows processed",
        "# TYPE hubble_flows_processed_total counter",
        'hubble_flows_processed_total{protocol="ICMPv4",type="Trace",subtype="to-endpoint",verdict="FORWARDED"} 1',
        'hubble_flows_processed_total{protocol="TCP",type="Drop",subtype="",verdict="DROPPED"} 1',
        'hubble_flows_processed_total{protocol="TCP",type="PolicyVerdict",subtype="",verdict="DROPPED"} 1',
        'hubble_flows_processed_total{protocol="TCP",type="PolicyVerdict",subtype="",verdict="FORWARDED"} 1',
        'hubble_flows_processed_total{protocol="TCP",type="Trace",subtype="from-endpoint",verdict="FORWARDED"} 1',
        'hubble_flows_processed_total{protocol="TCP",type="Trace",subtype="to-endpoint",verdict="FORWARDED"} 2',
        'hubble_flows_processed_total{protocol="UDP",type="PolicyVerdict",subtype="",verdict="DROPPED"} 1',
        'hubble_flows_processed_total{protocol="UDP",type="Trace",subtype="from-network",verdict="FORWARDED"} 1',
        'hubble_flows_processed_total{protocol="Unknown flow",type="Drop",subtype="",verdict="DROPPED"} 2',
        "# HELP hubble_policy_verdicts_total Total number of Cilium network policy verdicts",
        "# TYPE hubble_policy_verdicts_total counter",
        'hubble_policy_verdicts_total{direction="egress",match="l3-l4",action="forwarded"} 1',
        'hubble_policy_verdicts_total{direction="ingress",match="all",action="dropped"} 1',
        'hubble_policy_verdicts_total{direction="ingress",match="none",action="dropped"} 1',
        "# HELP hubble_port_distribution_total Numbers of packets distributed by destination port",
        "# TYPE hubble_port_distribution_total counter",
        'hubble_port_distribution_total{protocol="ICMPv4",port="0"} 1',
        'hubble_port_distribution_total{protocol="TCP",port="8080"} 3',
        "# HELP hubble_tcp_flags_total TCP flag occurrences",
        "# TYPE hubble_tcp_flags_total counter",
        'hubble_tcp_flags_total{flag="SYN",family="IPv4"} 3',
        'hubble_tcp_flags_total{flag="SYN-ACK",family="IPv4"} 1',
        "",
      ].join("\n"),
    );
  });

  it("leaves out policy verdicts whose source is the host", async () => {
    const metrics = new HubbleMetrics();
    const verdict = buildAll().egressAllowed.flow;
    metrics.observe({ ...verdict, source: { ...verdict.source, identity: 1 } });
    expect(await metrics.text()).not.toContain("hubble_policy_verdicts_total{");
  });
});
