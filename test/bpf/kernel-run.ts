// Runs one datapath object in the kernel with bpftool, as BPF_PROG_TEST_RUN
// does for the differential test, but with nothing but the object: its
// .rodata is set by rewriting the section (llvm-objcopy), its programs and
// maps are pinned in a bpffs mounted in a private mount namespace, so nothing
// outlives the run.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadObject, setVariables, type VariableValue } from "../../emu/loader/object.ts";

export type KernelStep =
  { update: string; key: Uint8Array; value: Uint8Array } | { tailCall: { map: string; slot: number; program: string } } | { run: string; frame: Uint8Array };

/** One entry of a map as bpftool prints it with the object's BTF. */
export interface FormattedEntry {
  key: unknown;
  value?: unknown;
  values?: { cpu: number; value: unknown }[];
}

export interface KernelRunResult {
  /** The return value of each `run` step, in order. */
  retvals: number[];
  maps: Record<string, FormattedEntry[]>;
}

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

export function runInKernel(objectPath: string, variables: Readonly<Record<string, VariableValue>>, steps: KernelStep[], dumpMaps: string[]): KernelRunResult {
  const work = mkdtempSync(join(tmpdir(), "ebbflow-kernel-run-"));
  try {
    const objectBytes = new Uint8Array(readFileSync(objectPath));
    const rodata = setVariables(loadObject(objectBytes, objectPath), variables).maps.find((m) => m.name === ".rodata");
    const object = join(work, "object.o");
    if (rodata?.initialData) {
      writeFileSync(join(work, "rodata.bin"), rodata.initialData);
      const objcopy = spawnSync("llvm-objcopy-14", ["--update-section", `.rodata=${join(work, "rodata.bin")}`, objectPath, object], {
        encoding: "utf8",
      });
      if (objcopy.status !== 0) throw new Error(`llvm-objcopy-14 failed: ${objcopy.stderr}`);
    } else {
      writeFileSync(object, objectBytes);
    }

    const bpffs = "/sys/fs/bpf";
    const script = [
      "set -e",
      `mount -t bpf bpf ${bpffs}`,
      `mkdir ${bpffs}/programs ${bpffs}/maps`,
      `bpftool prog loadall ${object} ${bpffs}/programs`,
      // Pin every map the programs use under its name (dots are not allowed in bpffs).
      `for program in ${bpffs}/programs/*; do`,
      `  for id in $(bpftool -j prog show pinned $program | grep -o '"map_ids":\\[[0-9,]*\\]' | grep -o '[0-9][0-9]*'); do`,
      `    name=$(bpftool -j map show id $id | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | tr . _)`,
      `    [ -e ${bpffs}/maps/$name ] || bpftool map pin id $id ${bpffs}/maps/$name`,
      "  done",
      "done",
    ];
    steps.forEach((step, index) => {
      if ("update" in step) {
        script.push(`bpftool map update pinned ${bpffs}/maps/${step.update} key hex ${hex(step.key)} value hex ${hex(step.value)}`);
      } else if ("tailCall" in step) {
        const { map, slot, program } = step.tailCall;
        const key = new Uint8Array(new Uint32Array([slot]).buffer);
        script.push(`bpftool map update pinned ${bpffs}/maps/${map} key hex ${hex(key)} value pinned ${bpffs}/programs/${program}`);
      } else {
        const frame = join(work, `frame-${index}.bin`);
        writeFileSync(frame, step.frame);
        script.push(`echo "run $(bpftool -j prog run pinned ${bpffs}/programs/${step.run} data_in ${frame})"`);
      }
    });
    for (const map of dumpMaps) script.push(`echo "dump ${map} $(bpftool -j map dump pinned ${bpffs}/maps/${map})"`);

    const result = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script.join("\n")], {
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`kernel run of ${objectPath} failed:\n${result.stderr}`);
    const retvals: number[] = [];
    const maps: Record<string, FormattedEntry[]> = {};
    for (const line of result.stdout.split("\n")) {
      const run = line.match(/^run (.*)$/);
      if (run) retvals.push((JSON.parse(run[1]) as { retval: number }).retval);
      const dump = line.match(/^dump (\S+) (.*)$/);
      if (dump) {
        const entries = JSON.parse(dump[2]) as { formatted: FormattedEntry }[];
        maps[dump[1]] = entries.map((entry) => entry.formatted);
      }
    }
    return { retvals, maps };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** eb_metrics summed over CPUs, as "reason/dir" -> packets. */
export function metricCounts(result: KernelRunResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of result.maps.eb_metrics ?? []) {
    const key = entry.key as { reason: number; dir: number };
    const perCpu = (entry.values ?? []) as { value: { count: number } }[];
    counts[`${key.reason}/${key.dir}`] = perCpu.reduce((sum, { value }) => sum + value.count, 0);
  }
  return counts;
}
