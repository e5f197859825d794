import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable, outcomes } from "./support-cluster.ts";

// The promise of the two backends: one scenario file, the same verdicts, drop
// reasons, hooks, policies and chosen backends, attempt by attempt. (bpf_sock
// chooses a backend by the socket's bound address and port, which the
// replay sets on both backends, never by the kernel's own socket cookie.)

const root = join(import.meta.dirname, "../..");
const yaml = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => join(dir, name));
const files = [...yaml("scenarios"), ...yaml("test/conformance/k8s-netpol-e2e"), ...yaml("test/conformance/k8s-netpol-e2e-more")];

let compared = 0;
let mismatches = 0;

describeWhen(clusterUnavailable(), "parity of the kernel and wasm backends", () => {
  test.each(files)("%s", async (file) => {
    const wasm = await outcomes(join(root, file), await WasmDatapath.create());
    const kernel = await outcomes(join(root, file), await KernelDatapath.create());
    compared += wasm.length;
    mismatches += wasm.filter((outcome, i) => kernel[i] !== outcome).length;
    expect(kernel).toEqual(wasm);
  });

  afterAll(() => {
    console.log(`parity: ${files.length} files, ${compared} attempts compared, ${mismatches} mismatches`);
  });
});
