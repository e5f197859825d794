import { readdirSync } from "node:fs";
import { expect, test } from "vitest";
import { KernelObject, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { encodeSkBuff } from "../../backend-kernel/test-run-context.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcpSyn } from "./packets.ts";
import { fixture } from "./support.ts";

// A scenario replay runs the same programs for every packet, and the
// differential test runs them tens of thousands of times in one process:
// neither may cost a file descriptor or memory per run.

const openFds = () => readdirSync("/proc/self/fd").length;
const MiB = 1 << 20;

describeWhen(kernelBackendUnavailable(), "kernel resources over many runs", () => {
  test("20,000 test runs, each drained, leave no file descriptor and no memory behind", () => {
    const object = KernelObject.open(fixture("ringbuf.o"));
    try {
      object.load();
      const program = object.program("output_record");
      const ring = object.map("records");
      const input = { data: tcpSyn(), ctx: encodeSkBuff({ mark: 1 }) };
      const runAndDrain = (runs: number) => {
        let records = 0;
        for (let run = 0; run < runs; run++) {
          if (program.testRun(input).retval !== 0) throw new Error(`run ${run} could not write its record`);
          records += ring.drainRingbuf().length;
        }
        return records;
      };
      // The first drain opens libbpf's reader (an epoll fd); warm-up also
      // settles the allocators and the JIT.
      runAndDrain(2_000);
      const fds = openFds();
      const rss = process.memoryUsage().rss;

      expect(runAndDrain(20_000)).toBe(20_000);

      expect(openFds()).toBe(fds);
      // Each run allocates a 64 KiB output buffer: leaking it would grow the
      // process by gigabytes. The bound leaves room for the garbage collector's timing.
      expect(process.memoryUsage().rss - rss).toBeLessThan(32 * MiB);
    } finally {
      object.close();
    }
  });

  test("closing an object closes its maps, programs and ring buffer readers", () => {
    const cycle = () => {
      const object = KernelObject.open(fixture("ringbuf.o"));
      object.load();
      object.program("output_record").testRun({ data: tcpSyn() });
      expect(object.map("records").drainRingbuf()).toHaveLength(1);
      object.close();
    };
    cycle();
    const fds = openFds();
    for (let round = 0; round < 50; round++) cycle();
    expect(openFds()).toBe(fds);
  });
});
