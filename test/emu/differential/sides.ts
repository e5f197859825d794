// The two sides of the differential test: the same object loaded into the
// kernel (libbpf, BPF_PROG_TEST_RUN) and into the VM, behind one interface,
// with their map contents and events read back in one comparable form.

import { readFileSync } from "node:fs";
import { KernelError, KernelObject, type KernelMap } from "../../../backend-kernel/libbpf.ts";
import { loadObject } from "../../../emu/loader/object.ts";
import { loadIntoVm, type PinnedMaps, type VmObject } from "../../../emu/vm/object.ts";
import { runSkb, TestRunError, testRunSkb, testRunXdp } from "../../../emu/vm/test-run.ts";
import type { Vm } from "../../../emu/vm/vm.ts";

export interface RunOutcome {
  /** The errno name when the test run refused the input. */
  refused?: string;
  retval?: number;
  data?: Uint8Array;
  ctx?: Uint8Array;
  /** Ring buffer records the run produced, time fields masked. */
  events: string[];
}

export interface ObjectUnderTest {
  update(map: string, key: Uint8Array, value: Uint8Array): void;
  clear(map: string): void;
  run(program: string, frame: Uint8Array, ctx: Uint8Array | undefined): RunOutcome;
  /** Sorted "key=value" hex lines; per-CPU values summed; time fields masked. */
  dump(map: string): string[];
}

export type Variables = Record<string, number>;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** Time fields (GROUND-RULES.md): eb_ct4 lifetime, eb_lb4_affinity last_used, event timestamps. */
function maskValue(map: string, value: Uint8Array): Uint8Array {
  if (map !== "eb_ct4" && map !== "eb_lb4_affinity") return value;
  const masked = value.slice();
  if (map === "eb_ct4") masked.fill(0, 16, 20);
  else masked.fill(0, 0, 4);
  return masked;
}
export function maskEvent(record: Uint8Array): string {
  const masked = record.slice();
  masked.fill(0, 0, 8);
  return hex(masked);
}

/** Per-CPU values as the sum of their u64 words over the CPUs. */
export function sumPerCpu(values: Uint8Array[]): Uint8Array {
  const words = values[0].byteLength / 8;
  const total = new BigUint64Array(words);
  for (const value of values) {
    const view = new BigUint64Array(value.slice().buffer);
    for (let i = 0; i < words; i++) total[i] += view[i];
  }
  return new Uint8Array(total.buffer);
}

function isTc(typeName: string): boolean {
  return typeName === "sched_cls" || typeName === "SCHED_CLS";
}

export class KernelSide implements ObjectUnderTest {
  private readonly object: KernelObject;
  private readonly events: KernelMap | undefined;

  constructor(path: string, variables: Variables, pinRoot: string, tailCalls: Record<number, string> = {}) {
    this.object = KernelObject.open(path, { pinRoot });
    for (const [name, value] of Object.entries(variables)) this.object.setVariable(name, value);
    this.object.load();
    for (const [slot, program] of Object.entries(tailCalls)) {
      this.object.map("eb_calls").setProgram(Number(slot), this.object.program(program));
    }
    this.events = this.object.maps().some((m) => m.name === "eb_events") ? this.object.map("eb_events") : undefined;
  }

  update(map: string, key: Uint8Array, value: Uint8Array): void {
    const target = this.object.map(map);
    if (target.perCpu)
      target.updatePerCpu(
        key,
        Array.from({ length: cpuCount() }, () => value),
      );
    else target.update(key, value);
  }

  clear(map: string): void {
    const target = this.object.map(map);
    for (const key of [...target.keys()]) target.delete(key);
  }

  run(program: string, frame: Uint8Array, ctx: Uint8Array | undefined): RunOutcome {
    try {
      const result = this.object.program(program).testRun({ data: frame, ctx, ctxOutCapacity: ctx ? ctx.byteLength : 0 });
      return { retval: result.retval, data: result.data, ctx: result.ctx, events: this.drain() };
    } catch (error) {
      if (error instanceof KernelError) return { refused: error.code, events: this.drain() };
      throw error;
    }
  }

  dump(map: string): string[] {
    const target = this.object.map(map);
    return [...target.keys()]
      .map((key) => {
        const value = target.perCpu ? sumPerCpu(target.lookupPerCpu(key)!) : target.lookup(key)!;
        return `${hex(key)}=${hex(maskValue(map, value))}`;
      })
      .sort();
  }

  close(): void {
    this.object.close();
  }

  private drain(): string[] {
    return this.events ? this.events.drainRingbuf().map(maskEvent) : [];
  }
}

let possibleCpus: number | undefined;
/** The kernel's possible CPUs (per-CPU map values hold one value each). */
export function cpuCount(): number {
  if (possibleCpus === undefined) {
    const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
    possibleCpus = text.split(",").reduce((n, range) => {
      const [first, last] = range.split("-").map(Number);
      return n + (last === undefined ? 1 : last - first + 1);
    }, 0);
  }
  return possibleCpus;
}

export class VmSide implements ObjectUnderTest {
  readonly object: VmObject;

  constructor(
    private readonly vm: Vm,
    path: string,
    variables: Variables,
    pins: PinnedMaps,
    tailCalls: Record<number, string> = {},
  ) {
    this.object = loadIntoVm(vm, loadObject(readFileSync(path), path.split("/").pop()!), { variables, pins });
    for (const [slot, program] of Object.entries(tailCalls)) {
      this.object.map("eb_calls").update(u32(Number(slot)), u32(this.object.program(program).id));
    }
  }

  update(map: string, key: Uint8Array, value: Uint8Array): void {
    const target = this.object.map(map);
    const copies = target.hostValueSize / value.byteLength;
    const full = new Uint8Array(target.hostValueSize);
    for (let i = 0; i < copies; i++) full.set(value, i * value.byteLength);
    target.update(key, copies === 1 ? value : full);
  }

  clear(map: string): void {
    const target = this.object.map(map);
    for (const key of target.keys()) target.delete(key);
  }

  run(program: string, frame: Uint8Array, ctx: Uint8Array | undefined, options: { refusedToo?: boolean } = {}): RunOutcome {
    const target = this.object.program(program);
    try {
      const run = options.refusedToo ? runSkb : isTc(programTypeName(target.type)) ? testRunSkb : testRunXdp;
      const result = run(this.vm, target, { data: frame, ctx });
      return { retval: result.retval, data: result.data, ctx: ctx ? result.ctx : undefined, events: this.drain() };
    } catch (error) {
      if (error instanceof TestRunError) return { refused: error.code, events: this.drain() };
      throw error;
    }
  }

  dump(map: string): string[] {
    const target = this.object.map(map);
    const perCpu = PER_CPU_TYPES.has(target.definition.type);
    const stride = (target.definition.valueSize + 7) & ~7;
    return target
      .entries()
      .map(([key, value]) => {
        const plain = perCpu ? sumPerCpu(Array.from({ length: value.byteLength / stride }, (_, i) => value.slice(i * stride, (i + 1) * stride))) : value;
        return `${hex(key)}=${hex(maskValue(map, plain))}`;
      })
      .sort();
  }

  private drain(): string[] {
    return this.object.maps.has("eb_events") ? this.object.map("eb_events").drain().map(maskEvent) : [];
  }
}

const PER_CPU_TYPES = new Set([5, 6, 10]);
const u32 = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);

function programTypeName(type: number): string {
  return type === 3 ? "SCHED_CLS" : type === 6 ? "XDP" : String(type);
}
