// The kernel backend's access to BPF: objects opened and loaded with libbpf,
// their maps read and written from the host, their programs run with
// BPF_PROG_TEST_RUN. Over the Node-API addon in addon/, loaded lazily:
// kernelBackendUnavailable() says why it cannot run here, if it cannot.
//
// An object is configured between open and load (map sizes, global
// variables such as Cilium's `volatile const` configuration, pin paths), then
// loaded once; maps and programs are taken from it after load. Maps declared
// with `__uint(pinning, LIBBPF_PIN_BY_NAME)` are pinned under the pin root
// and reused, by name, by every object loaded later with the same root: that
// is how per-endpoint objects share a node's global maps.

import { endianness } from "node:os";
import { KernelError, KernelUsageError, VerifierError } from "./errors.ts";
import {
  nativeLibbpf,
  type MapHandle,
  type NativeLibbpf,
  type NativeMapSpec,
  type ObjectHandle,
  type ProgramHandle,
  type ProgramSpec,
  type VariableSpec,
} from "./native.ts";

export { kernelBackendUnavailable } from "./native.ts";
export type { ProgramSpec, VariableSpec } from "./native.ts";
export { KernelBackendUnavailableError, KernelError, KernelUsageError, VerifierError, errnoName } from "./errors.ts";

/** How an update treats an existing entry: BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
export type UpdateMode = "any" | "noexist" | "exist";

const updateFlags: Record<UpdateMode, number> = { any: 0, noexist: 1, exist: 2 };

// BPF objects are built for the host's byte order (clang -target bpf).
const littleEndian = endianness() === "LE";

/** An object's map; global data maps are named by their section (".rodata", ".data", ".bss"). */
export interface MapSpec extends Omit<NativeMapSpec, "pinPath"> {
  /** Where the map is pinned (and reused from) at load, if anywhere. */
  pinPath: string | undefined;
}

export interface OpenOptions {
  /**
   * The bpffs directory where maps declared with LIBBPF_PIN_BY_NAME are pinned
   * at load, or reused from when a map of that name is pinned there already.
   * libbpf's default is /sys/fs/bpf.
   */
  pinRoot?: string;
}

export interface TestRunInput {
  /** The packet. */
  data?: Uint8Array;
  /** The context (__sk_buff, xdp_md) the program starts with; see test-run-context.ts. */
  ctx?: Uint8Array;
  /** Runs of the program; the duration is the mean per run. Default 1. */
  repeat?: number;
  /** Room for the packet after the run. Default 65536, more than any frame the kernel's test run accepts. */
  dataOutCapacity?: number;
  /** Room for the context after the run. Default: the input context's length (none without one). */
  ctxOutCapacity?: number;
  /** BPF_F_TEST_* flags. Default 0. */
  flags?: number;
  /** The CPU to run on, with BPF_F_TEST_RUN_ON_CPU. Default 0. */
  cpu?: number;
}

export interface TestRunResult {
  /** The program's return code. */
  retval: number;
  /** Mean time of one run, in nanoseconds, as the kernel measured it. */
  durationNs: number;
  /** The packet after the run. */
  data: Uint8Array;
  /** The context after the run, when ctxOutCapacity was not 0. */
  ctx: Uint8Array | undefined;
}

interface NativeError extends Error {
  errno: number;
  op: string;
  libbpfMessages?: string;
  program?: string;
  verifierLog?: string;
}

function isNativeError(error: unknown): error is NativeError {
  return error instanceof Error && typeof (error as Partial<NativeError>).errno === "number";
}

/** Runs an addon call, turning the errno it throws into a KernelError about `target`. */
function kernelCall<T>(target: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!isNativeError(error)) throw error;
    const description = error.message.slice(error.message.lastIndexOf(": ") + 2);
    const messages = error.libbpfMessages ?? "";
    if (error.program !== undefined && error.verifierLog !== undefined) {
      throw new VerifierError(target, error.errno, messages, description, error.program, error.verifierLog);
    }
    throw new KernelError(error.op, target, error.errno, messages, description);
  }
}

function checkLength(subject: string, field: string, bytes: Uint8Array, expected: number): void {
  if (!(bytes instanceof Uint8Array)) throw new KernelUsageError(subject, field, "must be a Uint8Array");
  if (bytes.length !== expected) {
    throw new KernelUsageError(subject, field, `must be ${expected} bytes, got ${bytes.length}`);
  }
}

