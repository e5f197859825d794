import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeFlowRecord, FlowBuilder, flowUuid, formatRfc3339 } from "../../../src/core/observe/index.ts";
import { buildAll, EVENTS } from "./flows.ts";
import { eventRecord, fakeResolver, SCENARIO_EPOCH_NS } from "./records.ts";

const flows = buildAll();

describe("a datapath event becomes the flow `hubble observe -o json` prints", () => {
  it("byte for byte: keys in flow.proto's order, enums by name, zero fields left out", () => {
    expect(encodeFlowRecord(flows.egressAllowed)).toBe(
      '{"flow":{"time":"2026-01-01T00:00:00Z","uuid":"' +
        flowUuid(1, 0) +
        '","verdict":"FORWARDED",' +
        '"ethernet":{"source":"0a:00:00:00:00:01","destination":"0a:00:00:00:00:02"},' +
        '"IP":{"source":"10.0.1.10","destination":"10.0.1.20","ipVersion":"IPv4"},' +
        '"l4":{"TCP":{"source_port":40000,"destination_port":8080,"flags":{"SYN":true}}},' +
        '"source":{"ID":101,"identity":12345,"cluster_name":"default","namespace":"production","labels":["k8s:app=frontend","k8s:io.kubernetes.pod.namespace=production"],"pod_name":"frontend","workloads":[{"name":"frontend","kind":"Deployment"}]},' +
        '"destination":{"ID":102,"identity":23456,"cluster_name":"default","namespace":"production","labels":["k8s:app=backend","k8s:io.kubernetes.pod.namespace=production"],"pod_name":"backend"},' +
        '"Type":"L3_L4","node_name":"default/node-1","event_type":{"type":5},"traffic_direction":"EGRESS","policy_match_type":2,"is_reply":false,"Summary":"TCP Flags: SYN",' +
        '"egress_allowed_by":[{"name":"allow-frontend","namespace":"production","labels":["k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy","k8s:io.cilium.k8s.policy.name=allow-frontend","k8s:io.cilium.k8s.policy.namespace=production"],"revision":"3","kind":"CiliumNetworkPolicy"}]},' +
        '"node_name":"default/node-1","time":"2026-01-01T00:00:00Z"}',
    );
  });

  it("traces: observation point, trace reason (monitor + 1), is_reply from conntrack, interface", () => {
    expect(flows.fromEndpoint.flow).toMatchObject({
      event_type: { type: 4, sub_type: 5 },
      trace_observation_point: "FROM_ENDPOINT",
      trace_reason: "NEW",
      is_reply: false,
      traffic_direction: "EGRESS",
      interface: { index: 7, name: "lxc-frontend" },
    });
    // Sub_type 0 (to-endpoint) is zero, so proto3 JSON leaves it out; the enum is TO_ENDPOINT, never 0.
    expect(flows.toEndpoint.flow.event_type).toEqual({ type: 4 });
    expect(flows.toEndpoint.flow.trace_observation_point).toBe("TO_ENDPOINT");
    expect(flows.toEndpoint.flow.interface).toEqual({ index: 9 });
    expect(flows.replyToEndpoint.flow).toMatchObject({
      trace_reason: "REPLY",
      is_reply: true,
      reply: true,
      traffic_direction: "EGRESS",
      Summary: "TCP Flags: SYN, ACK",
    });
    expect(flows.replyToEndpoint.flow.l4).toEqual({ TCP: { source_port: 8080, destination_port: 40000, flags: { SYN: true, ACK: true } } });
  });

  it("host traces without conntrack: no trace_reason, no is_reply", () => {
    const flow = flows.fromNetwork.flow;
    expect(flow.trace_observation_point).toBe("FROM_NETWORK");
    expect(flow).not.toHaveProperty("trace_reason");
    expect(flow).not.toHaveProperty("is_reply");
    expect(flow.source).toEqual({ identity: 2, labels: ["reserved:world"] });
  });

  it("policy verdicts: match type, direction, is_reply false when allowed and absent when denied", () => {
    expect(flows.egressAllowed.flow).toMatchObject({ verdict: "FORWARDED", policy_match_type: 2, is_reply: false });
    expect(flows.ingressDenied.flow).toMatchObject({ verdict: "DROPPED", drop_reason: 133, drop_reason_desc: "POLICY_DENIED", event_type: { type: 5 } });
    expect(flows.ingressDenied.flow).not.toHaveProperty("policy_match_type");
    expect(flows.ingressDenied.flow).not.toHaveProperty("is_reply");
    expect(flows.ingressDenied.flow).not.toHaveProperty("ingress_denied_by");
  });

  it("the policies behind a verdict, by its entry's cookie: *_allowed_by, or *_denied_by for deny rules", () => {
    expect(flows.egressAllowed.flow.egress_allowed_by?.map((p) => p.name)).toEqual(["allow-frontend"]);
    expect(flows.denyRule.flow.ingress_denied_by).toEqual([
      {
        name: "deny-world",
        labels: ["k8s:io.cilium.k8s.policy.derived-from=CiliumClusterwideNetworkPolicy", "k8s:io.cilium.k8s.policy.name=deny-world"],
        kind: "CiliumClusterwideNetworkPolicy",
      },
    ]);
    expect(flows.denyRule.flow).toMatchObject({ drop_reason_desc: "POLICY_DENY", policy_match_type: 4 });
  });

  it("drops: drop_reason and its enum name, sub_type the reason, no is_reply, no interface", () => {
    const flow = flows.policyDrop.flow;
    expect(flow).toMatchObject({
      verdict: "DROPPED",
      drop_reason: 133,
      drop_reason_desc: "POLICY_DENIED",
      event_type: { type: 1, sub_type: 133 },
      traffic_direction: "INGRESS",
    });
    expect(flow).not.toHaveProperty("is_reply");
    expect(flow).not.toHaveProperty("interface");
    expect(flow).not.toHaveProperty("trace_observation_point");
  });

  it("an identity the datapath did not know (0) comes from the pod at that address", () => {
    expect(flows.earlyDrop.flow.destination).toMatchObject({ identity: 23456, pod_name: "backend" });
    expect(flows.earlyDrop.flow.Summary).toBe("IPv4");
    expect(flows.earlyDrop.flow).not.toHaveProperty("l4");
  });

  it("socket events carry no packet: empty IP, no Summary", () => {
    const flow = flows.socketDrop.flow;
    expect(flow.IP).toEqual({});
    expect(flow).not.toHaveProperty("Summary");
    expect(flow).not.toHaveProperty("ethernet");
    expect(flow.destination).toEqual({});
    expect(flow.drop_reason_desc).toBe("SERVICE_BACKEND_NOT_FOUND");
  });

  it("ICMP echo: type and Summary", () => {
    expect(flows.pingToEndpoint.flow).toMatchObject({ l4: { ICMPv4: { type: 8 } }, Summary: "ICMPv4 EchoRequest" });
  });
});

