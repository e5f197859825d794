import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { cgroup2Mount, NAME_PREFIX, NETNS_ROOT, removeLeftovers, STATE_ROOT } from "../../backend-kernel/run.ts";
import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable, outcomes } from "./support-cluster.ts";

const root = join(import.meta.dirname, "../..");
const scenario = join(root, "scenarios/multi-node.yaml");

/**
 * What the runs of process `pid` leave on the machine, counted (a run's id
 * begins with its process id, so that other tests' runs are not counted).
 */
function footprint(pid: number) {
  const ours = `${NAME_PREFIX}${pid.toString(36)}`;
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return {
    namespaces: list(NETNS_ROOT).filter((name) => name.startsWith(ours)).length,
    mounts: readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .filter((line) => line.includes(`${STATE_ROOT}/${pid.toString(36)}`) || line.includes(`${NETNS_ROOT}/${ours}`)).length,
    runs: list(STATE_ROOT).filter((id) => id.startsWith(pid.toString(36))).length,
    cgroups: list(cgroup2Mount()!).filter((name) => name.startsWith(ours)).length,
  };
}

const nothing = { namespaces: 0, mounts: 0, runs: 0, cgroups: 0 };

/** The host namespace's own state: links, addresses, routes, iptables rules and the sysctls a run sets in its namespaces. */
function hostState(): string {
  const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8" });
  const sysctls = [
    "net/ipv4/ip_forward",
    "net/ipv4/conf/all/rp_filter",
    "net/ipv4/conf/default/rp_filter",
    "net/ipv6/conf/all/disable_ipv6",
    "net/ipv6/conf/default/disable_ipv6",
  ];
  return [
    run("ip", ["-o", "link"]).replace(/\d+ bytes|qlen \d+/g, ""),
    run("ip", ["-o", "addr"]),
    run("ip", ["route", "show", "table", "all"]),
    run("iptables-save", [])
      .replace(/^#.*$/gm, "")
      .replace(/\[\d+:\d+\]/g, ""),
    ...sysctls.map((key) => `${key}=${readFileSync(`/proc/sys/${key}`, "utf8").trim()}`),
  ].join("\n");
}

/** Starts a run in another process that holds its cluster; resolves once it is set up. */
async function holdingRun(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "hold-cluster.ts"), scenario], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`the holding run exited (${code}) before it was ready`)));
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

describeWhen(clusterUnavailable(), "kernel backend runs leave nothing behind", () => {
  test("a run killed with kill -9 leaves resources that the next run removes, to zero", async () => {
    const child = await holdingRun();
    const during = footprint(child.pid!);
    expect(during.namespaces).toBeGreaterThan(0);
    expect(during.mounts).toBeGreaterThan(0);
    expect(during.cgroups).toBe(1);
    child.kill("SIGKILL");
    await exited(child);
    expect(footprint(child.pid!)).toEqual(during);
    expect(removeLeftovers().filter((id) => id.startsWith(child.pid!.toString(36)))).toHaveLength(1);
    expect(footprint(child.pid!)).toEqual(nothing);
  });

  test("a run interrupted with Ctrl-C (SIGINT) or SIGTERM removes its resources itself", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const child = await holdingRun();
      expect(footprint(child.pid!).namespaces).toBeGreaterThan(0);
      child.kill(signal);
      await exited(child);
      expect(footprint(child.pid!)).toEqual(nothing);
    }
  });

  test("the host's own namespace is unchanged by a run: links, addresses, routes, iptables rules, sysctls", async () => {
    const before = hostState();
    const kernel = await outcomes(scenario, await KernelDatapath.create());
    expect(kernel.length).toBeGreaterThan(0);
    expect(hostState()).toBe(before);
  });

  test("two runs at once, with the same addresses, do not disturb each other", async () => {
    const wasm = await outcomes(scenario, await WasmDatapath.create());
    const [first, second] = await Promise.all([outcomes(scenario, await KernelDatapath.create()), outcomes(scenario, await KernelDatapath.create())]);
    expect(first).toEqual(wasm);
    expect(second).toEqual(wasm);
  });
});
