// Running a program on a packet the way BPF_PROG_TEST_RUN does
// (net/bpf/test_run.c): the same checks on the input, the context built as
// the kernel builds it, and the same fields given back, so that the VM and the
// kernel can be compared packet by packet. cgroup socket programs have no test
// run in the kernel; runSockAddr() gives them a context of their own.

import { BpfSockAddrLayout, SkBuffLayout, XdpMdLayout } from "../../src/abi/generated.ts";
import { ProgramType } from "../loader/kernel-enums.ts";
import { accessMask, BPF_SOCK, type ContextLayout, SK_BUFF_TC, sockAddrLayout, XDP_MD } from "./context/layout.ts";
import { DEFAULT_BUDGET, type Vm, type VmProgram } from "./vm.ts";

/** The program types a run takes, by the kernel's numbers. */
export const PROGRAM_TYPE = {
  SCHED_CLS: ProgramType.SCHED_CLS,
  SCHED_ACT: ProgramType.SCHED_ACT,
  XDP: ProgramType.XDP,
  CGROUP_SOCK_ADDR: ProgramType.CGROUP_SOCK_ADDR,
} as const;

/** An input the kernel's test run refuses, with its errno name. */
export class TestRunError extends Error {
  constructor(
    readonly code: "EINVAL" | "ENOTSUPP",
    detail: string,
  ) {
    super(`test run refused (${code}): ${detail}`);
    this.name = "TestRunError";
  }
}

export interface TestRunInput {
  data: Uint8Array;
  /** struct __sk_buff or struct xdp_md bytes, as BPF_PROG_TEST_RUN's ctx_in. */
  ctx?: Uint8Array;
  budget?: number;
  /**
   * Runs of the program on the packet, as BPF_PROG_TEST_RUN's repeat: each
   * run sees what the one before left in the packet and the maps; the output
   * is the last run's. 0 counts as 1, as in the kernel.
   */
  repeat?: number;
}

export interface TestRunOutput {
  /** r0 as the kernel reports it: the low 32 bits. */
  retval: number;
  data: Uint8Array;
  /** What the kernel gives back in ctx_out; like the kernel, only when a ctx_in was given. */
  ctx?: Uint8Array;
  executed: number;
  /** With a repeat: the mean time of one run, measured around the runs alone, as the kernel's duration. */
  durationNs?: number;
}

const PAGE_SIZE = 4096;
/** skb_shared_info, SKB_DATA_ALIGN-ed, on x86-64: the tailroom a test run reserves. */
const SKB_TAILROOM = 320;
/** NET_SKB_PAD + NET_IP_ALIGN on x86-64. */
const SKB_HEADROOM = 64;
const XDP_HEADROOM = 256;
const ETH_HLEN = 14;
/**
 * The longest frame runSkb takes: what a veth of the largest MTU
 * (ETH_MAX_MTU, 65,535) carries behind its Ethernet header, which is the
 * most a datapath's tc program meets (a GRO'd TCP flow without BIG TCP).
 */
export const MAX_DEVICE_FRAME = 65535 + ETH_HLEN;
/**
 * The memory a run's packet lies in: the headroom, then the longest frame. A
 * shorter one grows into it with bpf_skb_adjust_room, up to SKB_MAX_ALLOC
 * (16 KiB less the tailroom, well short of the area's end), where the kernel
 * would reallocate the skb.
 */
const PACKET_AREA = SKB_HEADROOM + MAX_DEVICE_FRAME;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const LOOPBACK_IFINDEX = 1;

const skb = SkBuffLayout.fields;
const xdp = XdpMdLayout.fields;

/** The __sk_buff fields a test run sets or reads, by offset. */
export const SKB = {
  len: skb.len.offset,
  pktType: skb.pkt_type.offset,
  mark: skb.mark.offset,
  protocol: skb.protocol.offset,
  priority: skb.priority.offset,
  ingressIfindex: skb.ingress_ifindex.offset,
  ifindex: skb.ifindex.offset,
  cb: skb.cb.offset,
  data: skb.data.offset,
  dataEnd: skb.data_end.offset,
  dataMeta: skb.data_meta.offset,
  tstamp: skb.tstamp.offset,
  wireLen: skb.wire_len.offset,
  gsoSegs: skb.gso_segs.offset,
  gsoSize: skb.gso_size.offset,
  hwtstamp: skb.hwtstamp.offset,
} as const;

