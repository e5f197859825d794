// The wasm backend: the datapath's objects in ebbflow's VM over a simulated
// cluster. One VM (one linear memory) holds every node; each node has its own
// pinned maps (its ipcache, conntrack, metrics and events), its device with
// bpf_xdp and bpf_host, and one copy of bpf_lxc per pod. Peers answer every
// request; a verdict is what the programs did at their hooks.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  AttemptObservation,
  ConnectionAttempt,
  Datapath,
  DatapathEvent,
  EndpointConfig,
  InjectionObservation,
  MapEntry,
  MapOwner,
  NodeConfig,
  PacketInjection,
  Place,
} from "../src/core/datapath/datapath.ts";
import { packageRoot } from "../src/util/package-root.ts";
import { type BpfObject, loadObject } from "../emu/loader/object.ts";
import type { VmMap } from "../emu/vm/maps.ts";
import { loadIntoVm, PinnedMaps, type VmObject } from "../emu/vm/object.ts";
import { runSkb, testRunXdp } from "../emu/vm/test-run.ts";
import { type Engine, Vm, type VmOptions } from "../emu/vm/vm.ts";
import { frame, replyFrame } from "./frames.ts";
import { type HookProgram, hops } from "./topology.ts";

const TC_ACT_UNSPEC = 0xffffffff;
const TC_ACT_OK = 0;
const XDP_PASS = 2;
/** The node's device (eth0): ifindex 2 in every node's namespace, as on a real node. */
export const DEVICE_IFINDEX = 2;
const CALL_IPV4_FROM_CONTAINER = 1;
const CALL_IPV4_TO_CONTAINER = 2;

interface SimulatedNode {
  config: NodeConfig;
  pins: PinnedMaps;
  host: VmObject;
  xdp: VmObject;
  events: VmMap;
}

interface SimulatedEndpoint {
  config: EndpointConfig;
  lxc: VmObject;
}

let objects: { lxc: BpfObject; host: BpfObject; xdp: BpfObject } | undefined;
function datapathObjects() {
  if (!objects) {
    const read = (name: string) => loadObject(readFileSync(join(packageRoot(), "bpf", name)), name);
    objects = { lxc: read("bpf_lxc.o"), host: read("bpf_host.o"), xdp: read("bpf_xdp.o") };
  }
  return objects;
}

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

export class WasmDatapath implements Datapath {
  readonly backend = "wasm" as const;
  private readonly nodes = new Map<string, SimulatedNode>();
  private readonly endpoints = new Map<string, SimulatedEndpoint>();
  private clock = 0n;

  private constructor(private readonly vm: Vm) {}

  /** `engine`: how the VM runs the programs (default compiled); `recorder` sees every run (ebbflow bench). */
  static async create(options: { engine?: Engine; recorder?: VmOptions["recorder"] } = {}): Promise<WasmDatapath> {
    return new WasmDatapath(await Vm.create({ engine: options.engine ?? "compiled", recorder: options.recorder }));
  }

  async addNode(config: NodeConfig): Promise<void> {
    const pins = new PinnedMaps();
    const { host, xdp } = datapathObjects();
    const nodeIpv4 = new DataView(Uint8Array.from(config.internalIP.split(".").map(Number)).buffer).getUint32(0, true);
    const hostObject = loadIntoVm(this.vm, host, { pins, variables: { node_ipv4: nodeIpv4 } });
    const xdpObject = loadIntoVm(this.vm, xdp, { pins });
    this.nodes.set(config.name, { config, pins, host: hostObject, xdp: xdpObject, events: hostObject.map("eb_events") });
  }

  async setEndpoint(config: EndpointConfig): Promise<void> {
    const node = this.node(config.node);
    const previous = this.endpoints.get(config.key);
    const ipv4 = new DataView(Uint8Array.from(config.ip.split(".").map(Number)).buffer).getUint32(0, true);
    const lxc = loadIntoVm(this.vm, datapathObjects().lxc, {
      pins: node.pins,
      variables: {
        endpoint_id: config.endpointId,
        endpoint_ipv4: ipv4,
        endpoint_ifindex: config.ifindex,
        endpoint_identity: config.identity,
        policy_ingress_enforced: config.ingressEnforced ? 1 : 0,
        policy_egress_enforced: config.egressEnforced ? 1 : 0,
      },
    });
    lxc.map("eb_calls").update(u32(CALL_IPV4_FROM_CONTAINER), u32(lxc.program("tail_ipv4_from_container").id));
    lxc.map("eb_calls").update(u32(CALL_IPV4_TO_CONTAINER), u32(lxc.program("tail_ipv4_to_container").id));
    // A reloaded endpoint keeps its policy, as Cilium's regeneration does.
    if (previous) for (const [key, value] of previous.lxc.map("eb_policy").entries()) lxc.map("eb_policy").update(key, value);
    this.endpoints.set(config.key, { config, lxc });
  }