function checkUint32(subject: string, field: string, value: number, minimum = 0): void {
  if (!Number.isInteger(value) || value < minimum || value > 0xffff_ffff) {
    throw new KernelUsageError(subject, field, `must be an integer from ${minimum} to 4294967295, got ${value}`);
  }
}

type ObjectState = "opened" | "loaded" | "failed" | "closed";

/** A BPF ELF object, opened with libbpf. */
export class KernelObject {
  /** Opens an object file. */
  static open(path: string, options: OpenOptions = {}): KernelObject {
    const native = nativeLibbpf();
    return new KernelObject(
      native,
      kernelCall(path, () => native.openObject(path, null, options.pinRoot ?? null)),
      path,
    );
  }

  /** Opens an object from its bytes; `name` names it in errors and for libbpf. */
  static fromBytes(bytes: Uint8Array, name: string, options: OpenOptions = {}): KernelObject {
    const native = nativeLibbpf();
    if (!(bytes instanceof Uint8Array)) throw new KernelUsageError(name, "bytes", "must be a Uint8Array");
    return new KernelObject(
      native,
      kernelCall(name, () => native.openObject(bytes, name, options.pinRoot ?? null)),
      name,
    );
  }

  private state: ObjectState = "opened";
  private readonly openMaps = new Map<string, KernelMap>();
  private readonly openPrograms = new Map<string, KernelProgram>();

  private constructor(
    private readonly native: NativeLibbpf,
    private readonly handle: ObjectHandle,
    /** The path or name the object was opened by, as errors name it. */
    readonly name: string,
  ) {}

  programs(): ProgramSpec[] {
    this.expectState("programs()", "opened", "loaded");
    return this.native.objectPrograms(this.handle);
  }

  maps(): MapSpec[] {
    this.expectState("maps()", "opened", "loaded");
    return this.native.objectMaps(this.handle).map((spec) => ({ ...spec, pinPath: spec.pinPath ?? undefined }));
  }

  /** The variables of the global data sections (.rodata, .data, .bss), from BTF. */
  variables(): VariableSpec[] {
    this.expectState("variables()", "opened", "loaded");
    return this.native.objectVariables(this.handle);
  }

  /** Sets a map's size before load. */
  setMaxEntries(map: string, maxEntries: number): void {
    this.expectState("setMaxEntries()", "opened");
    this.mapSpec(map);
    checkUint32(`${this.name}/${map}`, "maxEntries", maxEntries, 1);
    kernelCall(`${this.name}/${map}`, () => this.native.setMapMaxEntries(this.handle, map, maxEntries));
  }

  /**
   * Sets a global variable's initial value before load: a `volatile const`
   * in .rodata is how Cilium configures each endpoint's copy of a program.
   * Numbers are written in the object's byte order, at the variable's size.
   */
  setVariable(variable: string, value: Uint8Array | number | bigint): void {
    this.expectState("setVariable()", "opened");
    const spec = this.variables().find((candidate) => candidate.name === variable);
    const subject = `${this.name}/${variable}`;
    if (!spec) {
      const known = this.variables().map((candidate) => candidate.name);
      throw new KernelUsageError(subject, "variable", `no such global variable; the object has: ${known.join(", ") || "none"}`);
    }
    const bytes = value instanceof Uint8Array ? value : encodeInteger(subject, value, spec.size);
    checkLength(subject, "value", bytes, spec.size);
    const section = this.initialValue(spec.section);
    section.set(bytes, spec.offset);
    kernelCall(subject, () => this.native.setMapInitialValue(this.handle, spec.section, section));
  }

  /** A copy of a global data section's contents as it will be loaded. */
  initialValue(section: string): Uint8Array {
    this.expectState("initialValue()", "opened");
    const spec = this.mapSpec(section);
    if (!spec.internal) throw new KernelUsageError(`${this.name}/${section}`, "section", "is not a global data section");
    return new Uint8Array(kernelCall(`${this.name}/${section}`, () => this.native.mapInitialValue(this.handle, section)));
  }

  /** Pins a map at `path` when loading (reusing the map pinned there, if any); undefined: do not pin. */
  setPinPath(map: string, path: string | undefined): void {
    this.expectState("setPinPath()", "opened");
    this.mapSpec(map);
    kernelCall(`${this.name}/${map}`, () => this.native.setMapPinPath(this.handle, map, path ?? null));
  }

