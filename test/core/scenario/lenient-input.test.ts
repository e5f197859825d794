// Input that YAML or a loose reader would take, refused with one line naming
// the file, the line, the item and the field (issue 18): ports written in
// another base, with a sign or a leading zero; node addresses no node can
// have; pcap captures libpcap would not read as written.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { InputError } from "../../../src/core/model/index.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ebbflow-lenient-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message readScenario refuses `text` with, written as `name` in a fresh folder. */
function refusal(name: string, text: string, extra: Record<string, Uint8Array> = {}): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  for (const [path, bytes] of Object.entries(extra)) writeFileSync(join(dir, path), bytes);
  try {
    readScenario(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message.replace(`${dir}/`, "");
  }
  throw new Error(`${name} was accepted`);
}

const header = `apiVersion: ebbflow.io/v1alpha1
kind: Scenario
metadata: {name: lenient}
spec:
`;
const pod = `  - apiVersion: v1
    kind: Pod
    metadata: {name: a, namespace: default, labels: {app: a}}
    spec: {containers: [{name: c, image: i}]}
`;

describe("ports are plain decimal wherever they are written", () => {
  const policyPort = (port: string) => `${header}  objects:
${pod}  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: p, namespace: default}
    spec:
      podSelector: {}
      ingress:
      - ports:
        - port: ${port}
`;
  test.each([
    ["0x50", "0x50 is not a port number written in decimal (write 80)"],
    ["0o120", "0o120 is not a port number written in decimal (write 80)"],
    ["+80", "+80 is not a port number written in decimal (write 80)"],
    ["080", "080 is not a port number written in decimal (write 80)"],
    ["80.0", "80.0 is not a port number written in decimal (write 80)"],
    ['"080"', '"080" is not a port number written in decimal (write 80)'],
    ['"0x50"', '"0x50" is not a port number written in decimal (write 80)'],
  ])("a NetworkPolicy port written %s is refused", (port, problem) => {
    expect(refusal("np.yaml", policyPort(port))).toBe(`np.yaml:17: objects[1] NetworkPolicy "default/p": field "spec.ingress[0].ports[0].port": ${problem}`);
  });

  test('a NetworkPolicy port written 80, "80" or as a name is accepted', () => {
    for (const port of ["80", '"80"', "http"]) {
      writeFileSync(join(dir, "ok.yaml"), policyPort(port));
      expect(() => readScenario(join(dir, "ok.yaml"))).not.toThrow();
    }
  });

  test("a CiliumNetworkPolicy toPorts port and endPort written in hex are refused", () => {
    const cnp = (port: string, endPort: string) => `${header}  objects:
${pod}  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: c, namespace: default}
    spec:
      endpointSelector: {}
      ingress:
      - toPorts:
        - ports:
          - {port: ${port}, endPort: ${endPort}}
`;
    expect(refusal("cnp.yaml", cnp('"+80"', "90"))).toBe(
      'cnp.yaml:18: objects[1] CiliumNetworkPolicy "default/c": field "spec.ingress[0].toPorts[0].ports[0].port": "+80" is not a port number written in decimal (write 80)',
    );
    expect(refusal("cnp.yaml", cnp('"80"', "0x5a"))).toBe(
      'cnp.yaml:18: objects[1] CiliumNetworkPolicy "default/c": field "spec.ingress[0].toPorts[0].ports[0].endPort": 0x5a is not a port number written in decimal (write 90)',
    );
  });

  test("Service port, targetPort, nodePort, EndpointSlice and container ports are read by the same rule", () => {
    const service = (ports: string) => `${header}  objects:
${pod}  - apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: default}
    spec:
      selector: {app: a}
      ports:
      - ${ports}
`;
    const at = 'svc.yaml:16: objects[1] Service "default/s": field';
    expect(refusal("svc.yaml", service("{port: 0x50}"))).toBe(`${at} "spec.ports[0].port": 0x50 is not a port number written in decimal (write 80)`);
    expect(refusal("svc.yaml", service('{port: 80, targetPort: "08080"}'))).toBe(
      `${at} "spec.ports[0].targetPort": "08080" is not a port number written in decimal (write 8080)`,
    );
    expect(refusal("svc.yaml", service("{port: 80, nodePort: +30080}"))).toBe(
      `${at} "spec.ports[0].nodePort": +30080 is not a port number written in decimal (write 30080)`,
    );
    const slice = `${header}  objects:
  - apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata: {name: s-1, namespace: default, labels: {kubernetes.io/service-name: s}}
    addressType: IPv4
    endpoints: [{addresses: [10.244.1.9]}]
    ports: [{port: 0o17}]
`;
    expect(refusal("slice.yaml", slice)).toBe(
      'slice.yaml:11: objects[0] EndpointSlice "default/s-1": field "ports[0].port": 0o17 is not a port number written in decimal (write 15)',
    );
    const container = `${header}  objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a, namespace: default}
    spec: {containers: [{name: c, image: i, ports: [{containerPort: 0x1F90}]}]}
`;
    expect(refusal("container.yaml", container)).toBe(
      'container.yaml:9: objects[0] Pod "default/a": field "spec.containers[0].ports[0].containerPort": 0x1F90 is not a port number written in decimal (write 8080)',
    );
  });

  test("a port given through a YAML alias is read as its anchor was written", () => {
    const aliased = `${header}  objects:
${pod}  - apiVersion: v1
    kind: Service
    metadata: {name: s, namespace: default}
    spec:
      selector: {app: a}
      ports:
      - {port: &web 0x50}
      - {name: again, port: 81, targetPort: *web}
`;
    expect(refusal("alias.yaml", aliased)).toBe(
      'alias.yaml:16: objects[1] Service "default/s": field "spec.ports[0].port": 0x50 is not a port number written in decimal (write 80)',
    );
    expect(refusal("alias.yaml", aliased.replace("&web 0x50", "&web 80").replace("port: 81", "port: 0x51"))).toBe(
      'alias.yaml:17: objects[1] Service "default/s": field "spec.ports[1].port": 0x51 is not a port number written in decimal (write 81)',
    );
    // The anchor in a field no port reader reads; the alias in one that does.
    const elsewhere = aliased.replace("      ports:\n      - {port: &web 0x50}", "      healthCheckNodePort: &web 0x1F90\n      ports:\n      - {port: 80}");
    expect(refusal("alias.yaml", elsewhere)).toBe(
      'alias.yaml:18: objects[1] Service "default/s": field "spec.ports[1].targetPort": 0x1F90 is not a port number written in decimal (write 8080)',
    );
  });

  test("a scenario's attempt port and a built packet's ports are read by the same rule", () => {
    const attempt = `${header}  objects:
${pod}  traffic:
  - name: t
    from: pod:default/a
    to: pod:default/a
    port: 0x50
    expect: {verdict: FORWARDED}
`;
    expect(refusal("attempt.yaml", attempt)).toBe('attempt.yaml:14: traffic[0] "t": field "port": 0x50 is not a port number written in decimal (write 80)');
    const build = `${header}  objects:
${pod}  packets:
  - name: b
    at: pod:default/a
    direction: egress
    build: {ipv4: {src: 10.244.1.2, dst: 10.244.1.3}, udp: {sport: 01000, dport: 53}}
    expect: {verdict: FORWARDED}
`;
    expect(refusal("build.yaml", build)).toBe(
      'build.yaml:14: packets[0] "b": field "build.udp.sport": 01000 is not a port number written in decimal (write 1000)',
    );
  });
});

