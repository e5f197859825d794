// The VM's two engines next to the kernel, in one tinybench run: the loop-heavy
// conformance program prime.data (as the tc object
// test/emu/compiler/testdata/prime.bpf.o, instruction for instruction) and
// bpf_lxc's from-container on a typical packet (an allowed TCP SYN from the
// pod), each in the interpreter, compiled to WebAssembly, and in the kernel
// (BPF_PROG_TEST_RUN on the same object and packet, as root).
//
// Per packet, for each side: the wall time of one test-run call (what a caller
// pays: for the kernel a syscall, for the VM a call into wasm, each with its
// event drained), and the program's own time measured over 1000 repeats in one
// test run (the run alone, as BPF_PROG_TEST_RUN's repeat measures it, the
// median of REPEAT_SAMPLES such calls). The kernel also reports its own time
// for a single run, which its ring buffer wake-up dominates.
// Run: npm run bench -- compiler

import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { KernelObjects } from "../backend-kernel/kernel-objects.ts";
import { KernelObject, type KernelProgram, kernelBackendUnavailable } from "../backend-kernel/libbpf.ts";
import { VmObjects } from "../backend-wasm/vm-objects.ts";
import { loadObject } from "../emu/loader/object.ts";
import { loadIntoVm, PinnedMaps, type VmObject } from "../emu/vm/object.ts";
import { testRunSkb } from "../emu/vm/test-run.ts";
import { ENGINES, type Engine, Vm, type VmProgram } from "../emu/vm/vm.ts";
import { loadEndpoint } from "../src/core/datapath/endpoint-loader.ts";
import { allowPacket, LXC_ENDPOINT, PACKET } from "./lxc-fixture.ts";
import { TemporaryBpffs } from "./bpffs.ts";
import type { BenchmarkReport } from "./report.ts";
import { median } from "./stats.ts";

const PRIME = "test/emu/compiler/testdata/prime.bpf.o";
const REPEAT = 1000;
const REPEAT_SAMPLES = 21;

interface Case {
  name: string;
  program: string;
  /** The object loaded with its maps filled (the same on every side), into a VM or into the kernel with its pins under `pinRoot`. */
  vm: (vm: Vm) => VmObject;
  kernel: (pinRoot: string) => KernelObject;
  /** The object's ring buffer to drain after each run, so that it never fills. */
  events?: string;
}

const CASES: Case[] = [
  {
    name: "prime.data",
    program: "prime",
    vm: (vm) => loadIntoVm(vm, loadObject(readFileSync(PRIME), PRIME), { pins: new PinnedMaps() }),
    kernel: (pinRoot) => {
      const object = KernelObject.open(PRIME, { pinRoot });
      object.load();
      return object;
    },
  },
  {
    name: "bpf_lxc cil_from_container",
    program: "cil_from_container",
    vm: (vm) => allowPacket(loadEndpoint(new VmObjects(vm, new PinnedMaps()), LXC_ENDPOINT)),
    kernel: (pinRoot) => allowPacket(loadEndpoint(new KernelObjects({ pinRoot }), LXC_ENDPOINT)),
    events: "eb_events",
  },
];

/** The median of REPEAT_SAMPLES test runs of REPEAT runs each: ns per run. */
function repeated(run: () => number, drain: () => void): number {
  return median(
    Array.from({ length: REPEAT_SAMPLES }, () => {
      const ns = run();
      drain();
      return ns;
    }),
  );
}

async function vmSide(engine: Engine, test: Case): Promise<{ run: () => void; repeated: () => number; executed: number; retval: number }> {
  const vm = await Vm.create({ engine });
  const object = test.vm(vm);
  const program: VmProgram = object.program(test.program);
  const events = test.events ? object.map(test.events) : undefined;
  // The first packet makes the conntrack entry; the timed ones (and the kernel's repeats) find it.
  testRunSkb(vm, program, { data: PACKET });
  events?.drain();
  const later = testRunSkb(vm, program, { data: PACKET });
  events?.drain();
  return {
    run: () => {
      testRunSkb(vm, program, { data: PACKET });
      events?.drain();
    },
    repeated: () =>
      repeated(
        () => testRunSkb(vm, program, { data: PACKET, repeat: REPEAT }).durationNs!,
        () => events?.drain(),
      ),
    executed: later.executed,
    retval: later.retval,
  };
}

