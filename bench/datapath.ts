// bpf_lxc's from-container on a typical packet (an allowed TCP SYN from the
// pod), in the VM and in the kernel (BPF_PROG_TEST_RUN on the same object and
// packet, as root), side by side in one tinybench run. Both sides drain the
// event the packet produces, so that the ring buffer never fills.
// Run: npm run bench -- datapath

import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { KernelObject, kernelBackendUnavailable } from "../backend-kernel/libbpf.ts";
import { loadObject } from "../emu/loader/object.ts";
import { loadIntoVm, PinnedMaps } from "../emu/vm/object.ts";
import { testRunSkb } from "../emu/vm/test-run.ts";
import { Vm } from "../emu/vm/vm.ts";
import { IPCACHE_KEY, IPCACHE_VALUE, LXC, LXC_VARIABLES, PACKET, POLICY_KEY, POLICY_VALUE, u32 } from "./lxc-fixture.ts";
import { TemporaryBpffs } from "./bpffs.ts";
import type { BenchmarkReport } from "./report.ts";


export async function datapathBenchmark(): Promise<BenchmarkReport> {
  const vm = await Vm.create();
  const lxc = loadIntoVm(vm, loadObject(readFileSync(LXC), "bpf_lxc.o"), { pins: new PinnedMaps(), variables: LXC_VARIABLES });
  lxc.map("eb_calls").update(u32(1), u32(lxc.program("tail_ipv4_from_container").id));
  lxc.map("eb_ipcache").update(IPCACHE_KEY, IPCACHE_VALUE);
  lxc.map("eb_policy").update(POLICY_KEY, POLICY_VALUE);
  const program = lxc.program("cil_from_container");
  const events = lxc.map("eb_events");
  const vmRun = testRunSkb(vm, program, { data: PACKET });
  events.drain();

  const bench = new Bench({ time: 3000, warmup: true });
  bench.add("vm (interpreter)", () => {
    testRunSkb(vm, program, { data: PACKET });
    events.drain();
  });

  const unavailable = kernelBackendUnavailable();
  let kernelNs = 0;
  let kernelRuns = 0;
  let cleanup = () => {};
  if (!unavailable) {
    const bpffs = new TemporaryBpffs();
    const kernel = KernelObject.open(LXC, { pinRoot: bpffs.path });
    for (const [name, value] of Object.entries(LXC_VARIABLES)) kernel.setVariable(name, value);
    kernel.load();
    kernel.map("eb_calls").setProgram(1, kernel.program("tail_ipv4_from_container"));
    kernel.map("eb_ipcache").update(IPCACHE_KEY, IPCACHE_VALUE);
    kernel.map("eb_policy").update(POLICY_KEY, POLICY_VALUE);
    const kernelProgram = kernel.program("cil_from_container");
    const kernelEvents = kernel.map("eb_events");
    const check = kernelProgram.testRun({ data: PACKET });
    if (check.retval !== vmRun.retval) throw new Error(`the kernel returned ${check.retval}, the VM ${vmRun.retval}`);
    bench.add("kernel (BPF_PROG_TEST_RUN)", () => {
      kernelNs += kernelProgram.testRun({ data: PACKET }).durationNs;
      kernelRuns++;
      kernelEvents.drainRingbuf();
    });
    cleanup = () => {
      kernel.close();
      bpffs.remove();
    };
  }
  await bench.run();
  cleanup();
  const results = bench.tasks.map((task) => ({
    case: task.name,
    nsPerPacket: task.result!.latency.mean * 1e6,
    samples: task.result!.latency.samples.length,
  }));
  return {
    name: "datapath",
    results: [
      ...results,
      ...(unavailable
        ? [{ case: "kernel (BPF_PROG_TEST_RUN)", skipped: unavailable }]
        : [{ case: "kernel: the program's own time, as the test run measures it", nsPerPacket: kernelNs / kernelRuns, samples: kernelRuns }]),
      { case: "vm: instructions per packet", instructions: vmRun.executed },
    ],
  };
}
