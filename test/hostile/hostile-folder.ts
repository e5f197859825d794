// A scenario folder of the hostile-input suite: a minimal scenario (a
// namespace and a pod) with what a test adds, in a fresh temporary folder
// beside a folder of canary files it must never read.

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ebbflow, type CliRun } from "../support/cli.ts";

/** Written into every canary: it must never appear in what the command prints. */
export const MARKER = "ebbflow-canary-hostile-suite";

export const HEADER = "apiVersion: ebbflow.io/v1alpha1\nkind: Scenario\nmetadata: {name: hostile}\n";

export const SPEC = `${HEADER}spec:
  objects:
  - {apiVersion: v1, kind: Namespace, metadata: {name: app}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: web, namespace: app}
    spec: {containers: [{name: web, image: nginx}]}
`;

/** Line 11 of a scenario made with SPEC: the first line a test appends. */
export const APPENDED_LINE = 11;

/** A packet whose capture is `pcap`, appended to SPEC (its pcap: is on line APPENDED_LINE + 5). */
export const withCapture = (pcap: string) =>
  `${SPEC}  packets:\n  - name: capture\n    at: pod:app/web\n    direction: egress\n    pcap: ${pcap}\n    expect: {verdict: DROPPED}\n`;

export interface HostileFolder {
  /** The scenario's folder. */
  folder: string;
  /** The canaries' folder, beside it. */
  canaries: string;
  /** `folder` as the command names it in "outside the scenario's folder ..." (relative to the working directory). */
  shown: string;
  write(name: string, text: string | Uint8Array): string;
}

export function hostileFolder(): HostileFolder {
  const top = mkdtempSync(join(tmpdir(), "ebbflow-hostile-"));
  const folder = join(top, "scenario");
  const canaries = join(top, "canaries");
  mkdirSync(folder);
  mkdirSync(canaries);
  writeFileSync(join(canaries, "secret.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${MARKER}}\n`);
  writeFileSync(join(canaries, "shadow"), `root:$6$${MARKER}$:19000:0:99999:7:::\n`);
  return {
    folder,
    canaries,
    shown: relative(process.cwd(), folder),
    write: (name, text) => {
      writeFileSync(join(folder, name), text);
      return join(folder, name);
    },
  };
}

/**
 * Runs one scenario file with `scenario run`; what every refusal must print:
 * exit 2, the refusal as one line on stderr (so no stack trace and no byte of
 * a canary), and the summary counting it.
 */
export async function refusal(file: string, options: string[] = []): Promise<CliRun> {
  return ebbflow(["scenario", "run", ...options, file]);
}

export function refusedWith(file: string, line: number | undefined, message: string): CliRun {
  return { status: 2, stdout: "1 files: 0 passed, 0 failed, 1 refused\n", stderr: `ebbflow: ${file}${line === undefined ? "" : `:${line}`}: ${message}\n` };
}
