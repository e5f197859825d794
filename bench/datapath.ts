// bpf_lxc's from-container on a typical packet (an allowed TCP SYN from the
// pod), in the VM and in the kernel (BPF_PROG_TEST_RUN on the same object and
// packet, as root), side by side in one tinybench run. Both sides drain the
// event the packet produces, so that the ring buffer never fills.
// Run: npm run bench -- datapath

import { Bench } from "tinybench";
import { KernelObjects } from "../backend-kernel/kernel-objects.ts";
import { kernelBackendUnavailable } from "../backend-kernel/libbpf.ts";
import { VmObjects } from "../backend-wasm/vm-objects.ts";
import { PinnedMaps } from "../emu/vm/object.ts";
import { testRunSkb } from "../emu/vm/test-run.ts";
import { Vm } from "../emu/vm/vm.ts";
import { loadEndpoint } from "../src/core/datapath/endpoint-loader.ts";
import { allowPacket, LXC_ENDPOINT, PACKET } from "./lxc-fixture.ts";
import { TemporaryBpffs } from "./bpffs.ts";
import type { BenchmarkReport } from "./report.ts";

export async function datapathBenchmark(): Promise<BenchmarkReport> {
  const vm = await Vm.create();
  const lxc = allowPacket(loadEndpoint(new VmObjects(vm, new PinnedMaps()), LXC_ENDPOINT));
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
    const kernel = allowPacket(loadEndpoint(new KernelObjects({ pinRoot: bpffs.path }), LXC_ENDPOINT));
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