/** The bytes from one __sk_buff field to another, both included, as [offset, length]. */
function span(first: keyof typeof skb, last: keyof typeof skb = first): [number, number] {
  return [skb[first].offset, skb[last].offset + skb[last].size - skb[first].offset];
}

/** The __sk_buff bytes a test run accepts in ctx_in (convert___skb_to_skb): all others must be zero. */
const SKB_INPUT_RANGES = [span("mark"), span("priority", "ifindex"), span("cb"), span("tstamp", "gso_segs"), span("gso_size"), span("hwtstamp")];
/** ...and gives back in ctx_out (convert_skb_to___skb). */
const SKB_OUTPUT_RANGES = [span("mark"), span("priority", "ifindex"), span("cb"), span("tstamp", "gso_segs"), span("hwtstamp")];

enum PacketType {
  Host = 0,
  Broadcast = 1,
  Multicast = 2,
  OtherHost = 3,
}

/** Where a VM keeps the context and packet of its runs, with the masks of each layout. */
class RunArea {
  readonly context: number;
  readonly packet: number;
  private readonly masks = new Map<ContextLayout, number>();

  constructor(private readonly vm: Vm) {
    this.context = vm.memory.allocate(256);
    this.packet = vm.memory.allocate(PACKET_AREA);
  }

  mask(layout: ContextLayout): number {
    let address = this.masks.get(layout);
    if (address === undefined) {
      address = this.vm.memory.allocate(layout.size);
      this.vm.memory.write(address, accessMask(layout));
      this.masks.set(layout, address);
    }
    return address;
  }
}

const areas = new WeakMap<Vm, RunArea>();
function areaOf(vm: Vm): RunArea {
  let area = areas.get(vm);
  if (!area) areas.set(vm, (area = new RunArea(vm)));
  return area;
}

/**
 * All ones for each 32-bit word of a struct that a list of [offset, length]
 * ranges covers (the __sk_buff fields a test run takes and gives back are
 * whole words): checking and clearing a context word by word is four times
 * fewer steps than byte by byte.
 */
function wordMask(size: number, ranges: [number, number][]): Uint32Array {
  const mask = new Uint32Array(size / 4);
  for (const [offset, length] of ranges) {
    if (offset % 4 !== 0 || length % 4 !== 0) throw new Error(`__sk_buff range ${offset}+${length} is not whole words`);
    mask.fill(0xffffffff, offset / 4, (offset + length) / 4);
  }
  return mask;
}
const SKB_INPUT_WORDS = wordMask(SK_BUFF_TC.size, SKB_INPUT_RANGES);
const SKB_OUTPUT_WORDS = wordMask(SK_BUFF_TC.size, SKB_OUTPUT_RANGES);

/** eth_type_trans on the loopback device (address 00:00:00:00:00:00): skb->pkt_type. */
function packetType(frame: Uint8Array): PacketType {
  if (frame.length < ETH_HLEN) return PacketType.Host;
  if (frame[0] & 1) {
    for (let i = 0; i < 6; i++) if (frame[i] !== 0xff) return PacketType.Multicast;
    return PacketType.Broadcast;
  }
  for (let i = 0; i < 6; i++) if (frame[i] !== 0) return PacketType.OtherHost;
  return PacketType.Host;
}

/**
 * eth_type_trans's skb->protocol: the ethertype, or 802.3 raw / 802.2 LLC for a
 * length field. skb->protocol is big-endian, and __sk_buff.protocol shows its
 * bytes as a little-endian load does.
 */
function protocolField(frame: Uint8Array): number {
  if (frame.length < ETH_HLEN) return 0;
  let protocol = (frame[12] << 8) | frame[13];
  if (protocol < 0x600) protocol = frame[14] === 0xff && frame[15] === 0xff ? 0x0001 : 0x0004;
  return ((protocol & 0xff) << 8) | (protocol >> 8);
}

