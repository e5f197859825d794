// The kernel backend: the datapath's objects loaded with libbpf and attached
// to real hooks of real network namespaces (topology.ts), real peers making
// and answering connections (peer.ts), verdicts read from the nodes' ring
// buffers. Per node: bpf_host on eth0 (tc ingress from-netdev, tc egress
// to-netdev), bpf_xdp on eth0 (generic mode), bpf_sock on the node's cgroup,
// which holds the node's peer and its pods' (with socketLB.hostNamespaceOnly
// the pods' are in a cgroup beside it, which bpf_sock does not see); per pod: a copy of bpf_lxc with
// the pod's constants on the host side of its veth (tc ingress
// from-container, tc egress to-container). Each node's maps are pinned in its
// own directory of the run's bpffs, shared by name between its objects.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type {
  AttemptObservation,
  ConnectionAttempt,
  Datapath,
  EndpointConfig,
  InjectionObservation,
  MapEntry,
  MapChange,
  MapOwner,
  NodeConfig,
  PacketInjection,
  Place,
} from "../src/core/datapath/datapath.ts";
import { attachEndpoint, loadEndpoint } from "../src/core/datapath/endpoint-loader.ts";
import type { Attachment } from "../src/core/datapath/object-backend.ts";
import { staysOnLoopback } from "../src/core/datapath/loopback.ts";
import { attachNode, DEVICE_IFINDEX, loadNode } from "../src/core/datapath/node-loader.ts";
import { changeEntries, syncEntries } from "../src/core/datapath/sync-map.ts";
import { DatapathTable } from "../src/core/datapath/table.ts";
import { podInterfaceName } from "../src/core/datapath/interface-name.ts";
import { ctEntry, ctKey } from "../src/abi/conntrack.ts";
import { EventHook, LbLoopback, TupleFlags } from "../src/abi/generated.ts";
import { backendValue } from "../src/abi/lb4.ts";
import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { formatIPv4 } from "../src/util/ipv4.ts";
import { attemptEvents, type ClientSide, deliveredTo, isDrop, isEndpointEvent, timed, type TimedEvent } from "./attempt-events.ts";
import { KernelAttacher, KernelObjects } from "./kernel-objects.ts";
import { KernelBackendUnavailableError, kernelBackendUnavailable, type KernelMap, type KernelObject } from "./libbpf.ts";
import { Peer, type PeerProtocol } from "./peer.ts";
import { KernelRun, NETNS_ROOT } from "./run.ts";
import {
  COMMON_SYSCTLS,
  defaultRouteCommands,
  DEVICE,
  deviceCommands,
  fabricCommands,
  fabricPortCommands,
  ip,
  NODE_SYSCTLS,
  type PodInterface,
  podCommands,
  podHostCommands,
  POD_SYSCTLS,
  routesToNode,
  vethMtuCommands,
  WORLD_SYSCTLS,
} from "./topology.ts";
import { carryOverVeth, TEST_RUN_MAX_FRAME } from "./veth-frame.ts";

const ETH_HLEN = 14;
/** How long an attempt may go without a reply or a drop before it counts as lost: a safety net only. */
const ATTEMPT_TIMEOUT_MS = 3000;
/** How often the ring buffers are read while an attempt is under way. */
const POLL_MS = 1;

interface KernelNode {
  config: NodeConfig;
  netns: string;
  pinRoot: string;
  cgroup: string;
  /** The cgroup of the node's pods: the node's, or with socketLB.hostNamespaceOnly one beside it, outside bpf_sock's reach. */
  podCgroup: string;
  peer: Peer;
  objects: KernelObject[];
  links: Attachment[];
  events: KernelMap;
}

