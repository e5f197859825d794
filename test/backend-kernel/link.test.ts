// Attachments as owned links: each attach call returns a KernelLink whose
// close() detaches what it attached, as the hook itself reports it (tc's
// filters, the device's XDP program, the cgroup's programs), and leaves
// a program that replaced it at the same hook attached.

import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { cgroupPrograms, KernelObject, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { KernelRun, NETNS_ROOT, topologyUnavailable } from "../../backend-kernel/run.ts";
import { packageRoot } from "../../src/util/package-root.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcProgramIds as tcProgramsAt } from "./attached.ts";

const DEVICE = "d0";
const CONNECT = "cgroup_inet4_connect";

const json = (command: string, args: string[]) => JSON.parse(execFileSync(command, args, { encoding: "utf8" }) || "[]");

describeWhen(kernelBackendUnavailable() ?? topologyUnavailable(), "links detach what they attached", () => {
  let run: KernelRun;
  let netns: string;
  let ifindex: number;
  let cgroup: string;
  const objects: KernelObject[] = [];

  /** A fresh copy of a datapath object, its maps pinned in the run's bpffs. */
  function load(file: string): KernelObject {
    const object = KernelObject.open(join(packageRoot(), "bpf", file), { pinRoot: run.bpffs });
    objects.push(object);
    object.load();
    return object;
  }

  /** The ids of the programs tc runs at one direction of the device. */
  const tcProgramIds = (direction: "ingress" | "egress"): number[] => tcProgramsAt(netns.split("/").at(-1)!, DEVICE, direction);
  /** The id of the device's XDP program, or undefined. */
  const xdpProgramId = (): number | undefined => json("ip", ["-n", netns.split("/").at(-1)!, "-j", "-d", "link", "show", "dev", DEVICE])[0].xdp?.prog?.id;
  /** The ids of the programs attached to the cgroup at connect4 (bpftool 7.1 cannot query a 6.x kernel's cgroups). */
  const cgroupProgramIds = (): number[] => cgroupPrograms(cgroup, CONNECT);

  beforeAll(() => {
    run = new KernelRun();
    const name = run.netnsName("links");
    execFileSync("ip", ["netns", "add", name]);
    execFileSync("ip", ["-n", name, "link", "add", DEVICE, "type", "veth", "peer", "name", `${DEVICE}-peer`]);
    execFileSync("ip", ["-n", name, "link", "set", DEVICE, "up"]);
    netns = join(NETNS_ROOT, name);
    ifindex = json("ip", ["-n", name, "-j", "link", "show", "dev", DEVICE])[0].ifindex;
    cgroup = join(run.cgroup, "links");
    mkdirSync(cgroup);
  });

  afterAll(() => {
    for (const object of objects) object.close();
    run.close();
  });

  test("a tc link's close() takes its program off the hook", () => {
    const program = load("bpf_host.o").program("cil_from_netdev");
    const link = program.attachTc(netns, ifindex, "ingress");
    expect(tcProgramIds("ingress")).toEqual([program.id]);
    expect(link.close()).toBe(true);
    expect(tcProgramIds("ingress")).toEqual([]);
    expect(link.close()).toBe(false);
  });

  test("a tc link replaced in place detaches nothing on close(): the replacing program stays attached until its own link closes", () => {
    const old = load("bpf_host.o").program("cil_to_netdev");
    const replacing = load("bpf_host.o").program("cil_to_netdev");
    const oldLink = old.attachTc(netns, ifindex, "egress");
    const newLink = replacing.attachTc(netns, ifindex, "egress");
    expect(tcProgramIds("egress")).toEqual([replacing.id]);
    expect(oldLink.close()).toBe(false);
    expect(tcProgramIds("egress")).toEqual([replacing.id]);
    expect(newLink.close()).toBe(true);
    expect(tcProgramIds("egress")).toEqual([]);
  });

  test("an XDP link's close() takes its program off the device, and a replaced one leaves the replacing program", () => {
    const first = load("bpf_xdp.o").program("cil_xdp_entry");
    const link = first.attachXdp(netns, ifindex);
    expect(xdpProgramId()).toBe(first.id);
    expect(link.close()).toBe(true);
    expect(xdpProgramId()).toBeUndefined();

    const oldLink = first.attachXdp(netns, ifindex);
    const replacing = load("bpf_xdp.o").program("cil_xdp_entry");
    const newLink = replacing.attachXdp(netns, ifindex);
    expect(oldLink.close()).toBe(false);
    expect(xdpProgramId()).toBe(replacing.id);
    expect(newLink.close()).toBe(true);
    expect(xdpProgramId()).toBeUndefined();
  });

  test("a cgroup link's close() detaches its program alone, leaving the others at the same hook", () => {
    const first = load("bpf_sock.o").program("cil_sock4_connect");
    const second = load("bpf_sock.o").program("cil_sock4_connect");
    const firstLink = first.attachCgroup(cgroup, CONNECT);
    const secondLink = second.attachCgroup(cgroup, CONNECT);
    expect(cgroupProgramIds().sort()).toEqual([first.id, second.id].sort());
    expect(firstLink.close()).toBe(true);
    expect(cgroupProgramIds()).toEqual([second.id]);
    expect(secondLink.close()).toBe(true);
    expect(cgroupProgramIds()).toEqual([]);
  });

  test("a link whose interface is gone closes quietly: the hook went with it", () => {
    const name = netns.split("/").at(-1)!;
    execFileSync("ip", ["-n", name, "link", "add", "d1", "type", "veth", "peer", "name", "d1-peer"]);
    const index = json("ip", ["-n", name, "-j", "link", "show", "dev", "d1"])[0].ifindex;
    const link = load("bpf_host.o").program("cil_from_netdev").attachTc(netns, index, "ingress");
    execFileSync("ip", ["-n", name, "link", "del", "d1"]);
    expect(link.close()).toBe(false);
  });
});