/** BPF_PROG_TEST_RUN of a tc program (SCHED_CLS, SCHED_ACT). */
export function testRunSkb(vm: Vm, program: VmProgram, input: TestRunInput): TestRunOutput {
  const { data } = input;
  // Uint8Array's length, not byteLength: the getter Node 20 does not inline.
  const length = data.length;
  if (length < ETH_HLEN || length > PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM) {
    throw new TestRunError("EINVAL", `a tc test run takes ${ETH_HLEN} to ${PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM} bytes, not ${length}`);
  }
  // The kernel refuses an IPv4 or IPv6 frame too short for its network header.
  const etherType = (data[12] << 8) | data[13];
  const networkHeader = etherType === ETH_P_IP ? IPV4_HEADER : etherType === ETH_P_IPV6 ? IPV6_HEADER : 0;
  if (length < ETH_HLEN + networkHeader) {
    throw new TestRunError("EINVAL", `a ${length}-byte frame is too short for its ${etherType === ETH_P_IP ? "IPv4" : "IPv6"} header`);
  }
  return runSkb(vm, program, input);
}

/**
 * A tc program on a frame, with the context a test run builds but without its
 * limits on the frame's length: how the VM shows what the datapath does with
 * a runt, or a frame longer than a page, that the kernel's test run would not
 * take and a real device delivers (up to MAX_DEVICE_FRAME bytes, linear).
 */
export function runSkb(vm: Vm, program: VmProgram, input: TestRunInput): TestRunOutput {
  const { data, ctx: ctxIn } = input;
  const length = data.length;
  if (length > MAX_DEVICE_FRAME) throw new TestRunError("EINVAL", `a frame of ${length} bytes is longer than the ${MAX_DEVICE_FRAME} a device carries`);
  const size = SK_BUFF_TC.size;
  if (ctxIn) {
    for (let i = size; i < ctxIn.length; i++) {
      if (ctxIn[i] !== 0) throw new TestRunError("EINVAL", "ctx_in is larger than struct __sk_buff and its tail is not zero");
    }
  }
  const area = areaOf(vm);
  const packet = area.packet + SKB_HEADROOM;
  const context = area.context;
  const bytes = vm.memory.bytes();
  const view = vm.memory.view();
  bytes.set(data, packet);
  bytes.fill(0, context, context + size);
  if (ctxIn) {
    bytes.set(ctxIn.length > size ? ctxIn.subarray(0, size) : ctxIn, context);
    const words = vm.memory.words();
    for (let w = 0, at = context >> 2; w < SKB_INPUT_WORDS.length; w++, at++) {
      if ((words[at] & ~SKB_INPUT_WORDS[w]) !== 0) throw new TestRunError("EINVAL", "ctx_in sets __sk_buff fields a test run does not take");
    }
  }
  const wireLen = view.getUint32(context + SKB.wireLen, true);
  if (wireLen !== 0 && wireLen < length) throw new TestRunError("EINVAL", "wire_len is shorter than the packet");
  if (view.getUint32(context + SKB.gsoSegs, true) > 65535) throw new TestRunError("EINVAL", "gso_segs is larger than GSO_MAX_SEGS");
  view.setUint32(context + SKB.len, length, true);
  view.setUint32(context + SKB.pktType, packetType(data), true);
  view.setUint32(context + SKB.protocol, protocolField(data), true);
  if (view.getUint32(context + SKB.ifindex, true) === 0) view.setUint32(context + SKB.ifindex, LOOPBACK_IFINDEX, true);
  if (wireLen === 0) view.setUint32(context + SKB.wireLen, length, true);
  view.setUint32(context + SKB.data, packet, true);
  view.setUint32(context + SKB.dataEnd, packet + length, true);
  view.setUint32(context + SKB.dataMeta, packet, true);

  prepare(vm, program, area, SK_BUFF_TC, packet, packet + length);
  vm.setPacketRoom(area.packet, area.packet + PACKET_AREA);
  const durationNs = execute(vm, program, area, input);
  // The packet as the program left it: bpf_skb_adjust_room may have moved and resized it.
  const after = vm.memory.view();
  const start = after.getUint32(context + SKB.data, true);
  const end = after.getUint32(context + SKB.dataEnd, true);
  let ctxOut: Uint8Array | undefined;
  if (ctxIn) {
    // The context is rebuilt for every run: clearing what the kernel does not give back costs nothing later.
    const words = vm.memory.words();
    for (let w = 0, at = context >> 2; w < SKB_OUTPUT_WORDS.length; w++, at++) words[at] &= SKB_OUTPUT_WORDS[w];
    ctxOut = vm.memory.copyOut(context, size);
  }
  return { retval: vm.resultLow(), data: vm.memory.copyOut(start, end - start), ctx: ctxOut, executed: vm.executed(), durationNs };
}

