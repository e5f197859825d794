// Loading the libbpf addon (addon/), lazily: nothing in the project loads it
// until a kernel object is opened, so that the wasm backend runs where the
// addon is not built, libbpf is missing or the process is not root.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { release } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/util/package-root.ts";
import { KernelBackendUnavailableError } from "./errors.ts";

declare const handleBrand: unique symbol;
/** An opaque reference to a native object, map or program. */
export type Handle<Kind extends string> = { readonly [handleBrand]: Kind };
export type ObjectHandle = Handle<"object">;
export type MapHandle = Handle<"map">;
export type ProgramHandle = Handle<"program">;

export interface ProgramSpec {
  name: string;
  /** The ELF section, e.g. "tc", "xdp", "cgroup/connect4". */
  section: string;
  /** libbpf's name of the program type, e.g. "sched_cls", "xdp", "cgroup_sock_addr". */
  type: string;
  autoload: boolean;
}

/** What the addon tells of every map: an object's before load, and a loaded one. */
export interface MapShape {
  name: string;
  /** libbpf's name of the map type, e.g. "hash", "percpu_array", "prog_array". */
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

/** An object's map; global data maps are named by their section (".rodata", ".data", ".bss"). */
export interface NativeMapSpec extends MapShape {
  /** A global data map libbpf made from a section, rather than one declared in `.maps`. */
  internal: boolean;
  pinPath: string | null;
}

/** A global variable: `size` bytes at `offset` in the global data map `section`. */
export interface VariableSpec {
  name: string;
  section: string;
  offset: number;
  size: number;
}

export interface NativeMapInfo extends MapShape {
  id: number;
  valueLength: number;
}

export interface NativeProgramInfo {
  name: string;
  type: string;
  id: number;
  fd: number;
}

export interface NativeTestRunInput {
  data: Uint8Array | null;
  ctx: Uint8Array | null;
  dataOutCapacity: number;
  ctxOutCapacity: number;
  repeat: number;
  flags: number;
  cpu: number;
}

export interface NativeTestRunResult {
  retval: number;
  duration: number;
  data: Uint8Array | null;
  ctx: Uint8Array | null;
}

/** The addon's functions (addon/src/addon.c). Failures throw an Error with `errno`, `op`, `libbpfMessages`. */
export interface NativeLibbpf {
  openObject(source: string | Uint8Array, name: string | null, pinRoot: string | null): ObjectHandle;
  objectPrograms(object: ObjectHandle): ProgramSpec[];
  objectMaps(object: ObjectHandle): NativeMapSpec[];
  objectVariables(object: ObjectHandle): VariableSpec[];
  setMapMaxEntries(object: ObjectHandle, map: string, maxEntries: number): void;
  mapInitialValue(object: ObjectHandle, map: string): Uint8Array;
  setMapInitialValue(object: ObjectHandle, map: string, value: Uint8Array): void;
  setMapPinPath(object: ObjectHandle, map: string, path: string | null): void;
  unpinMap(object: ObjectHandle, map: string): void;
  loadObject(object: ObjectHandle): void;
  objectMap(object: ObjectHandle, map: string): MapHandle;
  objectProgram(object: ObjectHandle, program: string): ProgramHandle;
  closeObject(object: ObjectHandle): void;
  openPinnedMap(path: string): MapHandle;
  mapInfo(map: MapHandle): NativeMapInfo;
  mapLookup(map: MapHandle, key: Uint8Array): Uint8Array | null;
  mapUpdate(map: MapHandle, key: Uint8Array, value: Uint8Array, flags: number): void;
  mapDelete(map: MapHandle, key: Uint8Array): void;
  mapNextKey(map: MapHandle, key: Uint8Array | null): Uint8Array | null;
  mapDrainRingbuf(map: MapHandle): Uint8Array[];
  closeMap(map: MapHandle): void;
  programInfo(program: ProgramHandle): NativeProgramInfo;
  testRun(program: ProgramHandle, input: NativeTestRunInput): NativeTestRunResult;
  closeProgram(program: ProgramHandle): void;
  tcAttach(netns: string, ifindex: number, progFd: number, direction: "ingress" | "egress"): void;
  xdpAttach(netns: string, ifindex: number, progFd: number): void;
  cgroupAttach(cgroup: string, progFd: number, attachType: string): void;
  /** The detach calls: whether the program `progId` was there and is detached (false: not there, or another replaced it). */
  tcDetach(netns: string, ifindex: number, progId: number, direction: "ingress" | "egress"): boolean;
  xdpDetach(netns: string, ifindex: number, progId: number): boolean;
  cgroupDetach(cgroup: string, progId: number, attachType: string): boolean;
  cgroupQuery(cgroup: string, attachType: string): number[];
  packetSend(netns: string, device: string, frame: Uint8Array): boolean;
  numPossibleCpus(): number;
  libbpfVersion(): string;
}

// From the package root: the addon is built beside its sources, and this file also runs compiled from dist/.
const addonDirectory = join(packageRoot(), "backend-kernel/addon");
const addonPath = join(addonDirectory, "build/Release/ebbflow_libbpf.node");
const buildReasonPath = join(addonDirectory, "build/unavailable.txt");

// Capabilities that loading programs and attaching them at tc need
// (include/uapi/linux/capability.h).
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_BPF = 39n;

let loaded: { addon: NativeLibbpf } | { reason: string } | undefined;

/**
 * Why the kernel backend cannot run in this process (what is missing and how
 * to get it), or undefined when it can.
 */
export function kernelBackendUnavailable(): string | undefined {
  const state = loadAddon();
  return "reason" in state ? state.reason : undefined;
}

/** The addon, or a KernelBackendUnavailableError saying why not. */
export function nativeLibbpf(): NativeLibbpf {
  const state = loadAddon();
  if ("reason" in state) throw new KernelBackendUnavailableError(state.reason);
  return state.addon;
}

function loadAddon(): { addon: NativeLibbpf } | { reason: string } {
  loaded ??= tryLoadAddon();
  return loaded;
}

function tryLoadAddon(): { addon: NativeLibbpf } | { reason: string } {
  const platformProblem = platformUnavailable();
  if (platformProblem) return { reason: platformProblem };
  if (!existsSync(addonPath)) {
    const buildReason = existsSync(buildReasonPath) ? readFileSync(buildReasonPath, "utf8").trim() : undefined;
    return {
      reason: buildReason
        ? `the libbpf addon was not built: ${buildReason}`
        : "the libbpf addon is not built: run `npm run build:kernel` (it needs libbpf-dev, pkg-config, make, a C compiler and python3)",
    };
  }
  let addon: NativeLibbpf;
  try {
    addon = createRequire(import.meta.url)(addonPath) as NativeLibbpf;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      reason: /libbpf\.so/.test(message)
        ? `libbpf is not installed: apt-get install libbpf1 (${message})`
        : `the libbpf addon cannot be loaded: ${message}; rebuild it with \`npm run build:kernel\``,
    };
  }
  const privilegeProblem = privilegeUnavailable();
  return privilegeProblem ? { reason: privilegeProblem } : { addon };
}

function platformUnavailable(): string | undefined {
  if (process.platform !== "linux") return `the kernel backend runs on Linux only (this is ${process.platform})`;
  const [major, minor] = release().split(/[.-]/).map(Number);
  if (major < 5 || (major === 5 && minor < 15)) {
    return `Linux 5.15 or newer is needed (this kernel is ${release()})`;
  }
  return undefined;
}

function privilegeUnavailable(): string | undefined {
  const status = readFileSync("/proc/self/status", "utf8");
  const effective = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? "0"}`);
  const has = (capability: bigint) => (effective >> capability) & 1n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_NET_ADMIN))) return undefined;
  return "not privileged: loading BPF programs needs root (CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN)";
}
