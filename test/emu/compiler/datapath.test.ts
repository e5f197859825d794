// The compiled engine runs the datapath's objects exactly as the kernel does:
// the differential test of test/emu/differential (ground rules in
// GROUND-RULES.md there), with the VM's programs compiled to WebAssembly.

import { expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../../backend-kernel/libbpf.ts";
import { describeWhen, kernelUnavailable } from "../../support/requirements.ts";
import { compareGroup, type Group } from "../differential/harness.ts";
import { hostGroup, lxcGroup, xdpGroup } from "../differential/groups.ts";

const ROUNDS = 10;
const PACKETS_PER_ROUND: Record<string, number> = { bpf_lxc: 4500, bpf_host: 2400, bpf_xdp: 1200 };
const MINIMUM_PER_PROGRAM = 10_000;

const unavailable = kernelUnavailable() ?? kernelBackendUnavailable();

describeWhen(unavailable, "the compiled VM against the kernel, packet by packet", () => {
  test.each([lxcGroup, hostGroup, xdpGroup].map((g) => [g.name, g] as [string, Group]))("%s", async (name, group) => {
    const report = await compareGroup(group, { rounds: ROUNDS, packetsPerRound: PACKETS_PER_ROUND[name], seed: 1, engine: "compiled" });
    const programs = [...new Set([...report.compared.keys(), ...report.refused.keys()])].sort();
    for (const program of programs) {
      console.log(
        `differential (compiled) ${name}/${program}: ${report.compared.get(program) ?? 0} packets compared, ` +
          `${report.refused.get(program) ?? 0} refused alike by both test runs, ${report.differences.length} differences`,
      );
    }
    expect(report.differences.slice(0, 3)).toEqual([]);
    for (const program of programs) expect(report.compared.get(program)).toBeGreaterThanOrEqual(MINIMUM_PER_PROGRAM);
  });
});
