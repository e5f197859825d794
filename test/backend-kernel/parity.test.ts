import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { readScenario } from "../../src/core/scenario/index.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable, outcomes } from "./support-cluster.ts";

// The promise of the two backends: one scenario file, the same verdicts, drop
// reasons, hooks, policies and chosen backends, attempt by attempt.
//
// One exception: where socket LB is on, bpf_sock chooses a connection's
// backend by its socket's cookie. The kernel's cookies come from a counter of
// the whole host, which no replay can set; the wasm backend makes them up
// from the seed (test/backend-kernel/sock.test.ts compares the choice itself,
// cookie for cookie). In those files an attempt's backend may differ, but
// must be one the wasm backend gives some attempt of the same file.

const root = join(import.meta.dirname, "../..");
const yaml = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => join(dir, name));
const files = [...yaml("scenarios"), ...yaml("test/conformance/k8s-netpol-e2e")];

let compared = 0;
let mismatches = 0;
let cookieChoices = 0;

const BACKEND = / backend (\S+)$/;

/** The outcome without its backend, and the backend (a cookie's choice where socket LB is on). */
function split(outcome: string): { rest: string; backend: string } {
  const match = BACKEND.exec(outcome);
  return match ? { rest: outcome.slice(0, match.index), backend: match[1] } : { rest: outcome, backend: "-" };
}

describeWhen(clusterUnavailable(), "parity of the kernel and wasm backends", () => {
  test.each(files)("%s", async (file) => {
    const wasm = await outcomes(join(root, file), await WasmDatapath.create());
    const kernel = await outcomes(join(root, file), await KernelDatapath.create());
    compared += wasm.length;
    if (!readScenario(join(root, file)).cilium.socketLB) {
      mismatches += wasm.filter((outcome, i) => kernel[i] !== outcome).length;
      expect(kernel).toEqual(wasm);
      return;
    }
    const backends = new Set(wasm.map((outcome) => split(outcome).backend));
    const comparable = kernel.map((outcome, i) => {
      if (outcome === wasm[i]) return outcome;
      const [mine, theirs] = [split(outcome), split(wasm[i] ?? "")];
      if (mine.rest !== theirs.rest || mine.backend === "-" || theirs.backend === "-" || !backends.has(mine.backend)) {
        mismatches++;
        return outcome;
      }
      cookieChoices++;
      return wasm[i];
    });
    expect(comparable).toEqual(wasm);
  });

  afterAll(() => {
    console.log(`parity: ${files.length} files, ${compared} attempts compared, ${mismatches} mismatches, ${cookieChoices} backends chosen by a kernel socket cookie`);
  });
});