  /**
   * Creates the maps (or reuses pinned ones) and loads every program. A
   * program the verifier refuses gives a VerifierError carrying its log; a
   * failed object can only be closed.
   */
  load(): void {
    this.expectState("load()", "opened");
    try {
      kernelCall(this.name, () => this.native.loadObject(this.handle));
      this.state = "loaded";
    } catch (error) {
      this.state = "failed";
      throw error;
    }
  }

  /** A loaded map, by name (global data maps by section, e.g. ".rodata"). */
  map(name: string): KernelMap {
    this.expectState("map()", "loaded");
    let map = this.openMaps.get(name);
    if (!map) {
      this.mapSpec(name);
      const subject = `${this.name}/${name}`;
      map = new KernelMap(
        this.native,
        kernelCall(subject, () => this.native.objectMap(this.handle, name)),
        subject,
      );
      this.openMaps.set(name, map);
    }
    return map;
  }

  /** A loaded program, by its function name. */
  program(name: string): KernelProgram {
    this.expectState("program()", "loaded");
    let program = this.openPrograms.get(name);
    if (!program) {
      const subject = `${this.name}/${name}`;
      if (!this.programs().some((spec) => spec.name === name)) {
        const known = this.programs().map((spec) => spec.name);
        throw new KernelUsageError(subject, "program", `no such program; the object has: ${known.join(", ") || "none"}`);
      }
      program = new KernelProgram(
        this.native,
        kernelCall(subject, () => this.native.objectProgram(this.handle, name)),
        subject,
      );
      this.openPrograms.set(name, program);
    }
    return program;
  }

  /** Removes a loaded map's pin from bpffs (the map lives on while anything holds it). */
  unpinMap(name: string): void {
    this.expectState("unpinMap()", "loaded");
    this.mapSpec(name);
    kernelCall(`${this.name}/${name}`, () => this.native.unpinMap(this.handle, name));
  }

  /** Closes the object with every map and program taken from it. Pins stay. */
  close(): void {
    if (this.state === "closed") return;
    for (const map of this.openMaps.values()) map.close();
    for (const program of this.openPrograms.values()) program.close();
    this.native.closeObject(this.handle);
    this.state = "closed";
  }

  private mapSpec(name: string): MapSpec {
    const maps = this.maps();
    const spec = maps.find((candidate) => candidate.name === name);
    if (!spec) {
      const known = maps.map((candidate) => candidate.name).join(", ");
      throw new KernelUsageError(`${this.name}/${name}`, "map", `no such map; the object has: ${known || "none"}`);
    }
    return spec;
  }

  private expectState(action: string, ...allowed: ObjectState[]): void {
    if (allowed.includes(this.state)) return;
    const why: Record<ObjectState, string> = {
      opened: "the object is not loaded yet: call load() first",
      loaded: "the object is already loaded: configure it before load()",
      failed: "the object failed to load: close it",
      closed: "the object is closed",
    };
    throw new KernelUsageError(this.name, action, why[this.state]);
  }
}