  async removeEndpoint(key: string): Promise<void> {
    this.endpoints.delete(key);
  }

  async syncMap(owner: MapOwner, name: string, entries: readonly MapEntry[]): Promise<void> {
    const map = "node" in owner ? this.node(owner.node).host.map(name) : this.endpoint(owner.endpoint).lxc.map(name);
    const wanted = new Map(entries.map((entry) => [hex(entry.key), entry]));
    for (const key of map.keys()) if (!wanted.has(hex(key))) map.delete(key);
    for (const { key, value } of entries) {
      const current = map.lookup(key);
      if (!current || hex(current) !== hex(value)) map.update(key, value);
    }
  }

  async attempt(attempt: ConnectionAttempt): Promise<AttemptObservation> {
    const events: DatapathEvent[] = [];
    const replyEvents: DatapathEvent[] = [];
    const delivered = this.carry(frame(attempt), attempt.from, attempt.to, events);
    const completed = delivered && this.carry(replyFrame(attempt), attempt.to, attempt.from, replyEvents);
    return { completed, events, replyEvents };
  }

  async inject(injection: PacketInjection): Promise<InjectionObservation> {
    const hop: HookProgram = {
      kind: "lxc",
      endpoint: injection.endpoint,
      program: injection.direction === "egress" ? "cil_from_container" : "cil_to_container",
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
  }

  /** Carries a frame through every program between two places; false when one drops it. */
  private carry(bytes: Uint8Array, from: Place, to: Place, events: DatapathEvent[]): boolean {
    let current = bytes;
    for (const hop of hops(from, to, (place) => this.nodeOf(place))) {
      const { retval, data } = this.run(hop, current, events);
      const passed = hop.kind === "xdp" ? retval === XDP_PASS : retval === TC_ACT_OK || retval === TC_ACT_UNSPEC;
      if (!passed) return false;
      current = data;
    }
    return true;
  }

  private run(hop: HookProgram, bytes: Uint8Array, events: DatapathEvent[]): { retval: number; data: Uint8Array } {
    const ctx = new Uint8Array(192);
    const ctxView = new DataView(ctx.buffer);
    let node: SimulatedNode;
    let output;
    if (hop.kind === "lxc") {
      const endpoint = this.endpoint(hop.endpoint);
      node = this.node(endpoint.config.node);
      ctxView.setUint32(40, endpoint.config.ifindex, true);
      output = runSkb(this.vm, endpoint.lxc.program(hop.program), { data: bytes, ctx });
    } else if (hop.kind === "host") {
      node = this.node(hop.node);
      ctxView.setUint32(40, DEVICE_IFINDEX, true);
      output = runSkb(this.vm, node.host.program(hop.program), { data: bytes, ctx });
    } else {
      node = this.node(hop.node);
      const xdpCtx = new Uint8Array(24);
      const xdpView = new DataView(xdpCtx.buffer);
      xdpView.setUint32(4, bytes.byteLength, true);
      xdpView.setUint32(12, DEVICE_IFINDEX, true);
      output = testRunXdp(this.vm, node.xdp.program(hop.program), { data: bytes, ctx: xdpCtx });
    }
    for (const record of node.events.drain()) events.push({ node: node.config.name, record });
    return { retval: output.retval, data: output.data };
  }

  private nodeOf(place: Place): string {
    if (place.kind === "pod") return this.endpoint(place.endpoint).config.node;
    return place.kind === "node" ? place.node : place.via;
  }

  private node(name: string): SimulatedNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`the wasm datapath has no node ${name}`);
    return node;
  }

  private endpoint(key: string): SimulatedEndpoint {
    const endpoint = this.endpoints.get(key);
    if (!endpoint) throw new Error(`the wasm datapath has no endpoint ${key}`);
    return endpoint;
  }
}