describe("node addresses", () => {
  const node = (field: string) => `${header}  nodes:
  - {name: node-1, ${field}}
`;
  test.each([
    ["127.0.0.1", "127.0.0.1 is in the loopback range 127.0.0.0/8"],
    ["0.0.0.0", "0.0.0.0 is in the unspecified range 0.0.0.0/8"],
    ["224.0.0.251", "224.0.0.251 is in the multicast range 224.0.0.0/4"],
    ["169.254.1.1", "169.254.1.1 is in the link-local range 169.254.0.0/16"],
    ["255.255.255.255", "255.255.255.255 is in the broadcast range 255.255.255.255/32"],
  ])("internalIP %s is refused", (address, problem) => {
    expect(refusal("node.yaml", node(`internalIP: ${address}`))).toBe(
      `node.yaml:6: nodes[0] "node-1": field "internalIP": ${problem}: a node cannot have it as its address`,
    );
  });

  test("a podCIDR overlapping a reserved range is refused", () => {
    expect(refusal("cidr.yaml", node("podCIDR: 127.1.0.0/24"))).toBe(
      'cidr.yaml:6: nodes[0] "node-1": field "podCIDR": 127.1.0.0/24 overlaps the loopback range 127.0.0.0/8: no pod can have such an address',
    );
    expect(refusal("cidr.yaml", node("podCIDR: 192.0.0.0/2"))).toBe(
      'cidr.yaml:6: nodes[0] "node-1": field "podCIDR": 192.0.0.0/2 overlaps the multicast range 224.0.0.0/4: no pod can have such an address',
    );
  });
});

