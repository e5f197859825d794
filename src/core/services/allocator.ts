// The numbers Kubernetes and Cilium hand out and keep: ClusterIPs, NodePorts,
// backend IDs and service (rev NAT) IDs. One allocator lives as long as a
// run, so a Service applied mid-traffic never moves what others hold, and
// every choice is a function of the seed and what was asked before.

import { formatIPv4, parseIPv4 } from "../../util/ipv4.ts";
import { hashString } from "./hash.ts";

/** Kubernetes' default NodePort range (kube-apiserver --service-node-port-range). */
export const NODE_PORT_RANGE: readonly [number, number] = [30000, 32767];
/** ClusterIPs are allocated in 10.96.0.0/16 (kubeadm's service CIDR starts there). */
const CLUSTER_IP_BASE = parseIPv4("10.96.0.0")!;
const CLUSTER_IP_COUNT = 1 << 16;

export class ServiceAllocator {
  private readonly clusterIPs = new Map<string, string>();
  /** The values of clusterIPs, kept beside it so that a free address is found without rebuilding them. */
  private readonly allocatedIPs = new Set<string>();
  private readonly nodePorts = new Map<string, number>();
  private readonly backendIds = new Map<string, number>();
  private readonly serviceIds = new Map<string, number>();

  constructor(private readonly seed: number) {}

  /** A free ClusterIP for a Service that names none; `taken` holds those written. */
  clusterIP(service: string, taken: ReadonlySet<string>): string {
    const known = this.clusterIPs.get(service);
    if (known) return known;
    const used = (address: string) => taken.has(address) || this.allocatedIPs.has(address);
    // .0 is the network, .1 the kubernetes Service, .10 kube-dns.
    let offset = hashString(this.seed, service) % CLUSTER_IP_COUNT;
    let address = formatIPv4(CLUSTER_IP_BASE + offset);
    while (offset < 11 || used(address)) {
      offset = (offset + 1) % CLUSTER_IP_COUNT;
      address = formatIPv4(CLUSTER_IP_BASE + offset);
    }
    this.clusterIPs.set(service, address);
    this.allocatedIPs.add(address);
    return address;
  }

  /** A free NodePort for a service port that names none; `taken` holds those in use. */
  nodePort(servicePort: string, taken: ReadonlySet<number>): number {
    const known = this.nodePorts.get(servicePort);
    if (known !== undefined && !taken.has(known)) return known;
    const [low, high] = NODE_PORT_RANGE;
    const size = high - low + 1;
    let offset = hashString(this.seed, servicePort) % size;
    for (let tries = 0; taken.has(low + offset); tries++) {
      if (tries === size) throw new Error(`every NodePort of ${low}-${high} is taken`);
      offset = (offset + 1) % size;
    }
    this.nodePorts.set(servicePort, low + offset);
    return low + offset;
  }

  /** Backend IDs count from 1 in the order backends are first seen. */
  backendId(backend: string): number {
    return this.counter(this.backendIds, backend);
  }

  /** Service IDs (rev_nat_index, 16 bits) count from 1 in the order frontends are first seen. */
  serviceId(frontend: string): number {
    const id = this.counter(this.serviceIds, frontend);
    if (id > 0xffff) throw new Error("more than 65535 service frontends");
    return id;
  }

  private counter(table: Map<string, number>, key: string): number {
    let id = table.get(key);
    if (id === undefined) table.set(key, (id = table.size + 1));
    return id;
  }
}
