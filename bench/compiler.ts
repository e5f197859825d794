// The VM's two engines next to the kernel, in one tinybench run: the loop-heavy
// conformance program prime.data (as the tc object
// test/emu/compiler/testdata/prime.bpf.o, instruction for instruction) and
// bpf_lxc's from-container on a typical packet (an allowed TCP SYN from the
// pod), each in the interpreter, compiled to WebAssembly, and in the kernel
// (BPF_PROG_TEST_RUN on the same object and packet, as root).
//
// Per packet, three kernel figures: the wall time of one test-run syscall (what
// a caller pays), the program's own time as the kernel measures it in that
// call, and the same measured over 1000 repeats in one call (the run alone).
// Run: npm run bench -- compiler

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { KernelObject, type KernelProgram, kernelBackendUnavailable } from "../backend-kernel/libbpf.ts";
import { loadObject } from "../emu/loader/object.ts";
import { loadIntoVm, PinnedMaps, type VmObject } from "../emu/vm/object.ts";
import { testRunSkb } from "../emu/vm/test-run.ts";
import { ENGINES, type Engine, Vm, type VmProgram } from "../emu/vm/vm.ts";
import { IPCACHE_KEY, IPCACHE_VALUE, LXC, LXC_VARIABLES, PACKET, POLICY_KEY, POLICY_VALUE, u32 } from "./lxc-fixture.ts";
import type { BenchmarkReport } from "./report.ts";

const PRIME = "test/emu/compiler/testdata/prime.bpf.o";
const KERNEL_REPEAT = 1000;

interface Case {
  name: string;
  file: string;
  program: string;
  /** Fills the object's maps (the same on every side). */
  prepare: (maps: { update(map: string, key: Uint8Array, value: Uint8Array): void; setTailCall(index: number, program: string): void }) => void;
  /** The object's ring buffer to drain after each run, so that it never fills. */
  events?: string;
}

const CASES: Case[] = [
  { name: "prime.data", file: PRIME, program: "prime", prepare: () => {} },
  {
    name: "bpf_lxc cil_from_container",
    file: LXC,
    program: "cil_from_container",
    prepare: (maps) => {
      maps.setTailCall(1, "tail_ipv4_from_container");
      maps.update("eb_ipcache", IPCACHE_KEY, IPCACHE_VALUE);
      maps.update("eb_policy", POLICY_KEY, POLICY_VALUE);
    },
    events: "eb_events",
  },
];

async function vmSide(engine: Engine, test: Case): Promise<{ run: () => void; executed: number; retval: number }> {
  const vm = await Vm.create({ engine });
  const object: VmObject = loadIntoVm(vm, loadObject(readFileSync(test.file), test.file), {
    pins: new PinnedMaps(),
    variables: test.file === LXC ? LXC_VARIABLES : undefined,
  });
  test.prepare({
    update: (map, key, value) => object.map(map).update(key, value),
    setTailCall: (index, program) => object.map("eb_calls").update(u32(index), u32(object.program(program).id)),
  });
  const program: VmProgram = object.program(test.program);
  const events = test.events ? object.map(test.events) : undefined;
  const first = testRunSkb(vm, program, { data: PACKET });
  events?.drain();
  return {
    run: () => {
      testRunSkb(vm, program, { data: PACKET });
      events?.drain();
    },
    executed: first.executed,
    retval: first.retval,
  };
}

function kernelSide(test: Case, bpffs: string): { program: KernelProgram; object: KernelObject; drain: () => void } {
  const object = KernelObject.open(test.file, { pinRoot: bpffs });
  if (test.file === LXC) for (const [name, value] of Object.entries(LXC_VARIABLES)) object.setVariable(name, value);
  object.load();
  test.prepare({
    update: (map, key, value) => object.map(map).update(key, value),
    setTailCall: (index, program) => object.map("eb_calls").setProgram(index, object.program(program)),
  });
  const events = test.events ? object.map(test.events) : undefined;
  return { program: object.program(test.program), object, drain: () => events?.drainRingbuf() };
}

export async function compilerBenchmark(): Promise<BenchmarkReport> {
  const bench = new Bench({ time: 2000, warmup: true });
  const executed = new Map<string, number>();
  for (const test of CASES) {
    const retvals = new Set<number>();
    for (const engine of ENGINES) {
      const side = await vmSide(engine, test);
      executed.set(test.name, side.executed);
      retvals.add(side.retval);
      bench.add(`${test.name}: ${engine}`, side.run);
    }
    if (retvals.size !== 1) throw new Error(`${test.name}: the engines disagree on the return code`);
  }

  const unavailable = kernelBackendUnavailable();
  const kernelOwn = new Map<string, { ns: number; runs: number; repeated: number }>();
  const cleanups: (() => void)[] = [];
  if (!unavailable) {
    const bpffs = mkdtempSync(join(tmpdir(), "ebbflow-bench-"));
    execFileSync("mount", ["-t", "bpf", "bpf", bpffs]);
    cleanups.push(() => {
      execFileSync("umount", [bpffs]);
      rmdirSync(bpffs);
    });
    for (const test of CASES) {
      const { program, object, drain } = kernelSide(test, bpffs);
      cleanups.unshift(() => object.close());
      const own = { ns: 0, runs: 0, repeated: 0 };
      kernelOwn.set(test.name, own);
      bench.add(`${test.name}: kernel`, () => {
        own.ns += program.testRun({ data: PACKET }).durationNs;
        own.runs++;
        drain();
      });
      own.repeated = program.testRun({ data: PACKET, repeat: KERNEL_REPEAT }).durationNs;
      drain();
    }
  }
  await bench.run();
  cleanups.forEach((cleanup) => cleanup());

  const ns = (name: string): number => bench.tasks.find((t) => t.name === name)!.result!.latency.mean * 1e6;
  const results: Record<string, string | number>[] = [];
  for (const test of CASES) {
    const instructions = executed.get(test.name)!;
    const interpreter = ns(`${test.name}: interpreter`);
    const compiled = ns(`${test.name}: compiled`);
    results.push({ case: test.name, side: "interpreter", nsPerPacket: interpreter, nsPerInstruction: interpreter / instructions, instructions });
    results.push({ case: test.name, side: "compiled", nsPerPacket: compiled, nsPerInstruction: compiled / instructions, interpreterOverCompiled: interpreter / compiled });
    const own = kernelOwn.get(test.name);
    if (!own) {
      results.push({ case: test.name, side: "kernel", skipped: unavailable ?? "" });
      continue;
    }
    const wall = ns(`${test.name}: kernel`);
    results.push({ case: test.name, side: "kernel: test-run syscall, wall", nsPerPacket: wall, compiledOverKernel: compiled / wall });
    results.push({ case: test.name, side: "kernel: program's own time, 1 run", nsPerPacket: own.ns / own.runs, compiledOverKernel: compiled / (own.ns / own.runs) });
    results.push({ case: test.name, side: `kernel: program's own time, ${KERNEL_REPEAT} repeats`, nsPerPacket: own.repeated, compiledOverKernel: compiled / own.repeated });
  }
  return { name: "compiler", results };
}
