// kube-proxy's iptables mode, as rules: the iptables-restore input kube-proxy
// writes for a set of service ports (pkg/proxy/iptables/proxier.go, the
// "Cluster" traffic policies without session affinity). In the nat table:
// PREROUTING and OUTPUT jump to KUBE-SERVICES, which holds one rule per
// frontend (ClusterIP, external IP, LoadBalancer IP) in order, then the jump
// to KUBE-NODEPORTS for local destinations; KUBE-SVC-<hash> marks traffic from
// outside the cluster CIDR for masquerade and picks a backend with `statistic
// --mode random` rules of probability 1/(n-k), the last one certain;
// KUBE-SEP-<hash> marks hairpin traffic for masquerade and DNATs;
// KUBE-EXT-<hash> marks external traffic for masquerade and goes on to the
// KUBE-SVC chain; POSTROUTING masquerades what was marked. A service port
// with no backend gets REJECT rules in the filter table, as kube-proxy writes
// them. Chain names are kube-proxy's: base32 of a SHA-256 of the port's name,
// protocol (and backend), so that they match a real node's.

import { createHash } from "node:crypto";
import { selectableBackends, type ServicePort } from "../../src/core/services/index.ts";

/** kube-proxy's default mark for "masquerade this" (--iptables-masquerade-bit 14). */
export const MASQUERADE_MARK = "0x4000";
/** Past this many endpoints kube-proxy leaves comments out of the per-endpoint rules (largeClusterEndpointsThreshold). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface KubeProxyOptions {
  /** The cluster's pod CIDR: traffic from outside it to a ClusterIP is masqueraded (--cluster-cidr). */
  clusterCIDR: string;
}

export interface KubeProxyRules {
  /** The iptables-restore input: the nat table, and the filter table when a service has no backend. */
  restoreInput: string;
  /** Rules ("-A" lines) and chains written. */
  natRules: number;
  natChains: number;
  filterRules: number;
  /** Per service port, in the order given: its KUBE-SVC chain and, per selectable backend in order, its KUBE-SEP chain ("" without backends). */
  chains: { service: string; endpoints: { address: string; port: number; chain: string }[] }[];
}

