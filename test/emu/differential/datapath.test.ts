// The VM runs the datapath's objects exactly as the kernel does: every program
// of bpf_lxc, bpf_host and bpf_xdp, on at least 10,000 packets each (valid ones
// of every protocol and malformed ones), with random ipcache, policy and
// conntrack contents, gives the same return codes, packets, contexts, events
// and map contents in the kernel (BPF_PROG_TEST_RUN) and in the VM.
// Ground rules: GROUND-RULES.md beside this file.

import { expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../../backend-kernel/libbpf.ts";
import { PinnedMaps } from "../../../emu/vm/object.ts";
import { Vm } from "../../../emu/vm/vm.ts";
import { describeWhen, kernelUnavailable } from "../../support/requirements.ts";
import { compareGroup, type Group } from "./harness.ts";
import { hostGroup, lxcGroup, xdpGroup } from "./groups.ts";
import { VmSide } from "./sides.ts";

const ROUNDS = 10;
const PACKETS_PER_ROUND: Record<string, number> = { bpf_lxc: 4500, bpf_host: 2400, bpf_xdp: 1200 };
const MINIMUM_PER_PROGRAM = 10_000;

const unavailable = kernelUnavailable() ?? kernelBackendUnavailable();

describeWhen(unavailable, "the VM against the kernel, packet by packet", () => {
  test.each([lxcGroup, hostGroup, xdpGroup].map((g) => [g.name, g] as [string, Group]))("%s", async (name, group) => {
    const report = await compareGroup(group, { rounds: ROUNDS, packetsPerRound: PACKETS_PER_ROUND[name], seed: 1 });
    const programs = [...new Set([...report.compared.keys(), ...report.refused.keys()])].sort();
    for (const program of programs) {
      console.log(
        `differential ${name}/${program}: ${report.compared.get(program) ?? 0} packets compared, ` +
          `${report.refused.get(program) ?? 0} refused alike by both test runs, ${report.differences.length} differences`,
      );
    }
    expect(report.differences.slice(0, 3)).toEqual([]);
    for (const program of programs) expect(report.compared.get(program)).toBeGreaterThanOrEqual(MINIMUM_PER_PROGRAM);
  });
});

// Frames the kernel's test run refuses are run in the VM alone: the datapath must drop them as the C code intends.
const RUNT = new Uint8Array(13);
const SHORT_IPV4 = Uint8Array.from([...new Array(12).fill(0), 0x08, 0x00, 0x45, 0, 0, 0, 0, 0]);
const SHORT_IPV6 = Uint8Array.from([...new Array(12).fill(0), 0x86, 0xdd, 0x60, ...new Array(15).fill(0)]);
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const UNSUPPORTED_L2 = 166;
const INVALID = 134;

const dropReasonOf = (events: string[]): number[] => events.map((hex) => (hex.slice(16, 18) === "01" ? parseInt(hex.slice(24, 26), 16) : 0));

test.each([
  ["cil_from_container", RUNT, TC_ACT_SHOT, [UNSUPPORTED_L2]],
  ["cil_from_container", SHORT_IPV4, TC_ACT_SHOT, [INVALID]],
  ["cil_from_container", SHORT_IPV6, TC_ACT_SHOT, [INVALID]],
  ["cil_to_container", RUNT, TC_ACT_SHOT, [UNSUPPORTED_L2]],
  ["cil_to_container", SHORT_IPV4, TC_ACT_SHOT, [INVALID]],
  ["cil_to_container", SHORT_IPV6, TC_ACT_SHOT, [INVALID]],
  ["cil_from_netdev", RUNT, TC_ACT_SHOT, [UNSUPPORTED_L2]],
  ["cil_from_netdev", SHORT_IPV4, TC_ACT_SHOT, [INVALID]],
  ["cil_from_netdev", SHORT_IPV6, TC_ACT_OK, []],
  ["cil_to_netdev", RUNT, TC_ACT_SHOT, [UNSUPPORTED_L2]],
] as [string, Uint8Array, number, number[]][])("in the VM alone, %s on a frame the kernel's test run refuses (%#)", async (program, frame, retval, drops) => {
  const vm = await Vm.create();
  const group = program.includes("container") ? lxcGroup : hostGroup;
  const config = group.objects[0];
  const side = new VmSide(vm, config.file, config.variables, new PinnedMaps(), config.tailCalls);
  expect(side.run(program, frame, undefined).refused).toBe("EINVAL");
  const outcome = side.run(program, frame, undefined, { refusedToo: true });
  expect(outcome.retval).toBe(retval);
  expect(dropReasonOf(outcome.events)).toEqual(drops);
});
