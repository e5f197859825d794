import { describe, expect, test } from "vitest";
import { KubeProxyRulesError, kubeProxyRules, LARGE_CLUSTER_ENDPOINTS, serviceChainName } from "../../../backend-kernel/kube-proxy/rules.ts";
import type { Frontend, ServicePort } from "../../../src/core/services/index.ts";

function servicePort(name: string, frontends: Frontend[], backendAddresses: string[], extra: Partial<ServicePort> = {}): ServicePort {
  return {
    service: name,
    portName: "",
    frontends,
    backends: backendAddresses.map((address, i) => ({
      id: i + 1,
      pod: `${name}-${i}`,
      node: "node-1",
      address,
      port: 8080,
      protocol: "TCP",
      terminating: false,
    })),
    affinityTimeout: undefined,
    externalLocal: false,
    internalLocal: false,
    ...extra,
  };
}

const clusterIP = (address: string, port = 80): Frontend => ({ kind: "ClusterIP", address, port, protocol: "TCP" });
const options = { clusterCIDR: "10.244.0.0/16" };
const lines = (input: string, prefix: string) => input.split("\n").filter((line) => line.startsWith(prefix));

describe("kube-proxy's iptables rules", () => {
  test("chain names are kube-proxy's: base32 of SHA-256 of the service port's name and protocol", () => {
    // As every kubeadm cluster shows them.
    expect(serviceChainName("default/kubernetes:https", "tcp")).toBe("KUBE-SVC-NPX46M4PTMTKRN6Y");
    expect(serviceChainName("kube-system/kube-dns:dns", "udp")).toBe("KUBE-SVC-TCOU7JCQXEZGVUNU");
    expect(serviceChainName("kube-system/kube-dns:dns-tcp", "tcp")).toBe("KUBE-SVC-ERIFXISQEP7F7OF4");
    expect(serviceChainName("kube-system/kube-dns:metrics", "tcp")).toBe("KUBE-SVC-JD5MR3NA4I4DYORP");
  });

  test("KUBE-SERVICES holds one rule per ClusterIP in order, then the jump to KUBE-NODEPORTS; PREROUTING and OUTPUT jump to it", () => {
    const ports = [
      servicePort("default/a", [clusterIP("10.96.0.10")], ["10.200.0.1"]),
      servicePort("default/b", [clusterIP("10.96.0.11", 443)], ["10.200.0.2"]),
    ];
    const rules = kubeProxyRules(ports, options);
    const services = lines(rules.restoreInput, "-A KUBE-SERVICES ");
    expect(services).toEqual([
      `-A KUBE-SERVICES -m comment --comment "default/a cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j ${serviceChainName("default/a", "tcp")}`,
      `-A KUBE-SERVICES -m comment --comment "default/b cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 443 -j ${serviceChainName("default/b", "tcp")}`,
      `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
    ]);
    expect(lines(rules.restoreInput, "-A PREROUTING ")).toEqual([`-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`]);
    expect(lines(rules.restoreInput, "-A OUTPUT ")).toEqual([`-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`]);
    expect(rules.restoreInput.startsWith("*nat\n")).toBe(true);
    expect(rules.restoreInput.endsWith("COMMIT\n")).toBe(true);
  });

  test("KUBE-SVC masquerades from outside the cluster CIDR, then picks backend k of n with probability 1/(n-k), the last one certain", () => {
    const rules = kubeProxyRules([servicePort("default/web", [clusterIP("10.96.0.10")], ["10.200.0.1", "10.200.0.2", "10.200.0.3"])], options);
    const svc = serviceChainName("default/web", "tcp");
    const [first, second, third] = rules.chains[0].endpoints.map((endpoint) => endpoint.chain);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(lines(rules.restoreInput, `-A ${svc} `)).toEqual([
      `-A ${svc} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
      `-A ${svc} -m comment --comment "default/web -> 10.200.0.1:8080" -m statistic --mode random --probability 0.3333333333 -j ${first}`,
      `-A ${svc} -m comment --comment "default/web -> 10.200.0.2:8080" -m statistic --mode random --probability 0.5000000000 -j ${second}`,
      `-A ${svc} -m comment --comment "default/web -> 10.200.0.3:8080" -j ${third}`,
    ]);
    expect(lines(rules.restoreInput, `-A ${second} `)).toEqual([
      `-A ${second} -m comment --comment default/web -s 10.200.0.2/32 -j KUBE-MARK-MASQ`,
      `-A ${second} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.200.0.2:8080`,
    ]);
    expect(rules.restoreInput).toContain(`:${svc} - [0:0]\n`);
    expect(rules.restoreInput).toContain(`:${third} - [0:0]\n`);
  });

  test("terminating backends take no new connections while a ready one is left", () => {
    const port = servicePort("default/web", [clusterIP("10.96.0.10")], ["10.200.0.1", "10.200.0.2"]);
    const rules = kubeProxyRules([{ ...port, backends: [port.backends[0], { ...port.backends[1], terminating: true }] }], options);
    expect(rules.chains[0].endpoints.map((endpoint) => endpoint.address)).toEqual(["10.200.0.1"]);
    expect(rules.restoreInput).not.toContain("10.200.0.2");
  });

  test("a service without backends gets no nat chain but a REJECT in the filter table", () => {
    const rules = kubeProxyRules([servicePort("default/empty", [clusterIP("10.96.0.12")], [])], options);
    expect(rules.restoreInput).not.toContain("KUBE-SVC-");
    expect(lines(rules.restoreInput, '-A KUBE-SERVICES -m comment --comment "default/empty')).toEqual([
      `-A KUBE-SERVICES -m comment --comment "default/empty has no endpoints" -m tcp -p tcp -d 10.96.0.12 --dport 80 -j REJECT`,
    ]);
    expect(rules.restoreInput.startsWith("*filter\n")).toBe(true);
  });

  test("NodePorts jump from KUBE-NODEPORTS, external IPs from KUBE-SERVICES, both through KUBE-EXT, which masquerades", () => {
    const frontends: Frontend[] = [
      clusterIP("10.96.0.10"),
      { kind: "NodePort", address: "192.168.0.1", port: 30080, protocol: "TCP", node: "node-1" },
      { kind: "ExternalIP", address: "203.0.113.5", port: 80, protocol: "TCP" },
    ];
    const rules = kubeProxyRules([servicePort("default/web", frontends, ["10.200.0.1"])], options);
    const ext = `KUBE-EXT-${serviceChainName("default/web", "tcp").slice("KUBE-SVC-".length)}`;
    expect(lines(rules.restoreInput, "-A KUBE-NODEPORTS ")).toEqual([
      `-A KUBE-NODEPORTS -m comment --comment default/web -m tcp -p tcp --dport 30080 -j ${ext}`,
    ]);
    expect(lines(rules.restoreInput, "-A KUBE-SERVICES ")[1]).toBe(
      `-A KUBE-SERVICES -m comment --comment "default/web external IP" -m tcp -p tcp -d 203.0.113.5 --dport 80 -j ${ext}`,
    );
    expect(lines(rules.restoreInput, `-A ${ext} `)).toEqual([
      `-A ${ext} -m comment --comment "masquerade traffic for default/web external destinations" -j KUBE-MARK-MASQ`,
      `-A ${ext} -j ${serviceChainName("default/web", "tcp")}`,
    ]);
  });

  test(`past ${LARGE_CLUSTER_ENDPOINTS} endpoints, the per-endpoint rules carry no comments`, () => {
    const ports = Array.from({ length: 501 }, (_, i) =>
      servicePort(`default/s${i}`, [clusterIP(`10.96.${i >> 8}.${i & 255}`)], [`10.200.${i >> 7}.${(i * 2) & 255}`, `10.200.${i >> 7}.${((i * 2) & 255) + 1}`]),
    );
    const rules = kubeProxyRules(ports, options);
    const svc = serviceChainName("default/s0", "tcp");
    expect(lines(rules.restoreInput, `-A ${svc} `)[1]).toBe(
      `-A ${svc} -m statistic --mode random --probability 0.5000000000 -j ${rules.chains[0].endpoints[0].chain}`,
    );
    // Per service: its KUBE-SERVICES rule, the masquerade and two jumps in KUBE-SVC, two rules in each KUBE-SEP.
    expect(rules.natRules).toBe(7 + 501 * (1 + 1 + 2 + 2 * 2) + 1);
  });

  test("what it does not generate is refused, naming the service port and the field", () => {
    const port = servicePort("default/web", [clusterIP("10.96.0.10")], ["10.200.0.1"]);
    expect(() => kubeProxyRules([{ ...port, affinityTimeout: 10800 }], options)).toThrow(
      new KubeProxyRulesError("default/web", "affinityTimeout", "session affinity is not generated (only the Cluster traffic policies without affinity are)"),
    );
    expect(() => kubeProxyRules([{ ...port, portName: "http", internalLocal: true }], options)).toThrow(/service port default\/web:http: internalLocal/);
    expect(() => kubeProxyRules([{ ...port, externalLocal: true }], options)).toThrow(/externalLocal/);
  });
});
