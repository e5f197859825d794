// The wasm backend: the datapath's objects in ebbflow's VM over a simulated
// cluster. One VM (one linear memory) holds every node; each node has its own
// pinned maps (its ipcache, conntrack, metrics and events), its device with
// bpf_xdp and bpf_host, its bpf_sock on the node's cgroup (with its pods'
// sockets, unless socketLB.hostNamespaceOnly), and one copy of
// bpf_lxc per pod. Peers answer every request; a verdict is what the
// programs did at their hooks.
//
// A frame is routed by its destination address, again after every program
// that rewrote it (service translation, reverse NAT): it ends at the pod,
// node or world host the address names. With socket LB, a TCP or UDP attempt
// from a pod or a node first runs bpf_sock's connect4 (TCP) or sendmsg4
// (UDP), and a UDP reply runs recvmsg4, as the kernel runs them around the
// packets. A connection to the source's own address or into 127.0.0.0/8
// (after bpf_sock) stays on the source's loopback, as in the kernel: no
// program sees it, and the source answers itself.

import type {
  AttemptObservation,
  ConnectionAttempt,
  Datapath,
  DatapathEvent,
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
import { staysOnLoopback } from "../src/core/datapath/loopback.ts";
import { attachNode, DEVICE_IFINDEX, loadNode } from "../src/core/datapath/node-loader.ts";
import type { Attachment, CgroupAttachType } from "../src/core/datapath/object-backend.ts";
import { changeEntries, syncEntries } from "../src/core/datapath/sync-map.ts";
import { DatapathTable } from "../src/core/datapath/table.ts";
import { formatIPv4, ipv4HostWord, requireIPv4 } from "../src/util/ipv4.ts";
import { SkBuffLayout, SockVerdict, TcAction, XdpAction, XdpMdLayout } from "../src/abi/generated.ts";
import { PROTOCOL_NUMBERS } from "../src/abi/protocols.ts";
import { StructBytes } from "../src/abi/struct.ts";
import type { VmMap } from "../emu/vm/maps.ts";
import { PinnedMaps, type VmObject } from "../emu/vm/object.ts";
import { runSkb, runSockAddr, testRunXdp } from "../emu/vm/test-run.ts";
import { type Engine, Vm, type VmOptions } from "../emu/vm/vm.ts";
import { type FlowAddress, frame, readFlowAddress, replyFrame } from "./frames.ts";
import { type Hop, hops } from "./topology.ts";
import { VmHooks } from "./vm-hooks.ts";
import { VmObjects } from "./vm-objects.ts";

interface SimulatedNode {
  config: NodeConfig;
  pins: PinnedMaps;
  hooks: VmHooks;
  host: VmObject;
  events: VmMap;
}

interface SimulatedEndpoint {
  config: EndpointConfig;
  lxc: VmObject;
  attachments: Attachment[];
}

/** An address as a u32 whose little-endian bytes are the address's (what .rodata and sock_addr hold). */
const addressWord = (ip: string) => ipv4HostWord(requireIPv4(ip));
const addressOfWord = (word: number) => formatIPv4(ipv4HostWord(word));
/** A port as the kernel keeps user_port: network order in the low 16 bits. */
const portWord = (port: number) => ((port & 0xff) << 8) | (port >>> 8);
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
/** More destination rewrites than any translation needs (DNAT, then at most a reverse one). */
const MAX_DESTINATION_REWRITES = 4;

/** Where a frame ended: the place that received it, and the frame as it arrived. */
interface Delivery {
  place: Place;
  address: FlowAddress;
}

export class WasmDatapath implements Datapath {
  private readonly contexts = { skb: new StructBytes(SkBuffLayout), xdp: new StructBytes(XdpMdLayout) };
  readonly backend = "wasm" as const;
  private readonly nodes = new DatapathTable<SimulatedNode>("wasm", "node");
  private readonly endpoints = new DatapathTable<SimulatedEndpoint>("wasm", "endpoint");
  /** Endpoint keys and node names by address: a frame is routed by its destination at every hop. */
  private readonly endpointByIP = new Map<string, string>();
  private readonly nodeByIP = new Map<string, string>();
  private clock = 0n;

  private constructor(private readonly vm: Vm) {}

  /** `engine`: how the VM runs the programs (default compiled); `recorder` sees every run (ebbflow bench). */
  static async create(options: { engine?: Engine; recorder?: VmOptions["recorder"] } = {}): Promise<WasmDatapath> {
    return new WasmDatapath(await Vm.create({ engine: options.engine ?? "compiled", recorder: options.recorder }));
  }

  async addNode(config: NodeConfig): Promise<void> {
    const pins = new PinnedMaps();
    const hooks = new VmHooks();
    const objects = loadNode(new VmObjects(this.vm, pins), config);
    attachNode(hooks, objects, config, DEVICE_IFINDEX);
    this.nodes.set(config.name, { config, pins, hooks, host: objects.host, events: objects.host.map("eb_events") });
    this.nodeByIP.set(config.internalIP, config.name);
  }

  async setEndpoint(config: EndpointConfig): Promise<void> {
    const node = this.nodes.required(config.node);
    const previous = this.endpoints.get(config.key);
    const lxc = loadEndpoint(new VmObjects(this.vm, node.pins), { node: node.config, endpoint: config, previous: previous?.lxc });
    const attachments = attachEndpoint(node.hooks, lxc, config.ifindex);
    // A reload on another veth leaves the old one's hooks to close.
    if (previous && previous.config.ifindex !== config.ifindex) for (const attachment of previous.attachments) attachment.close();
    if (previous && this.endpointByIP.get(previous.config.ip) === config.key) this.endpointByIP.delete(previous.config.ip);
    this.endpoints.set(config.key, { config, lxc, attachments });
    this.endpointByIP.set(config.ip, config.key);
  }

  async removeEndpoint(key: string): Promise<void> {
    const endpoint = this.endpoints.get(key);
    for (const attachment of endpoint?.attachments ?? []) attachment.close();
    if (endpoint && this.endpointByIP.get(endpoint.config.ip) === key) this.endpointByIP.delete(endpoint.config.ip);
    this.endpoints.delete(key);
  }

  async syncMap(owner: MapOwner, name: string, entries: readonly MapEntry[]): Promise<void> {
    syncEntries("node" in owner ? this.nodes.required(owner.node).host.map(name) : this.endpoints.required(owner.endpoint).lxc.map(name), entries);
  }

  async changeMap(owner: MapOwner, name: string, change: MapChange): Promise<void> {
    changeEntries("node" in owner ? this.nodes.required(owner.node).host.map(name) : this.endpoints.required(owner.endpoint).lxc.map(name), change);
  }

  async attempt(attempt: ConnectionAttempt): Promise<AttemptObservation> {
    const events: DatapathEvent[] = [];
    const replyEvents: DatapathEvent[] = [];
    const socket = this.socketConnect(attempt, events);
    if (socket === "refused") return { completed: false, events, replyEvents };
    const request = { ...attempt, destinationIP: socket?.ip ?? attempt.destinationIP, destinationPort: socket?.port ?? attempt.destinationPort };
    // To its own address or 127.0.0.0/8 a connection never leaves the source: its own socket answers on lo.
    if (staysOnLoopback(attempt.sourceIP, request.destinationIP)) return { completed: true, answeredBy: request.destinationIP, events, replyEvents };
    // A socket already translated routes by the backend's address.
    const translated = socket !== undefined && (socket.ip !== attempt.destinationIP || socket.port !== attempt.destinationPort);
    const delivered = this.deliver(frame(request), attempt.from, translated ? undefined : attempt.to, events);
    if (!delivered) return { completed: false, events, replyEvents };
    const answeredBy = delivered.address.destinationIP;
    const returned = this.deliver(replyFrame(delivered.address), delivered.place, undefined, replyEvents);
    let seen = returned && samePlace(returned.place, attempt.from) ? { ip: returned.address.sourceIP, port: returned.address.sourcePort } : undefined;
    if (seen && socket && attempt.protocol === "UDP") seen = this.socketReceive(attempt, socket.cookie, seen);
    // The client takes the reply only from what its socket sent to (its connect(), or recvmsg's translation).
    const expected = attempt.protocol === "TCP" && socket ? socket : { ip: attempt.destinationIP, port: attempt.destinationPort };
    const completed = seen !== undefined && seen.ip === expected.ip && (attempt.protocol === "ICMP" || seen.port === expected.port);
    return { completed, answeredBy, events, replyEvents };
  }

  async inject(injection: PacketInjection): Promise<InjectionObservation> {
    const endpoint = this.endpoints.required(injection.endpoint).config;
    // What the pod sends meets tc ingress of its veth's host side; what it receives, tc egress.
    const hop: Hop = {
      node: endpoint.node,
      hook: { kind: "tc", ifindex: endpoint.ifindex, direction: injection.direction === "egress" ? "ingress" : "egress" },
    };
    const events: DatapathEvent[] = [];
    const { retval } = this.run(hop, injection.frame, events);
    return { retval, events };
  }

  advanceClock(nanoseconds: bigint): void {
    this.clock += nanoseconds;
    this.vm.setClock(this.clock);
  }

  async close(): Promise<void> {
    this.nodes.clear();
    this.endpoints.clear();
    this.endpointByIP.clear();
    this.nodeByIP.clear();
  }

  /**
   * bpf_sock before the first packet of a pod's TCP or UDP attempt: the
   * destination the socket really uses, "refused" when the call failed, or
   * undefined when socket LB does not apply. The socket cookie comes from the
   * seeded source port, so the choice is the seed's.
   */
  private socketConnect(attempt: ConnectionAttempt, events: DatapathEvent[]): { ip: string; port: number; cookie: bigint } | "refused" | undefined {
    if (!this.inSocketCgroup(attempt.from) || (attempt.protocol !== "TCP" && attempt.protocol !== "UDP")) return undefined;
    const node = this.nodes.required(this.nodeOf(attempt.from));
    const udp = attempt.protocol === "UDP";
    const program = node.hooks.at(cgroupHook(udp ? "cgroup_udp4_sendmsg" : "cgroup_inet4_connect"));
    if (!program) return undefined;
    const cookie = (BigInt(addressWord(attempt.sourceIP) >>> 0) << 16n) | BigInt(attempt.sourcePort);
    const output = runSockAddr(this.vm, program, {
      hook: udp ? "sendmsg4" : "connect4",
      userIp4: addressWord(attempt.destinationIP),
      userPort: portWord(attempt.destinationPort),
      type: udp ? SOCK_DGRAM : SOCK_STREAM,
      protocol: udp ? PROTOCOL_NUMBERS.UDP : PROTOCOL_NUMBERS.TCP,
      msgSrcIp4: udp ? addressWord(attempt.sourceIP) : undefined,
      sourceIp4: addressWord(attempt.sourceIP),
      sourcePort: attempt.sourcePort,
      cookie,
    });
    for (const record of node.events.drain()) events.push({ node: node.config.name, record });
    if (output.retval === SockVerdict.SOCK_REJECT) return "refused";
    return { ip: addressOfWord(output.userIp4), port: portWord(output.userPort), cookie };
  }

  /**
   * Whether a place's sockets are in the node's cgroup, where bpf_sock is
   * attached: the node's own processes always, pods unless socket LB is
   * for the host namespace only (as the kernel backend places them).
   */
  private inSocketCgroup(place: Place): boolean {
    if (place.kind === "world") return false;
    return place.kind === "node" || !this.nodes.required(this.nodeOf(place)).config.loadBalancer?.hostNamespaceOnly;
  }

  /** recvmsg4 on a UDP reply: the source the application sees. */
  private socketReceive(attempt: ConnectionAttempt, cookie: bigint, source: { ip: string; port: number }): { ip: string; port: number } {
    const program = this.nodes.required(this.nodeOf(attempt.from)).hooks.at(cgroupHook("cgroup_udp4_recvmsg"));
    if (!program) return source;
    const output = runSockAddr(this.vm, program, {
      hook: "recvmsg4",
      userIp4: addressWord(source.ip),
      userPort: portWord(source.port),
      type: SOCK_DGRAM,
      protocol: PROTOCOL_NUMBERS.UDP,
      cookie,
    });
    return { ip: addressOfWord(output.userIp4), port: portWord(output.userPort) };
  }

  /**
   * Carries a frame from a place through every program on its way, routed by
   * its destination address (first to `to` when given), again after every
   * program that changed that address. Undefined when a program drops it.
   */
  private deliver(bytes: Uint8Array, from: Place, to: Place | undefined, events: DatapathEvent[]): Delivery | undefined {
    let current = bytes;
    let address = readFlowAddress(current);
    let destination = to ?? this.placeOfAddress(address.destinationIP, this.nodeOf(from));
    let path = hops(from, destination, this.locate);
    let rewrites = 0;
    for (let next = 0; next < path.length;) {
      const hop = path[next++];
      const { retval, data } = this.run(hop, current, events);
      const passed = hop.hook.kind === "xdp" ? retval === XdpAction.XDP_PASS : retval === TcAction.TC_ACTION_OK || retval === TcAction.TC_ACTION_UNSPEC;
      if (!passed) return undefined;
      current = data;
      const before = address.destinationIP;
      address = readFlowAddress(current);
      if (address.destinationIP !== before) {
        if (++rewrites > MAX_DESTINATION_REWRITES) throw new Error(`a frame's destination was rewritten ${rewrites} times on its way: a translation loop`);
        const here: Place = { kind: "node", node: hop.node };
        destination = this.placeOfAddress(address.destinationIP, here.node);
        path = hops(here, destination, this.locate);
        next = 0;
      }
    }
    return { place: destination, address };
  }

  /** The pod or node an address belongs to, else a world host reached through `node`. */
  private placeOfAddress(ip: string, node: string): Place {
    const endpoint = this.endpointByIP.get(ip);
    if (endpoint !== undefined) return { kind: "pod", endpoint };
    const name = this.nodeByIP.get(ip);
    if (name !== undefined) return { kind: "node", node: name };
    return { kind: "world", ip, via: node };
  }

  /** Runs the program attached at the hop's hook; with none there, the frame passes unchanged, as in the kernel. */
  private run(hop: Hop, bytes: Uint8Array, events: DatapathEvent[]): { retval: number; data: Uint8Array } {
    const node = this.nodes.required(hop.node);
    const program = node.hooks.at(hop.hook);
    if (!program) return { retval: hop.hook.kind === "xdp" ? XdpAction.XDP_PASS : TcAction.TC_ACTION_UNSPEC, data: bytes };
    // The contexts are copied into the VM by each run: one buffer of each serves every hop.
    const { skb, xdp } = this.contexts;
    const output =
      hop.hook.kind === "xdp"
        ? testRunXdp(this.vm, program, { data: bytes, ctx: xdp.set("data_end", bytes.byteLength).set("ingress_ifindex", hop.hook.ifindex).bytes })
        : runSkb(this.vm, program, { data: bytes, ctx: skb.set("ifindex", hop.hook.ifindex).bytes });
    for (const record of node.events.drain()) events.push({ node: node.config.name, record });
    return { retval: output.retval, data: output.data };
  }

  private readonly locate = (place: Place): { node: string; veth?: number } => {
    if (place.kind !== "pod") return { node: this.nodeOf(place) };
    const endpoint = this.endpoints.required(place.endpoint).config;
    return { node: endpoint.node, veth: endpoint.ifindex };
  };

  private nodeOf(place: Place): string {
    if (place.kind === "pod") return this.endpoints.required(place.endpoint).config.node;
    return place.kind === "node" ? place.node : place.via;
  }
}

const cgroupHook = (attachType: CgroupAttachType) => ({ kind: "cgroup", attachType }) as const;

function samePlace(a: Place, b: Place): boolean {
  if (a.kind === "pod" && b.kind === "pod") return a.endpoint === b.endpoint;
  if (a.kind === "node" && b.kind === "node") return a.node === b.node;
  return a.kind === "world" && b.kind === "world" && a.ip === b.ip;
}