/** BPF_PROG_TEST_RUN of an XDP program, without metadata. */
export function testRunXdp(vm: Vm, program: VmProgram, input: TestRunInput): TestRunOutput {
  const { data } = input;
  const length = data.length;
  const max = PAGE_SIZE - XDP_HEADROOM - SKB_TAILROOM;
  if (length < ETH_HLEN || length > max) {
    throw new TestRunError("EINVAL", `an XDP test run takes ${ETH_HLEN} to ${max} bytes, not ${length}`);
  }
  const ctxIn = new DataView((input.ctx ?? new Uint8Array(XDP_MD.size)).slice(0, XDP_MD.size).buffer);
  if (
    input.ctx &&
    (ctxIn.getUint32(xdp.data.offset, true) !== 0 ||
      ctxIn.getUint32(xdp.data_meta.offset, true) !== 0 ||
      ctxIn.getUint32(xdp.egress_ifindex.offset, true) !== 0)
  ) {
    throw new TestRunError("ENOTSUPP", "ebbflow's XDP test run takes no metadata and no egress_ifindex");
  }
  if (input.ctx && ctxIn.getUint32(xdp.data_end.offset, true) !== length) {
    throw new TestRunError("EINVAL", "xdp_md.data_end must be the packet's length");
  }
  const area = areaOf(vm);
  const packet = area.packet + XDP_HEADROOM;
  vm.memory.write(packet, data);
  const context = new Uint8Array(XDP_MD.size);
  const ctx = new DataView(context.buffer);
  ctx.setUint32(xdp.data.offset, packet, true);
  ctx.setUint32(xdp.data_end.offset, packet + length, true);
  ctx.setUint32(xdp.data_meta.offset, packet, true);
  ctx.setUint32(xdp.ingress_ifindex.offset, input.ctx ? ctxIn.getUint32(xdp.ingress_ifindex.offset, true) : LOOPBACK_IFINDEX, true);
  ctx.setUint32(xdp.rx_queue_index.offset, input.ctx ? ctxIn.getUint32(xdp.rx_queue_index.offset, true) : 0, true);
  vm.memory.write(area.context, context);
  prepare(vm, program, area, XDP_MD, packet, packet + length);
  const durationNs = execute(vm, program, area, input);
  const retval = vm.resultLow();
  const executed = vm.executed();
  const ctxOut = new Uint8Array(XDP_MD.size);
  const out = new DataView(ctxOut.buffer);
  out.setUint32(xdp.data_end.offset, length, true);
  out.setUint32(xdp.ingress_ifindex.offset, ctx.getUint32(xdp.ingress_ifindex.offset, true), true);
  out.setUint32(xdp.rx_queue_index.offset, ctx.getUint32(xdp.rx_queue_index.offset, true), true);
  return { retval, data: vm.memory.copyOut(packet, length), ctx: ctxOut, executed, durationNs };
}

export interface SockAddrInput {
  /** "connect4" | "sendmsg4" | "recvmsg4": which hook the program is attached to. */
  hook: "connect4" | "sendmsg4" | "recvmsg4";
  userIp4: number;
  /** In network byte order, as the kernel stores user_port. */
  userPort: number;
  /** SOCK_STREAM (1) or SOCK_DGRAM (2). */
  type: number;
  /** IPPROTO_TCP (6) or IPPROTO_UDP (17). */
  protocol: number;
  msgSrcIp4?: number;
  /** The socket's bound address (ctx->sk->src_ip4, as on the wire); 0 when unbound. */
  sourceIp4?: number;
  /** The socket's bound port (ctx->sk->src_port, host order); 0 when unbound. */
  sourcePort?: number;
  cookie: bigint;
  budget?: number;
}

export interface SockAddrOutput {
  retval: number;
  userIp4: number;
  userPort: number;
  msgSrcIp4: number;
  executed: number;
}

const AF_INET = 2;
/** Where in the run area the socket behind a sock_addr context lies. */
const SOCKET_OFFSET = 128;