function encodeInteger(subject: string, value: number | bigint, size: number): Uint8Array {
  if (![1, 2, 4, 8].includes(size)) {
    throw new KernelUsageError(subject, "value", `a variable of ${size} bytes takes a Uint8Array, not a number`);
  }
  const big = BigInt(value);
  const bits = BigInt(size * 8);
  if ((typeof value === "number" && !Number.isInteger(value)) || big < -(1n << (bits - 1n)) || big >= 1n << bits) {
    throw new KernelUsageError(subject, "value", `${value} does not fit in ${size} bytes`);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const unsigned = BigInt.asUintN(size * 8, big);
  if (size === 8) view.setBigUint64(0, unsigned, littleEndian);
  else if (size === 4) view.setUint32(0, Number(unsigned), littleEndian);
  else if (size === 2) view.setUint16(0, Number(unsigned), littleEndian);
  else view.setUint8(0, Number(unsigned));
  return bytes;
}

/** A map's or program's handle in the addon: closed once, refused (a KernelUsageError) after. */
abstract class NativeHandleOwner<Handle> {
  private closed = false;

  protected constructor(
    protected readonly native: NativeLibbpf,
    protected readonly handle: Handle,
    /** How errors name it: "object/map", "object/program", or a pinned map's path. */
    readonly name: string,
    private readonly kind: "map" | "program",
  ) {}

  close(): void {
    if (this.closed) return;
    this.closeHandle();
    this.closed = true;
  }

  protected abstract closeHandle(): void;

  protected expectOpen(): void {
    if (this.closed) throw new KernelUsageError(this.name, this.kind, "is closed");
  }
}

/**
 * A map in the kernel, read and written from the host. Keys and values are raw
 * bytes; a ringbuf map is read with drainRingbuf().
 */
export class KernelMap extends NativeHandleOwner<MapHandle> {
  /** Opens a map pinned in bpffs. */
  static openPinned(path: string): KernelMap {
    const native = nativeLibbpf();
    return new KernelMap(
      native,
      kernelCall(path, () => native.openPinnedMap(path)),
      path,
    );
  }

  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** The kernel's id of the map: the same for every holder of a shared map. */
  readonly id: number;
  /** Whether each CPU has its own value (percpu_array, percpu_hash, lru_percpu_hash). */
  readonly perCpu: boolean;
  private readonly valueLength: number;

  /** Maps come from KernelObject.map() or KernelMap.openPinned(). */
  constructor(native: NativeLibbpf, handle: MapHandle, name: string) {
    super(native, handle, name, "map");
    const info = native.mapInfo(handle);
    this.type = info.type;
    this.keySize = info.keySize;
    this.valueSize = info.valueSize;
    this.maxEntries = info.maxEntries;
    this.flags = info.flags;
    this.id = info.id;
    this.valueLength = info.valueLength;
    this.perCpu = info.type.includes("percpu");
  }

  /** The value under `key`, or undefined when there is none. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.expectPerCpu(false, "lookup()", "lookupPerCpu()");
    return this.rawLookup(key);
  }

  /** Every possible CPU's value under `key`, or undefined when there is none. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    this.expectPerCpu(true, "lookupPerCpu()", "lookup()");
    const packed = this.rawLookup(key);
    if (!packed) return undefined;
    const stride = this.valueLength / this.native.numPossibleCpus();
    return Array.from({ length: this.native.numPossibleCpus() }, (_, cpu) => packed.slice(cpu * stride, cpu * stride + this.valueSize));
  }

  /** Writes `value` under `key`; the kernel's refusal (EEXIST, ENOENT, E2BIG, ...) is a KernelError. */
  update(key: Uint8Array, value: Uint8Array, mode: UpdateMode = "any"): void {
    this.expectPerCpu(false, "update()", "updatePerCpu()");
    checkLength(this.name, "value", value, this.valueSize);
    this.rawUpdate(key, value, mode);
  }

  /** Writes one value per possible CPU under `key`. */
  updatePerCpu(key: Uint8Array, values: readonly Uint8Array[], mode: UpdateMode = "any"): void {
    this.expectPerCpu(true, "updatePerCpu()", "update()");
    const cpus = this.native.numPossibleCpus();
    if (values.length !== cpus) {
      throw new KernelUsageError(this.name, "values", `must hold one value per possible CPU (${cpus}), got ${values.length}`);
    }
    const stride = this.valueLength / cpus;
    const packed = new Uint8Array(this.valueLength);
    values.forEach((value, cpu) => {
      checkLength(this.name, `values[${cpu}]`, value, this.valueSize);
      packed.set(value, cpu * stride);
    });
    this.rawUpdate(key, packed, mode);
  }

  /** Deletes the entry under `key`; ENOENT (a KernelError) when there is none. */
  delete(key: Uint8Array): void {
    this.checkKey(key);
    kernelCall(this.name, () => this.native.mapDelete(this.handle, key));
  }

  /**
   * The map's keys, in the kernel's order. Deleting the current key while
   * iterating a hash map restarts the walk from its first key, as the kernel does.
   */
  *keys(): IterableIterator<Uint8Array> {
    this.expectOpen();
    let key: Uint8Array | null = null;
    for (;;) {
      const previous: Uint8Array | null = key;
      key = kernelCall(this.name, () => this.native.mapNextKey(this.handle, previous));
      if (key === null) return;
      yield new Uint8Array(key);
    }
  }

  /**
   * Takes the records submitted to a ringbuf map since the last drain, oldest
   * first, each as long as it was written. Discarded records are skipped, as
   * libbpf skips them. The read position lives in the kernel's map, so every
   * holder of the map (another object sharing it, a pinned copy) drains the
   * same stream: a record is returned once.
   */
  drainRingbuf(): Uint8Array[] {
    this.expectOpen();
    if (this.type !== "ringbuf") throw new KernelUsageError(this.name, "drainRingbuf()", `is a ${this.type} map, not a ringbuf`);
    return kernelCall(this.name, () => this.native.mapDrainRingbuf(this.handle)).map((record) => new Uint8Array(record));
  }

  /** Puts `program` in slot `index` of a program array, for tail calls. */
  setProgram(index: number, program: KernelProgram): void {
    if (this.type !== "prog_array") throw new KernelUsageError(this.name, "setProgram()", `is a ${this.type} map, not a prog_array`);
    checkUint32(this.name, "index", index);
    this.update(uint32(index), uint32(program.fd));
  }

  protected closeHandle(): void {
    this.native.closeMap(this.handle);
  }

  private rawLookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const value = kernelCall(this.name, () => this.native.mapLookup(this.handle, key));
    return value === null ? undefined : new Uint8Array(value);
  }

  private rawUpdate(key: Uint8Array, value: Uint8Array, mode: UpdateMode): void {
    this.checkKey(key);
    const flags = updateFlags[mode];
    if (flags === undefined) throw new KernelUsageError(this.name, "mode", `must be "any", "noexist" or "exist", got ${String(mode)}`);
    kernelCall(this.name, () => this.native.mapUpdate(this.handle, key, value, flags));
  }

  private checkKey(key: Uint8Array): void {
    this.expectOpen();
    checkLength(this.name, "key", key, this.keySize);
  }

  private expectPerCpu(perCpu: boolean, action: string, instead: string): void {
    if (this.perCpu !== perCpu) {
      throw new KernelUsageError(this.name, action, `is a ${this.type} map: use ${instead}`);
    }
  }
}