describe("pcap captures", () => {
  /** A little-endian capture of `records` ([captured, original] lengths, each with that many bytes). */
  function capture(fields: { major?: number; minor?: number; snaplen?: number; link?: number }, records: [number, number][] = [[60, 60]]): Uint8Array {
    const size = 24 + records.reduce((sum, [captured]) => sum + 16 + captured, 0);
    const view = new DataView(new ArrayBuffer(size));
    view.setUint32(0, 0xa1b2c3d4, true);
    view.setUint16(4, fields.major ?? 2, true);
    view.setUint16(6, fields.minor ?? 4, true);
    view.setUint32(16, fields.snaplen ?? 65535, true);
    view.setUint32(20, fields.link ?? 1, true);
    let at = 24;
    for (const [captured, original] of records) {
      view.setUint32(at + 8, captured, true);
      view.setUint32(at + 12, original, true);
      at += 16 + captured;
    }
    return new Uint8Array(view.buffer);
  }
  const scenario = `${header}  objects:
${pod}  packets:
  - name: replayed
    at: pod:default/a
    direction: egress
    pcap: c.pcap
    expect: {verdict: DROPPED}
`;
  const at = 'pcap.yaml:14: packets[0] "replayed": field "pcap": c.pcap';
  const refused = (bytes: Uint8Array) => refusal("pcap.yaml", scenario, { "c.pcap": bytes }).replace(`${dir}/`, "");

  test.each([
    ["version 99", capture({ major: 99 }), "pcap version 99.4; only version 2.4 is read"],
    ["snaplen 0", capture({ snaplen: 0 }), "snapshot length 0: a capture keeps at least 1 byte of each packet"],
    ["a link type other than Ethernet", capture({ link: 113 }), "link type 113; only Ethernet (1) captures are replayed"],
    [
      "an FCS announced in the link-type field",
      capture({ link: 0x14000001 }),
      "link-type field 0x14000001 announces a frame check sequence or reserved bits; only plain Ethernet (1) captures are replayed",
    ],
    [
      "a packet longer than the snapshot length",
      capture({ snaplen: 64 }, [[96, 96]]),
      "packet 1: captured length 96 is above the capture's snapshot length 64",
    ],
    [
      "a packet captured longer than it was",
      capture({}, [
        [60, 60],
        [70, 64],
      ]),
      "packet 2: captured length 70 is above its original length 64",
    ],
    ["a truncated packet", capture({}, [[60, 60]]).slice(0, 24 + 16 + 30), "packet 1: truncated (60 bytes announced, 30 left)"],
    ["a truncated record header", capture({}, [[60, 60]]).slice(0, 24 + 10), "packet 1: truncated record header at byte 24"],
  ])("a capture with %s is refused", (_what, bytes, problem) => {
    expect(refused(bytes)).toBe(`${at}: ${problem}`);
  });
});