interface KernelEndpoint {
  config: EndpointConfig;
  netns: string;
  peer: Peer;
  lxc: KernelObject;
  /** bpf_lxc's programs on the host side of the pod's veth. */
  links: Attachment[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KernelDatapath implements Datapath {
  readonly backend = "kernel" as const;
  private readonly nodes = new DatapathTable<KernelNode>("kernel", "node");
  private readonly endpoints = new DatapathTable<KernelEndpoint>("kernel", "endpoint");
  private readonly worldAddresses = new Set<string>();
  /** Frontends (LoadBalancer, externalIPs) the world routes to a node, by address: the node's address. */
  private readonly worldFrontends = new Map<string, string>();
  /** Every node's service backends (eb_lb4_backends values by node): what needs a listener on its target port. */
  private readonly serviceBackends = new Map<string, ServiceBackend[]>();
  private podCount = 0;

  private constructor(
    readonly run: KernelRun,
    private readonly fabric: { netns: string; peer: Peer },
    private readonly world: { netns: string; peer: Peer },
  ) {}

  /** Sets up a run: its bpffs, cgroup, the fabric and the world. Fails with what the machine lacks. */
  static async create(): Promise<KernelDatapath> {
    const problem = kernelBackendUnavailable();
    if (problem) throw new KernelBackendUnavailableError(problem);
    const run = new KernelRun();
    try {
      const fabric = run.netnsName("fabric");
      const world = run.netnsName("world");
      await ip(undefined, [`netns add ${fabric}`, `netns add ${world}`]);
      const fabricPeer = await Peer.start(join(NETNS_ROOT, fabric), COMMON_SYSCTLS);
      const worldPeer = await Peer.start(join(NETNS_ROOT, world), WORLD_SYSCTLS);
      await ip(fabric, fabricCommands());
      await ip(world, deviceCommands(fabric, "world", undefined));
      await ip(fabric, fabricPortCommands("world"));
      return new KernelDatapath(run, { netns: fabric, peer: fabricPeer }, { netns: world, peer: worldPeer });
    } catch (error) {
      run.close();
      throw error;
    }
  }

  async addNode(config: NodeConfig): Promise<void> {
    const index = this.nodes.size;
    const netns = this.run.netnsName(`n${index}`);
    const fabricSide = `n${index}`;
    await ip(undefined, [`netns add ${netns}`]);
    const peer = await Peer.start(join(NETNS_ROOT, netns), NODE_SYSCTLS);
    await ip(netns, [...deviceCommands(this.fabric.netns, fabricSide, config.internalIP), ...defaultRouteCommands()]);
    await ip(this.fabric.netns, fabricPortCommands(fabricSide));
    for (const other of this.nodes.values()) {
      await ip(netns, routesToNode(other.config));
      await ip(other.netns, routesToNode(config));
    }
    await ip(this.world.netns, routesToNode(config));

    const pinRoot = join(this.run.bpffs, `n${index}`);
    mkdirSync(pinRoot);
    const cgroup = join(this.run.cgroup, `n${index}`);
    mkdirSync(cgroup);
    writeFileSync(join(cgroup, "cgroup.procs"), String(peer.pid));
    const podCgroup = config.loadBalancer?.hostNamespaceOnly ? join(this.run.cgroup, `n${index}-pods`) : cgroup;
    if (podCgroup !== cgroup) mkdirSync(podCgroup);
    const loaded = loadNode(new KernelObjects({ pinRoot }), config);
    const objects = [loaded.host, loaded.xdp, loaded.sock];
    try {
      const links = attachNode(new KernelAttacher({ netns: join(NETNS_ROOT, netns), cgroup }), loaded, config, DEVICE_IFINDEX);
      this.nodes.set(config.name, { config, netns, pinRoot, cgroup, podCgroup, peer, objects, links, events: loaded.host.map("eb_events") });
    } catch (error) {
      for (const object of objects) object.close();
      throw error;
    }
  }

  async setEndpoint(config: EndpointConfig): Promise<void> {
    const node = this.nodes.required(config.node);
    let previous = this.endpoints.get(config.key);
    if (previous && (previous.config.ip !== config.ip || previous.config.node !== config.node || previous.config.ifindex !== config.ifindex)) {
      await this.removeEndpoint(config.key);
      previous = undefined;
    }
    const { netns, peer } = previous ?? (await this.createPod(node, config));
    const lxc = loadEndpoint(new KernelObjects({ pinRoot: node.pinRoot }), { node: node.config, endpoint: config, previous: previous?.lxc });
    let links: Attachment[];
    try {
      links = attachEndpoint(new KernelAttacher({ netns: join(NETNS_ROOT, node.netns) }), lxc, config.ifindex);
    } catch (error) {
      lxc.close();
      throw error;
    }
    // The new programs replaced the previous copy's in place: its links find them gone and detach nothing.
    for (const link of previous?.links ?? []) link.close();
    previous?.lxc.close();
    this.endpoints.set(config.key, { config, netns, peer, lxc, links });
  }

  async removeEndpoint(key: string): Promise<void> {
    const endpoint = this.endpoints.required(key);
    this.endpoints.delete(key);
    await endpoint.peer.stop();
    for (const link of endpoint.links) link.close();
    // The pod's veth goes with its namespace.
    await ip(undefined, [`netns del ${endpoint.netns}`]);
    endpoint.lxc.close();
  }

  async syncMap(owner: MapOwner, name: string, entries: readonly MapEntry[]): Promise<void> {
    const map = this.mapOf(owner, name);
    if (name === "eb_lb4_backends" && "node" in owner)
      this.serviceBackends.set(
        owner.node,
        entries.map(({ value }) => backendValue.decode(value)),
      );
    syncEntries(map, entries);
  }

  async changeMap(owner: MapOwner, name: string, change: MapChange): Promise<void> {
    const map = this.mapOf(owner, name);
    changeEntries(map, change);
    // The peers to start for a service's attempt are read from the backends as the map now holds them.
    if (name === "eb_lb4_backends" && "node" in owner)
      this.serviceBackends.set(
        owner.node,
        [...map.keys()].map((key) => backendValue.decode(map.lookup(key)!)),
      );
  }

  async attempt(attempt: ConnectionAttempt): Promise<AttemptObservation> {
    const source = await this.peerAt(attempt.from, attempt.sourceIP);
    if (attempt.from.kind === "world" && attempt.to.kind === "node")
      await this.routeFrontend(attempt.destinationIP, this.nodes.required(attempt.to.node).config.internalIP);
    // To its own address or 127.0.0.0/8 the source connects over its own lo, where its own peer answers.
    const loopback = staysOnLoopback(attempt.sourceIP, attempt.destinationIP);
    const destination = loopback ? source : await this.peerAt(attempt.to, attempt.destinationIP);
    if (attempt.protocol !== "ICMP") {
      const protocol = protocolName(attempt.protocol) as Exclude<PeerProtocol, "icmp">;
      await destination.listen(protocol, attempt.destinationPort);
      // A service's attempt is answered by whichever backend the datapath chose, on its target port.
      for (const backend of this.backendsOf(attempt.protocol)) await (await this.peerOfAddress(formatIPv4(backend.address))).listen(protocol, backend.port);
    }
    // What earlier attempts' sockets still send (a reset, a late retransmission) is not this attempt's.
    this.drainAll();
    const connection = source.connect({
      protocol: protocolName(attempt.protocol),
      sourceIP: attempt.sourceIP,
      sourcePort: attempt.sourcePort,
      destinationIP: attempt.destinationIP,
      destinationPort: attempt.destinationPort,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
    });
    let completed: boolean | undefined;
    let answer: string | undefined;
    connection.answer.then(
      (address) => ((answer = address), (completed = address !== undefined)),
      () => {},
    ); // a failed peer is reported by the race below
    const events: TimedEvent[] = [];
    let snat: ClientSide[] = [];
    let dropped = false;
    // The verdict is what the datapath reports: a drop event ends the wait
    // at once; the peer's answer ends it when the reply came back.
    while (completed === undefined && !dropped) {
      await Promise.race([connection.answer, sleep(POLL_MS)]);
      const fresh = this.drainAll();
      if (fresh.length === 0) continue;
      events.push(...fresh);
      snat = this.snatOf(attempt);
      const halves = attemptEvents(attempt, events, snat);
      dropped = halves.request.some(isDrop) || halves.reply.some(isDrop);
    }
    if (completed === undefined) connection.cancel();
    events.push(...this.drainAll());
    snat = this.snatOf(attempt);
    const { request, reply } = attemptEvents(attempt, events, snat);
    const observation: AttemptObservation = { completed: completed === true, events: request, replyEvents: reply };
    // The backend that answered is where the datapath delivered the request (the peer sees the frontend, after reverse NAT);
    // a request no program saw, answered from the source's own address or loopback, stayed on the source's lo (bpf_sock may have sent it there).
    const answeredOnLoopback = completed && request.length === 0 && answer !== undefined && staysOnLoopback(attempt.sourceIP, answer);
    const answeredBy = answeredOnLoopback ? answer : completed ? deliveredTo(request) : undefined;
    if (answeredBy !== undefined) observation.answeredBy = answeredBy;
    return observation;
  }

  /**
   * A frame a test run takes runs in one, which gives the program's return
   * code whatever it is; a longer one (up to MAX_FRAME_BYTES) crosses the
   * pod's veth through the program at its hook (veth-frame.ts).
   */
  async inject(injection: PacketInjection): Promise<InjectionObservation> {
    const endpoint = this.endpoints.required(injection.endpoint);
    const node = this.nodes.required(endpoint.config.node);
    this.drainAll();
    const egress = injection.direction === "egress";
    const frame = carriable(injection.frame);
    const toEvents = (records: Uint8Array[]) => records.map((record) => ({ node: node.config.name, record }));
    if (frame.length <= TEST_RUN_MAX_FRAME) {
      // No context: bpf_lxc takes its ifindex from its constants, and a test
      // run's ifindex would name an interface of this process's namespace.
      const { retval } = endpoint.lxc.program(egress ? "cil_from_container" : "cil_to_container").testRun({ data: frame });
      return { retval, events: toEvents(node.events.drainRingbuf()) };
    }
    const pod = { netns: endpoint.netns, device: DEVICE };
    const host = { netns: node.netns, device: podInterfaceName(endpoint.config.key) };
    // The peers' traffic may write events meanwhile: only the program's own are the frame's.
    const own = (record: Uint8Array) => isEndpointEvent(record, egress ? EventHook.HOOK_POD_EGRESS : EventHook.HOOK_POD_INGRESS, endpoint.config.endpointId);
    const { retval, records } = await carryOverVeth(
      egress ? pod : host,
      egress ? host : pod,
      frame,
      () => node.events.drainRingbuf(),
      (record) => own(record) && isDrop({ node: node.config.name, record }),
    );
    return { retval, events: toEvents(records.filter(own)) };
  }

  /** The kernel's clock cannot be moved; the replay keeps its own for flows, and nothing here expires by time. */
  advanceClock(_nanoseconds: bigint): void {}

  /**
   * connect() on a UDP socket from a pod's or node's peer, inside the node's
   * cgroup: where bpf_sock sent it, or the errno it refused it with.
   */
  async socketConnect(place: Exclude<Place, { kind: "world" }>, ip: string, port: number) {
    const peer = place.kind === "pod" ? this.endpoints.required(place.endpoint).peer : this.nodes.required(place.node).peer;
    return peer.socketConnect(ip, port);
  }

  /** The bpffs directory where a node's shared maps are pinned. */
  pinRoot(node: string): string {
    return this.nodes.required(node).pinRoot;
  }

  async close(): Promise<void> {
    const peers = [this.fabric.peer, this.world.peer, ...[...this.nodes.values()].map((n) => n.peer), ...[...this.endpoints.values()].map((e) => e.peer)];
    await Promise.all(peers.map((peer) => peer.stop()));
    for (const endpoint of this.endpoints.values()) {
      for (const link of endpoint.links) link.close();
      endpoint.lxc.close();
    }
    for (const node of this.nodes.values()) {
      for (const link of node.links) link.close();
      for (const object of node.objects) object.close();
    }
    this.endpoints.clear();
    this.nodes.clear();
    this.run.close();
  }

  private async createPod(node: KernelNode, config: EndpointConfig): Promise<{ netns: string; peer: Peer }> {
    const netns = this.run.netnsName(`p${this.podCount++}`);
    await ip(undefined, [`netns add ${netns}`]);
    const peer = await Peer.start(join(NETNS_ROOT, netns), POD_SYSCTLS);
    writeFileSync(join(node.podCgroup, "cgroup.procs"), String(peer.pid));
    const pod: PodInterface = { hostName: podInterfaceName(config.key), hostIfindex: config.ifindex, podName: DEVICE, ip: config.ip };
    await ip(node.netns, [...podHostCommands(netns, pod), ...vethMtuCommands(pod.hostName)]);
    await ip(netns, [...podCommands(pod), ...vethMtuCommands(pod.podName)]);
    return { netns, peer };
  }

  /** The peer that speaks for a place; a world host's address is added to the world first. */
  private async peerAt(place: Place, address: string): Promise<Peer> {
    if (place.kind === "pod") return this.endpoints.required(place.endpoint).peer;
    if (place.kind === "node") return this.nodes.required(place.node).peer;
    if (!this.worldAddresses.has(address)) {
      await ip(this.world.netns, [`addr add ${address}/32 dev ${DEVICE}`]);
      this.worldAddresses.add(address);
    }
    return this.world.peer;
  }

  /**
   * What SNAT made of the attempt's client: the source of each
   * `TUPLE_F_NODEPORT` conntrack entry of a node that remembers the client
   * in its nat_addr and nat_port (bpf/README.md, eb_ct4); for a pod, the
   * hairpin's loopback address with the pod's port (bpf_lxc).
   */
  private snatOf(attempt: ConnectionAttempt): ClientSide[] {
    if (attempt.protocol !== "TCP" && attempt.protocol !== "UDP") return [];
    const sides: ClientSide[] = attempt.from.kind === "pod" ? [{ ip: IPV4_LOOPBACK, port: attempt.sourcePort }] : [];
    for (const node of this.nodes.values()) {
      const conntrack = this.mapOf({ node: node.config.name }, "eb_ct4");
      for (const bytes of conntrack.keys()) {
        const key = ctKey.decode(bytes);
        if (key.flags !== TupleFlags.TUPLE_F_NODEPORT || key.protocol !== PROTOCOL_NUMBERS[attempt.protocol]) continue;
        const value = conntrack.lookup(bytes);
        if (!value) continue;
        const entry = ctEntry.decode(value);
        if (formatIPv4(entry.natAddress) !== attempt.sourceIP || entry.natPort !== attempt.sourcePort) continue;
        sides.push({ ip: formatIPv4(key.sourceAddress), port: key.sourcePort });
      }
    }
    return sides;
  }

  /** Makes the world send a frontend's address to the node that owns it, as an announcement (BGP, ARP) would. */
  private async routeFrontend(address: string, nodeAddress: string): Promise<void> {
    if (address === nodeAddress || this.worldFrontends.get(address) === nodeAddress) return;
    await ip(this.world.netns, [`route replace ${address}/32 via ${nodeAddress}`]);
    this.worldFrontends.set(address, nodeAddress);
  }

  /** The service backends of `protocol` on any node, each address and port once. */
  private backendsOf(protocol: ConnectionAttempt["protocol"]): ServiceBackend[] {
    const unique = new Map<string, ServiceBackend>();
    for (const backends of this.serviceBackends.values()) {
      for (const backend of backends) if (backend.protocol === PROTOCOL_NUMBERS[protocol]) unique.set(`${backend.address}:${backend.port}`, backend);
    }
    return [...unique.values()];
  }

  /** The peer holding an address: a pod's, a node's, else the world's (which then holds it). */
  private async peerOfAddress(address: string): Promise<Peer> {
    for (const endpoint of this.endpoints.values()) if (endpoint.config.ip === address) return endpoint.peer;
    for (const node of this.nodes.values()) if (node.config.internalIP === address) return node.peer;
    return this.peerAt({ kind: "world", ip: address, via: "" }, address);
  }

  private mapOf(owner: MapOwner, name: string): KernelMap {
    if ("endpoint" in owner) return this.endpoints.required(owner.endpoint).lxc.map(name);
    const node = this.nodes.required(owner.node);
    const object = node.objects.find((candidate) => candidate.maps().some((map) => map.name === name));
    if (!object) throw new Error(`the kernel datapath's node ${owner.node} has no map ${name}`);
    return object.map(name);
  }

  private drainAll(): TimedEvent[] {
    const events: TimedEvent[] = [];
    for (const node of this.nodes.values()) for (const record of node.events.drainRingbuf()) events.push(timed(node.config.name, record));
    return events;
  }
}

/** An `eb_lb4_backends` value: what needs a listener on its target port. */
type ServiceBackend = ReturnType<typeof backendValue.decode>;

/** The source of a pod's hairpin connection to itself through a service (bpf_lxc). */
const IPV4_LOOPBACK = formatIPv4(LbLoopback.IPV4_LOOPBACK);

/**
 * A frame as an Ethernet device carries it: one shorter than the Ethernet
 * header is padded with zeros to 14 bytes, as the kernel pads a raw packet
 * socket's short frame (dev_validate_header); its test run refuses shorter ones.
 */
function carriable(frame: Uint8Array): Uint8Array {
  if (frame.length >= ETH_HLEN) return frame;
  const padded = new Uint8Array(ETH_HLEN);
  padded.set(frame);
  return padded;
}

function protocolName(protocol: ConnectionAttempt["protocol"]): PeerProtocol {
  return protocol.toLowerCase() as PeerProtocol;
}