export class KubeProxyRulesError extends Error {
  constructor(service: string, field: string, detail: string) {
    super(`kube-proxy rules: service port ${service}: ${field}: ${detail}`);
    this.name = "KubeProxyRulesError";
  }
}

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** The first 16 characters of RFC 4648 base32 (Go's StdEncoding) of `bytes`: 80 bits. */
function base32Prefix16(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes.subarray(0, 10)) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function hash16(text: string): string {
  return base32Prefix16(createHash("sha256").update(text).digest());
}

/** "NAMESPACE/NAME" or "NAMESPACE/NAME:PORT", as kube-proxy prints a ServicePortName. */
export function servicePortName(port: Pick<ServicePort, "service" | "portName">): string {
  return port.portName === "" ? port.service : `${port.service}:${port.portName}`;
}

export function serviceChainName(portName: string, protocol: string): string {
  return `KUBE-SVC-${hash16(portName + protocol)}`;
}

export function externalChainName(portName: string, protocol: string): string {
  return `KUBE-EXT-${hash16(portName + protocol)}`;
}

export function endpointChainName(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(portName + protocol + endpoint)}`;
}

/** kube-proxy's probability argument: 1/n with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

const quote = (comment: string) => `"${comment}"`;

/** kube-proxy's nat (and filter) rules for `ports`, as one iptables-restore input. */
export function kubeProxyRules(ports: readonly ServicePort[], options: KubeProxyOptions): KubeProxyRules {
  const natChains: string[] = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"];
  const natRules: string[] = [
    `-A PREROUTING -m comment --comment ${quote("kubernetes service portals")} -j KUBE-SERVICES`,
    `-A OUTPUT -m comment --comment ${quote("kubernetes service portals")} -j KUBE-SERVICES`,
    `-A POSTROUTING -m comment --comment ${quote("kubernetes postrouting rules")} -j KUBE-POSTROUTING`,
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQUERADE_MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment ${quote("kubernetes service traffic requiring SNAT")} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQUERADE_MARK}`,
  ];
  const serviceRules: string[] = [];
  const nodePortRules: string[] = [];
  const filterRules: string[] = [];
  const chains: KubeProxyRules["chains"] = [];
  const totalEndpoints = ports.reduce((sum, port) => sum + selectableBackends(port.backends).length, 0);
  const largeCluster = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;

  for (const port of ports) {
    const name = servicePortName(port);
    if (port.affinityTimeout !== undefined)
      throw new KubeProxyRulesError(name, "affinityTimeout", "session affinity is not generated (only the Cluster traffic policies without affinity are)");
    if (port.internalLocal) throw new KubeProxyRulesError(name, "internalLocal", "internalTrafficPolicy Local is not generated");
    if (port.externalLocal) throw new KubeProxyRulesError(name, "externalLocal", "externalTrafficPolicy Local is not generated");
    const protocols = new Set(port.frontends.map((frontend) => frontend.protocol));
    if (protocols.size !== 1) throw new KubeProxyRulesError(name, "frontends", `expected one protocol, got ${[...protocols].join(", ") || "no frontend"}`);
    const protocol = [...protocols][0].toLowerCase();
    const backends = selectableBackends(port.backends);
    const svcChain = serviceChainName(name, protocol);
    const extChain = externalChainName(name, protocol);
    const match = (address: string | undefined, dport: number) => `-m ${protocol} -p ${protocol}${address ? ` -d ${address}` : ""} --dport ${dport}`;
    const endpoints = backends.map((backend) => {
      const endpoint = `${backend.address}:${backend.port}`;
      return { address: backend.address, port: backend.port, chain: endpointChainName(name, protocol, endpoint) };
    });
    chains.push({ service: name, endpoints });

    const nodePorts = new Set<number>();
    let external = false;
    for (const frontend of port.frontends) {
      if (frontend.kind === "NodePort") {
        nodePorts.add(frontend.port);
        continue;
      }
      const what = { ClusterIP: "cluster IP", ExternalIP: "external IP", LoadBalancer: "loadbalancer IP" }[frontend.kind];
      if (backends.length === 0) {
        filterRules.push(
          `-A KUBE-${frontend.kind === "ClusterIP" ? "SERVICES" : "EXTERNAL-SERVICES"} -m comment --comment ${quote(`${name} has no endpoints`)} ${match(frontend.address, frontend.port)} -j REJECT`,
        );
        continue;
      }
      external ||= frontend.kind !== "ClusterIP";
      serviceRules.push(
        `-A KUBE-SERVICES -m comment --comment ${quote(`${name} ${what}`)} ${match(frontend.address, frontend.port)} -j ${frontend.kind === "ClusterIP" ? svcChain : extChain}`,
      );
    }
    for (const nodePort of nodePorts) {
      if (backends.length === 0) {
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${quote(`${name} has no endpoints`)} -m addrtype --dst-type LOCAL ${match(undefined, nodePort)} -j REJECT`,
        );
        continue;
      }
      external = true;
      nodePortRules.push(`-A KUBE-NODEPORTS -m comment --comment ${name} ${match(undefined, nodePort)} -j ${extChain}`);
    }
    if (backends.length === 0) continue;

    natChains.push(svcChain);
    for (const frontend of port.frontends.filter((f) => f.kind === "ClusterIP")) {
      natRules.push(
        `-A ${svcChain} -m comment --comment ${quote(`${name} cluster IP`)} ${match(frontend.address, frontend.port)} ! -s ${options.clusterCIDR} -j KUBE-MARK-MASQ`,
      );
    }
    if (external) {
      natChains.push(extChain);
      natRules.push(`-A ${extChain} -m comment --comment ${quote(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`);
      natRules.push(`-A ${extChain} -j ${svcChain}`);
    }
    endpoints.forEach((endpoint, i) => {
      const comment = largeCluster ? "" : ` -m comment --comment ${quote(`${name} -> ${endpoint.address}:${endpoint.port}`)}`;
      const statistic = i < endpoints.length - 1 ? ` -m statistic --mode random --probability ${probability(endpoints.length - i)}` : "";
      natRules.push(`-A ${svcChain}${comment}${statistic} -j ${endpoint.chain}`);
    });
    for (const endpoint of endpoints) {
      const comment = largeCluster ? "" : ` -m comment --comment ${name}`;
      natChains.push(endpoint.chain);
      natRules.push(`-A ${endpoint.chain}${comment} -s ${endpoint.address}/32 -j KUBE-MARK-MASQ`);
      natRules.push(`-A ${endpoint.chain}${comment} -m ${protocol} -p ${protocol} -j DNAT --to-destination ${endpoint.address}:${endpoint.port}`);
    }
  }
  serviceRules.push(
    `-A KUBE-SERVICES -m comment --comment ${quote("kubernetes service nodeports; NOTE: this must be the last rule in this chain")} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
  );

  const lines: string[] = [];
  if (filterRules.length > 0) {
    const portals = `-m conntrack --ctstate NEW -m comment --comment ${quote("kubernetes service portals")} -j KUBE-SERVICES`;
    const externals = `-m conntrack --ctstate NEW -m comment --comment ${quote("kubernetes externally-visible service portals")} -j KUBE-EXTERNAL-SERVICES`;
    lines.push(
      "*filter",
      ":INPUT ACCEPT [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":KUBE-SERVICES - [0:0]",
      ":KUBE-EXTERNAL-SERVICES - [0:0]",
      `-A INPUT ${externals}`,
      `-A FORWARD ${portals}`,
      `-A FORWARD ${externals}`,
      `-A OUTPUT ${portals}`,
      ...filterRules,
      "COMMIT",
    );
  }
  // concat, not spreads: 100,000 services make arrays too long for a call's arguments.
  const allNatRules = natRules.concat(serviceRules, nodePortRules);
  const nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"].concat(
    natChains.map((chain) => `:${chain} - [0:0]`),
    allNatRules,
    ["COMMIT"],
  );
  return {
    restoreInput: lines.concat(nat).join("\n") + "\n",
    natRules: allNatRules.length,
    natChains: natChains.length,
    filterRules: filterRules.length + (filterRules.length > 0 ? 4 : 0),
    chains,
  };
}
