import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { ATTACH_TYPE_NAMES, MAP_TYPE_NAMES, PROGRAM_TYPE_NAMES } from "../../../emu/loader/kernel-enums.ts";
import { programTypeOfSection } from "../../../emu/loader/programs.ts";
import { describeWhen } from "../../support/requirements.ts";
import { loadFixture } from "./fixture.ts";

test("each program of program_types.c gets libbpf's program type and expected attach type", () => {
  const programs = loadFixture("program_types.o").programs.map((p) => [p.name, p.section, p.type, p.typeName, p.attachType, p.attachTypeName]);
  expect(programs).toEqual([
    ["tc_prog", "tc", 3, "SCHED_CLS", undefined, undefined],
    ["classifier_prog", "classifier", 3, "SCHED_CLS", undefined, undefined],
    ["xdp_prog", "xdp", 6, "XDP", 37, "XDP"],
    ["connect4_prog", "cgroup/connect4", 18, "CGROUP_SOCK_ADDR", 10, "CGROUP_INET4_CONNECT"],
    ["sendmsg4_prog", "cgroup/sendmsg4", 18, "CGROUP_SOCK_ADDR", 14, "CGROUP_UDP4_SENDMSG"],
    ["recvmsg4_prog", "cgroup/recvmsg4", 18, "CGROUP_SOCK_ADDR", 19, "CGROUP_UDP4_RECVMSG"],
    ["ingress_prog", "cgroup_skb/ingress", 8, "CGROUP_SKB", 0, "CGROUP_INET_INGRESS"],
    ["egress_prog", "cgroup_skb/egress", 8, "CGROUP_SKB", 1, "CGROUP_INET_EGRESS"],
    ["socket_prog", "socket", 1, "SOCKET_FILTER", undefined, undefined],
    ["kprobe_prog", "kprobe/tcp_connect", 2, "KPROBE", undefined, undefined],
  ]);
});

test("every program carries the object's license", () => {
  const object = loadFixture("program_types.o");
  expect(object.license).toBe("GPL");
  expect(loadFixture("maps.o").license).toBe("Dual BSD/GPL");
  for (const p of object.programs) expect(p.license).toBe("GPL");
});

test("section names match as libbpf 1.1 matches them: exactly, or word and word/suffix for kprobe+ entries", () => {
  expect(programTypeOfSection("tc")?.typeName).toBe("SCHED_CLS");
  expect(programTypeOfSection("tc/ingress")).toBeUndefined(); // tcx names came with libbpf 1.3
  expect(programTypeOfSection("xdp_foo")).toBeUndefined();
  expect(programTypeOfSection("kprobe")?.typeName).toBe("KPROBE");
  expect(programTypeOfSection("kprobe/tcp_v4_connect")?.typeName).toBe("KPROBE");
  expect(programTypeOfSection("kprobex")).toBeUndefined();
  expect(programTypeOfSection("cgroup/sock")?.attachTypeName).toBe("CGROUP_INET_SOCK_CREATE");
  expect(programTypeOfSection("fentry/tcp_connect")).toBeUndefined();
  expect(programTypeOfSection("from-container")).toBeUndefined();
});

const HEADER = "/usr/include/linux/bpf.h";

describeWhen(existsSync(HEADER) ? undefined : `${HEADER} is not installed (linux-libc-dev)`, "kernel enums against the installed uapi header", () => {
  const header = readFileSync(HEADER, "utf8");
  const enumNames = (name: string, prefix: string): string[] => {
    const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(header)?.[1] ?? "";
    return body
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .split(",")
      .map((entry) => entry.trim().split(/\s|=/)[0])
      .filter((entry) => entry.startsWith(prefix) && !entry.startsWith("__"))
      .map((entry) => entry.slice(prefix.length));
  };

  test("map, program and attach type numbers agree with the header's enums, as far as both go", () => {
    for (const [ours, theirs] of [
      [MAP_TYPE_NAMES, enumNames("bpf_map_type", "BPF_MAP_TYPE_")],
      [PROGRAM_TYPE_NAMES, enumNames("bpf_prog_type", "BPF_PROG_TYPE_")],
      [ATTACH_TYPE_NAMES, enumNames("bpf_attach_type", "BPF_")],
    ] as const) {
      expect(theirs.length).toBeGreaterThan(20);
      const shared = Math.min(ours.length, theirs.length);
      expect(ours.slice(0, shared)).toEqual(theirs.slice(0, shared));
    }
  });
});
