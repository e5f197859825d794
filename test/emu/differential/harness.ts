// Runs one group of objects (loaded together, sharing their pinned maps) on
// both sides and collects every difference: per packet (return code, packet,
// context, events) and per round (map contents).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PinnedMaps } from "../../../emu/vm/object.ts";
import { type Engine, Vm } from "../../../emu/vm/vm.ts";
import type { RuntimeBuild } from "../../../emu/vm/runtime.ts";
import { Random } from "./random.ts";
import { KernelSide, type ObjectUnderTest, type RunOutcome, type Variables, VmSide } from "./sides.ts";
import type { Entry } from "./traffic.ts";

export interface ObjectConfig {
  file: string;
  variables: Variables;
  tailCalls?: Record<number, string>;
  /** Maps compared after each round. */
  maps: string[];
  /** Of those, maps not emptied before a round (an array's entries cannot be deleted: contents() rewrites them). */
  kept?: string[];
}

export interface Packet {
  object: number;
  program: string;
  frame: Uint8Array;
  ctx?: Uint8Array;
  /** What it is, for the report of a difference. */
  description: string;
}

export interface Group {
  name: string;
  objects: ObjectConfig[];
  /** Map contents for a round: each entry goes to the object it names. */
  contents(random: Random): { object: number; entry: Entry }[];
  packet(random: Random): Packet;
}

export interface Difference {
  round: number;
  what: string;
  kernel: string;
  vm: string;
}

export interface GroupReport {
  /** Packets compared, by program. */
  compared: Map<string, number>;
  /** Packets the kernel's test run refused (and the VM refused alike), by program. */
  refused: Map<string, number>;
  differences: Difference[];
}

/** A bpffs of the run's own at a temporary directory. */
class Bpffs {
  readonly path = mkdtempSync(join(tmpdir(), "ebbflow-differential-"));
  constructor() {
    execFileSync("mount", ["-t", "bpf", "bpf", this.path]);
  }
  remove(): void {
    execFileSync("umount", [this.path]);
    rmdirSync(this.path);
  }
}

const describe = (outcome: RunOutcome): string =>
  outcome.refused
    ? `refused ${outcome.refused}`
    : `retval ${outcome.retval} data ${Buffer.from(outcome.data ?? []).toString("hex")} ctx ${Buffer.from(outcome.ctx ?? []).toString("hex")} events [${outcome.events.join(" ")}]`;

export async function compareGroup(
  group: Group,
  options: {
    rounds: number;
    packetsPerRound: number;
    seed: number;
    build?: RuntimeBuild;
    /** CPUs the VM has (default 1); the kernel's count when programs ask per-CPU maps about CPUs by number. */
    cpus?: number;
    /** The VM's engine (default the interpreter). */
    engine?: Engine;
  },
): Promise<GroupReport> {
  const bpffs = new Bpffs();
  const kernel: KernelSide[] = [];
  try {
    const vm = await Vm.create({ build: options.build, cpus: options.cpus, engine: options.engine });
    const pins = new PinnedMaps();
    const vmSides: VmSide[] = [];
    for (const config of group.objects) {
      kernel.push(new KernelSide(config.file, config.variables, bpffs.path, config.tailCalls));
      vmSides.push(new VmSide(vm, config.file, config.variables, pins, config.tailCalls));
    }
    const report: GroupReport = { compared: new Map(), refused: new Map(), differences: [] };
    const count = (table: Map<string, number>, key: string) => table.set(key, (table.get(key) ?? 0) + 1);
    for (let round = 0; round < options.rounds; round++) {
      const random = new Random(options.seed * 1000 + round);
      const sides: ObjectUnderTest[][] = [kernel, vmSides];
      for (const side of sides) {
        group.objects.forEach((config, i) => {
          for (const map of config.maps) if (map !== "eb_metrics" && !config.kept?.includes(map)) side[i].clear(map);
        });
      }
      for (const { object, entry } of group.contents(random)) {
        for (const side of sides) side[object].update(entry.map, entry.key, entry.value);
      }
      for (let n = 0; n < options.packetsPerRound; n++) {
        const packet = group.packet(random);
        const k = kernel[packet.object].run(packet.program, packet.frame, packet.ctx);
        const v = vmSides[packet.object].run(packet.program, packet.frame, packet.ctx);
        if (k.refused && v.refused === k.refused) count(report.refused, packet.program);
        else count(report.compared, packet.program);
        if (describe(k) !== describe(v)) {
          report.differences.push({
            round,
            what: `${packet.program}: ${packet.description} ${Buffer.from(packet.frame).toString("hex")}`,
            kernel: describe(k),
            vm: describe(v),
          });
        }
      }
      group.objects.forEach((config, i) => {
        for (const map of config.maps) {
          const k = kernel[i].dump(map).join("\n");
          const v = vmSides[i].dump(map).join("\n");
          if (k !== v) report.differences.push({ round, what: `map ${map} of ${config.file} after the round`, kernel: k, vm: v });
        }
      });
    }
    return report;
  } finally {
    for (const side of kernel) side.close();
    bpffs.remove();
  }
}