describe("time and UUIDs come from the caller, never from the machine", () => {
  it("time is the virtual clock's, RFC 3339 in UTC with protojson's 0, 3, 6 or 9 fraction digits", () => {
    expect(formatRfc3339(SCENARIO_EPOCH_NS)).toBe("2026-01-01T00:00:00Z");
    expect(formatRfc3339(SCENARIO_EPOCH_NS + 1_000_000n)).toBe("2026-01-01T00:00:00.001Z");
    expect(formatRfc3339(SCENARIO_EPOCH_NS + 1_500_000n)).toBe("2026-01-01T00:00:00.001500Z");
    expect(formatRfc3339(SCENARIO_EPOCH_NS + 86_399_999_999_999n)).toBe("2026-01-01T23:59:59.999999999Z");
    expect(flows.fromEndpoint.time).toBe(flows.fromEndpoint.flow.time);
  });

  it("UUIDs are version-4 shaped, follow the seed and the flow's number, and repeat across builders", () => {
    expect(flows.egressAllowed.flow.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buildAll(1).toEndpoint.flow.uuid).toBe(flows.toEndpoint.flow.uuid);
    expect(buildAll(2).toEndpoint.flow.uuid).not.toBe(flows.toEndpoint.flow.uuid);
    const uuids = new Set(Object.values(flows).map((r) => r.flow.uuid));
    expect(uuids.size).toBe(Object.keys(flows).length);
  });

  it("JSON escapes <, > and & as Go's encoder does", () => {
    const builder = new FlowBuilder({ nodeName: "a<b>&c/node", seed: 1, resolver: fakeResolver });
    const line = encodeFlowRecord(builder.build(decodeEvent(eventRecord(EVENTS.toEndpoint)), SCENARIO_EPOCH_NS));
    expect(line).toContain('"node_name":"a\\u003cb\\u003e\\u0026c/node"');
    expect(JSON.parse(line).node_name).toBe("a<b>&c/node");
  });
});

describe("every flow record follows scenario-result.schema.json's flowRecord", () => {
  const schema = JSON.parse(readFileSync("/work/shared/scenario-result.schema.json", "utf8"));
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  ajv.addSchema(schema);
  const validate = ajv.compile({ $ref: `${schema.$id}#/$defs/flowRecord` });

  it.each(Object.entries(flows))("%s", (_name, record) => {
    const valid = validate(JSON.parse(encodeFlowRecord(record)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