function uint32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, littleEndian);
  return bytes;
}

/** A program loaded in the kernel. */
export class KernelProgram extends NativeHandleOwner<ProgramHandle> {
  /** libbpf's name of the program type, e.g. "sched_cls". */
  readonly type: string;
  /** The kernel's id of the program. */
  readonly id: number;

  /** Programs come from KernelObject.program(). */
  constructor(native: NativeLibbpf, handle: ProgramHandle, name: string) {
    super(native, handle, name, "program");
    const info = native.programInfo(handle);
    this.type = info.type;
    this.id = info.id;
  }

  /** The program's file descriptor in this process: what program arrays and attach calls take. */
  get fd(): number {
    this.expectOpen();
    return this.native.programInfo(this.handle).fd;
  }

  /** Runs the program on a packet with BPF_PROG_TEST_RUN. */
  testRun(input: TestRunInput): TestRunResult {
    this.expectOpen();
    const repeat = input.repeat ?? 1;
    const dataOutCapacity = input.dataOutCapacity ?? 65536;
    const ctxOutCapacity = input.ctxOutCapacity ?? input.ctx?.length ?? 0;
    checkUint32(this.name, "repeat", repeat, 1);
    checkUint32(this.name, "dataOutCapacity", dataOutCapacity);
    checkUint32(this.name, "ctxOutCapacity", ctxOutCapacity);
    for (const field of ["data", "ctx"] as const) {
      const bytes = input[field];
      if (bytes !== undefined && !(bytes instanceof Uint8Array)) throw new KernelUsageError(this.name, field, "must be a Uint8Array");
    }
    const result = kernelCall(this.name, () =>
      this.native.testRun(this.handle, {
        data: input.data ?? null,
        ctx: input.ctx ?? null,
        dataOutCapacity,
        ctxOutCapacity,
        repeat,
        flags: input.flags ?? 0,
        cpu: input.cpu ?? 0,
      }),
    );
    return {
      retval: result.retval,
      durationNs: result.duration,
      data: new Uint8Array(result.data ?? []),
      ctx: result.ctx === null ? undefined : new Uint8Array(result.ctx),
    };
  }

  /**
   * Attaches the program (sched_cls) at tc `direction` of interface `ifindex`
   * in the network namespace at `netns` (e.g. /run/netns/NAME), creating the
   * clsact qdisc if needed. Attaching again replaces the program in place;
   * the replaced program's link then detaches nothing.
   */
  attachTc(netns: string, ifindex: number, direction: "ingress" | "egress"): KernelLink {
    checkUint32(this.name, "ifindex", ifindex, 1);
    if (direction !== "ingress" && direction !== "egress")
      throw new KernelUsageError(this.name, "direction", `must be "ingress" or "egress", got ${String(direction)}`);
    kernelCall(`${this.name} on ${netns} ifindex ${ifindex}`, () => this.native.tcAttach(netns, ifindex, this.fd, direction));
    return new KernelLink(this.native, this, { kind: "tc", netns, ifindex, direction });
  }