/** Runs a cgroup sock_addr program on a bpf_sock_addr context. */
export function runSockAddr(vm: Vm, program: VmProgram, input: SockAddrInput): SockAddrOutput {
  const area = areaOf(vm);
  const layout = input.hook === "sendmsg4" ? SEND_LAYOUT : OTHER_LAYOUT;
  const socket = area.context + SOCKET_OFFSET;
  const bytes = vm.memory.bytes();
  const ctx = vm.memory.view();
  const context = area.context;
  bytes.fill(0, context, context + layout.size);
  ctx.setUint32(context + sockAddr.user_family.offset, AF_INET, true);
  ctx.setUint32(context + sockAddr.user_ip4.offset, input.userIp4, true);
  ctx.setUint32(context + sockAddr.user_port.offset, input.userPort, true);
  ctx.setUint32(context + sockAddr.family.offset, AF_INET, true);
  ctx.setUint32(context + sockAddr.type.offset, input.type, true);
  ctx.setUint32(context + sockAddr.protocol.offset, input.protocol, true);
  ctx.setUint32(context + sockAddr.msg_src_ip4.offset, input.msgSrcIp4 ?? 0, true);
  ctx.setBigUint64(context + SOCK_ADDR_SK, BigInt(socket), true);
  bytes.fill(0, socket, socket + BPF_SOCK.size);
  ctx.setUint32(socket + SOCK.family, AF_INET, true);
  ctx.setUint32(socket + SOCK.type, input.type, true);
  ctx.setUint32(socket + SOCK.protocol, input.protocol, true);
  ctx.setUint32(socket + SOCK.srcIp4, input.sourceIp4 ?? 0, true);
  ctx.setUint32(socket + SOCK.srcPort, input.sourcePort ?? 0, true);
  vm.setSocketCookie(input.cookie);
  prepare(vm, program, area, layout, 0, 0, { address: socket, layout: BPF_SOCK });
  execute(vm, program, area, input);
  const after = vm.memory.view();
  return {
    retval: vm.resultLow(),
    userIp4: after.getUint32(context + sockAddr.user_ip4.offset, true),
    userPort: after.getUint32(context + sockAddr.user_port.offset, true),
    msgSrcIp4: after.getUint32(context + sockAddr.msg_src_ip4.offset, true),
    executed: vm.executed(),
  };
}

const SEND_LAYOUT = sockAddrLayout(true);
const OTHER_LAYOUT = sockAddrLayout(false);
const sockAddr = BpfSockAddrLayout.fields;
/** bpf_sock_addr.sk, which only the context layout has (see context/layout.ts). */
const SOCK_ADDR_SK = offsetOf(OTHER_LAYOUT, "sk");
/** The struct bpf_sock fields a sock_addr run sets. */
const SOCK = {
  family: offsetOf(BPF_SOCK, "family"),
  type: offsetOf(BPF_SOCK, "type"),
  protocol: offsetOf(BPF_SOCK, "protocol"),
  srcIp4: offsetOf(BPF_SOCK, "src_ip4"),
  srcPort: offsetOf(BPF_SOCK, "src_port"),
} as const;

function offsetOf(layout: ContextLayout, name: string): number {
  const field = layout.fields.find((f) => f.name === name);
  if (!field) throw new Error(`${layout.name} has no field ${name}`);
  return field.offset;
}

/** Declares the run's regions and context. */
function prepare(
  vm: Vm,
  program: VmProgram,
  area: RunArea,
  layout: ContextLayout,
  packetStart: number,
  packetEnd: number,
  socket?: { address: number; layout: ContextLayout },
): void {
  vm.clearRegions();
  if (packetEnd > packetStart) vm.declareRegion(packetStart, packetEnd - packetStart, true);
  vm.declareRegion(area.context, layout.size, true, area.mask(layout));
  if (socket) vm.declareRegion(socket.address, socket.layout.size, false, area.mask(socket.layout));
  vm.setRunContext(area.context, packetStart, packetEnd, program.type);
}

/** Runs the program once, or `repeat` times and returns the mean time of a run. */
function execute(vm: Vm, program: VmProgram, area: RunArea, input: { budget?: number; repeat?: number }): number | undefined {
  const budget = input.budget ?? DEFAULT_BUDGET;
  if (input.repeat === undefined) {
    vm.execute(program, area.context, 0, budget);
    return undefined;
  }
  const repeat = Math.max(1, input.repeat);
  const start = performance.now();
  for (let i = 0; i < repeat; i++) vm.execute(program, area.context, 0, budget);
  return ((performance.now() - start) * 1e6) / repeat;
}
