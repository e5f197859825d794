// Loading clang's objects into the VM as libbpf loads them into the kernel:
// pinned maps shared by name, constants per copy, tail-call slots, and
// refusals that name the file, the section, the instruction and the helper.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadObject } from "../../../emu/loader/object.ts";
import { VmError } from "../../../emu/vm/errors.ts";
import { loadIntoVm, ObjectLoadError, PinnedMaps } from "../../../emu/vm/object.ts";
import { testRunSkb } from "../../../emu/vm/test-run.ts";
import { Vm } from "../../../emu/vm/vm.ts";

const object = (path: string) => loadObject(readFileSync(path), path.split("/").pop()!);
const LXC = object("bpf/bpf_lxc.o");
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const endpoint = (id: number) => ({
  endpoint_id: id,
  endpoint_ipv4: 0x0001000a + (id << 24),
  endpoint_ifindex: id,
  endpoint_identity: 1000 + id,
  policy_ingress_enforced: 1,
  policy_egress_enforced: 1,
});

describe("loadIntoVm", () => {
  test("shares pinned maps between copies and keeps the others per copy", async () => {
    const vm = await Vm.create();
    const pins = new PinnedMaps();
    const a = loadIntoVm(vm, LXC, { pins, variables: endpoint(1) });
    const b = loadIntoVm(vm, LXC, { pins, variables: endpoint(2) });
    for (const shared of ["eb_ipcache", "eb_ct4", "eb_metrics", "eb_events"]) expect(a.map(shared)).toBe(b.map(shared));
    for (const own of ["eb_policy", "eb_calls", ".rodata"]) expect(a.map(own)).not.toBe(b.map(own));
  });

  test("writes each copy's constants into its .rodata", async () => {
    const vm = await Vm.create();
    const loaded = loadIntoVm(vm, LXC, { variables: endpoint(3) });
    const rodata = loaded.map(".rodata").lookup(u32(0))!;
    const variable = LXC.maps.find((m) => m.name === ".rodata")!.variables!.find((v) => v.name === "endpoint_identity")!;
    expect(new DataView(rodata.buffer).getUint32(variable.offset, true)).toBe(1003);
  });

  test("refuses a pinned map whose definition differs from the one already pinned", async () => {
    const vm = await Vm.create();
    const pins = new PinnedMaps();
    loadIntoVm(vm, LXC, { pins, variables: endpoint(1) });
    expect(() => loadIntoVm(vm, LXC, { pins, variables: endpoint(2), maxEntries: { eb_ct4: 1024 } })).toThrow(
      "bpf_lxc.o: map eb_ct4: the pinned map of that name has another definition (as libbpf: couldn't reuse pinned map)",
    );
  });

  test("refuses a helper the VM does not provide, naming the section, instruction and helper", async () => {
    const vm = await Vm.create();
    const load = () => loadIntoVm(vm, object("test/fixtures/vm-errors/unsupported_helper.o"));
    expect(load).toThrow(ObjectLoadError);
    expect(load).toThrow(
      /^unsupported_helper\.o: section tc: program uses_pid: instruction 0 \(call 14\) at unsupported_helper\.c:8: .*: calls bpf_get_current_pid_tgid \(14\), which this VM does not provide$/,
    );
  });

  test("refuses program types it has no context for", async () => {
    const vm = await Vm.create();
    expect(() => loadIntoVm(vm, object("test/fixtures/bpf/program_types.o"))).toThrow(/the VM does not run (KPROBE|CGROUP_SKB|SOCKET_FILTER) programs/);
  });

  test("stops a run that reads outside the packet and names the C line", async () => {
    const vm = await Vm.create();
    const loaded = loadIntoVm(vm, object("test/fixtures/vm-errors/unchecked_read.o"));
    let error: unknown;
    try {
      testRunSkb(vm, loaded.program("read_far"), { data: new Uint8Array(64) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VmError);
    expect((error as VmError).message).toMatch(
      /^read_far: instruction \d+ \(ldxb %r0, \[%r1\+2000\]\) at unchecked_read\.c:10: return data\[2000\];: read of 1 bytes at 0x[0-9a-f]+ is outside the memory the program may touch$/,
    );
  });

  test("holds a 100-pod, 3-node cluster in well under 256 MiB", async () => {
    const vm = await Vm.create({ cpus: 2 });
    const nodes = [new PinnedMaps(), new PinnedMaps(), new PinnedMaps()];
    for (let pod = 0; pod < 100; pod++) {
      const loaded = loadIntoVm(vm, LXC, { pins: nodes[pod % 3], variables: endpoint(pod + 1) });
      loaded.map("eb_calls").update(u32(1), u32(loaded.program("tail_ipv4_from_container").id));
      loaded.map("eb_calls").update(u32(2), u32(loaded.program("tail_ipv4_to_container").id));
    }
    const mib = vm.memoryBytes() / 2 ** 20;
    console.log(`100 copies of bpf_lxc on 3 nodes: ${mib.toFixed(1)} MiB of wasm memory`);
    expect(mib).toBeLessThan(64);
  });
});