  /** Attaches the program (xdp) to interface `ifindex` in the namespace at `netns`, in generic mode. */
  attachXdp(netns: string, ifindex: number): KernelLink {
    checkUint32(this.name, "ifindex", ifindex, 1);
    kernelCall(`${this.name} on ${netns} ifindex ${ifindex}`, () => this.native.xdpAttach(netns, ifindex, this.fd));
    return new KernelLink(this.native, this, { kind: "xdp", netns, ifindex });
  }

  /**
   * Attaches the program to a cgroup v2 directory at `attachType`, libbpf's
   * name of the attach point (e.g. "cgroup_inet4_connect"), beside any others
   * there. It stays attached until its link is closed or the cgroup removed.
   */
  attachCgroup(cgroup: string, attachType: string): KernelLink {
    kernelCall(`${this.name} on ${cgroup}`, () => this.native.cgroupAttach(cgroup, this.fd, attachType));
    return new KernelLink(this.native, this, { kind: "cgroup", cgroup, attachType });
  }

  protected closeHandle(): void {
    this.native.closeProgram(this.handle);
  }
}

/**
 * The ids of the programs attached to the cgroup v2 directory `cgroup` at
 * `attachType` (libbpf's name), as bpf_prog_query reports them: its own,
 * not those it inherits.
 */
export function cgroupPrograms(cgroup: string, attachType: string): number[] {
  return kernelCall(`${cgroup} ${attachType}`, () => nativeLibbpf().cgroupQuery(cgroup, attachType));
}

/**
 * Sends one Ethernet frame out of `device` in the network namespace at
 * `netns` with an AF_PACKET socket (addon/src/packet.c): through the
 * device's tc egress and, on a veth, into its peer, the frame's first 65,535
 * bytes linear. False when the device's way out dropped it (its tc egress
 * program, or its qdisc: __dev_queue_xmit's NET_XMIT_DROP). A frame longer
 * than the device's MTU and Ethernet header is refused (EMSGSIZE).
 */
export function sendFrame(netns: string, device: string, frame: Uint8Array): boolean {
  if (!(frame instanceof Uint8Array)) throw new KernelUsageError(device, "frame", "must be a Uint8Array");
  return kernelCall(`${device} in ${netns}`, () => nativeLibbpf().packetSend(netns, device, frame));
}

/** Where a link attached its program. */
export type AttachPoint =
  | { kind: "tc"; netns: string; ifindex: number; direction: "ingress" | "egress" }
  | { kind: "xdp"; netns: string; ifindex: number }
  | { kind: "cgroup"; cgroup: string; attachType: string };

/** An interface or namespace that is gone took its hooks, and the programs on them, with it. */
const HOOK_GONE = new Set(["ENOENT", "ENODEV"]);

/**
 * One program attached at one hook, owned as cilium/ebpf's link.Link owns
 * it: close() detaches it. A program attached since at the same hook in its
 * place (tc at the same handle, XDP on the same interface) is the replacing
 * link's: close() leaves it attached. Closing the program's object does not
 * detach it: the hook holds the program.
 */
export class KernelLink {
  private closed = false;
  /** The kernel's id of the attached program: what close() checks is still there. */
  readonly programId: number;
  private readonly programName: string;

  /** Links come from KernelProgram's attach calls. */
  constructor(
    private readonly native: NativeLibbpf,
    program: KernelProgram,
    readonly point: AttachPoint,
  ) {
    this.programId = program.id;
    this.programName = program.name;
  }

  /** Detaches the program; false when it was no longer there (replaced, detached, or its hook gone). Closing again does nothing. */
  close(): boolean {
    if (this.closed) return false;
    const { point } = this;
    const where = point.kind === "cgroup" ? `${point.cgroup} ${point.attachType}` : `${point.netns} ifindex ${point.ifindex}`;
    let detached = false;
    try {
      detached = kernelCall(`${this.programName} on ${where}`, () => {
        if (point.kind === "tc") return this.native.tcDetach(point.netns, point.ifindex, this.programId, point.direction);
        if (point.kind === "xdp") return this.native.xdpDetach(point.netns, point.ifindex, this.programId);
        return this.native.cgroupDetach(point.cgroup, this.programId, point.attachType);
      });
    } catch (error) {
      if (!(error instanceof KernelError && HOOK_GONE.has(error.code))) throw error;
    }
    this.closed = true;
    return detached;
  }
}