function kernelSide(test: Case, bpffs: string): { program: KernelProgram; object: KernelObject; drain: () => void } {
  const object = test.kernel(bpffs);
  const events = test.events ? object.map(test.events) : undefined;
  return { program: object.program(test.program), object, drain: () => events?.drainRingbuf() };
}

export async function compilerBenchmark(): Promise<BenchmarkReport> {
  const bench = new Bench({ time: 2000, warmup: true });
  const executed = new Map<string, number>();
  const vmRepeated = new Map<string, () => number>();
  for (const test of CASES) {
    const retvals = new Set<number>();
    for (const engine of ENGINES) {
      const side = await vmSide(engine, test);
      executed.set(test.name, side.executed);
      retvals.add(side.retval);
      bench.add(`${test.name}: ${engine}`, side.run);
      vmRepeated.set(`${test.name}: ${engine}`, side.repeated);
    }
    if (retvals.size !== 1) throw new Error(`${test.name}: the engines disagree on the return code`);
  }

  const unavailable = kernelBackendUnavailable();
  const kernelOwn = new Map<string, { ns: number; runs: number; repeated: () => number }>();
  const cleanups: (() => void)[] = [];
  if (!unavailable) {
    const bpffs = new TemporaryBpffs();
    cleanups.push(() => bpffs.remove());
    for (const test of CASES) {
      const { program, object, drain } = kernelSide(test, bpffs.path);
      cleanups.unshift(() => object.close());
      const own = { ns: 0, runs: 0, repeated: () => repeated(() => program.testRun({ data: PACKET, repeat: REPEAT }).durationNs, drain) };
      kernelOwn.set(test.name, own);
      bench.add(`${test.name}: kernel`, () => {
        own.ns += program.testRun({ data: PACKET }).durationNs;
        own.runs++;
        drain();
      });
    }
  }
  await bench.run();
  // The repeated runs of each side, interleaved so that the machine's load falls on all alike.
  const repeatedNs = new Map<string, number[]>();
  const repeatedSides = [...vmRepeated, ...[...kernelOwn].map(([name, own]) => [`${name}: kernel`, own.repeated] as const)];
  for (let round = 0; round < 3; round++) {
    for (const [name, measure] of repeatedSides) repeatedNs.set(name, [...(repeatedNs.get(name) ?? []), measure()]);
  }
  const repeatedOf = (name: string): number => median(repeatedNs.get(name)!);
  cleanups.forEach((cleanup) => cleanup());

  const ns = (name: string): number => bench.tasks.find((t) => t.name === name)!.result!.latency.mean * 1e6;
  const results: Record<string, string | number>[] = [];
  for (const test of CASES) {
    const instructions = executed.get(test.name)!;
    const interpreter = ns(`${test.name}: interpreter`);
    const compiled = ns(`${test.name}: compiled`);
    const interpreterOwn = repeatedOf(`${test.name}: interpreter`);
    const compiledOwn = repeatedOf(`${test.name}: compiled`);
    const own = kernelOwn.get(test.name);
    const kernelWall = own ? ns(`${test.name}: kernel`) : undefined;
    const kernelOwnRepeated = own ? repeatedOf(`${test.name}: kernel`) : undefined;
    const row = (side: string, measure: string, value: number, kernel: number | undefined): Record<string, string | number> => ({
      case: test.name,
      side,
      measure,
      nsPerPacket: Math.round(value),
      ...(side === "kernel" ? {} : { nsPerInstruction: Number((value / instructions).toFixed(2)) }),
      ...(kernel === undefined ? {} : { overKernel: Number((value / kernel).toFixed(2)) }),
    });
    results.push(row("interpreter", "test-run call, wall", interpreter, kernelWall));
    results.push(row("compiled", "test-run call, wall", compiled, kernelWall));
    results.push(row("interpreter", `own time, ${REPEAT} repeats`, interpreterOwn, kernelOwnRepeated));
    results.push(row("compiled", `own time, ${REPEAT} repeats`, compiledOwn, kernelOwnRepeated));
    if (!own) {
      results.push({ case: test.name, side: "kernel", skipped: unavailable ?? "" });
      continue;
    }
    results.push(row("kernel", "test-run call, wall", kernelWall!, kernelWall));
    results.push(row("kernel", "own time, 1 run", own.ns / own.runs, undefined));
    results.push(row("kernel", `own time, ${REPEAT} repeats`, kernelOwnRepeated!, kernelOwnRepeated));
  }
  return { name: "compiler", results };
}
