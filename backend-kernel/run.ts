// One kernel backend run's resources on the machine, and their removal.
// Everything a run creates carries its id: the network namespaces
// (`ebbflow-ID-...` in /run/netns), a state directory /run/ebbflow/ID holding
// the owner's pid and its bpffs mount, and a cgroup directory ebbflow-ID under
// the cgroup v2 mount. A run removes them when it closes, when its process
// exits or is interrupted (SIGINT, SIGTERM), and, after a kill -9, the next
// run removes them: it finds the state directory of an owner that is gone.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KernelBackendUnavailableError } from "./errors.ts";

export const STATE_ROOT = "/run/ebbflow";
export const NETNS_ROOT = "/run/netns";
export const NAME_PREFIX = "ebbflow-";

/** Where cgroup v2 is mounted (a hybrid layout mounts it at /sys/fs/cgroup/unified), or undefined. */
export function cgroup2Mount(): string | undefined {
  const mounts = readFileSync("/proc/self/mounts", "utf8").split("\n");
  return mounts.map((line) => line.split(" ")).find((fields) => fields[2] === "cgroup2")?.[1];
}

/** What the machine lacks for the kernel backend's topology (bpffs, cgroup v2, ip), or undefined. */
export function topologyUnavailable(): string | undefined {
  if (!existsSync("/proc/filesystems") || !readFileSync("/proc/filesystems", "utf8").includes("\tbpf\n")) {
    return "the kernel has no bpf filesystem (bpffs): build it with CONFIG_BPF_SYSCALL";
  }
  if (!cgroup2Mount()) return "cgroup v2 is not mounted: mount -t cgroup2 none /sys/fs/cgroup/unified (or boot with systemd.unified_cgroup_hierarchy)";
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "the ip command is missing: apt-get install iproute2";
  }
  return undefined;
}

/** A process's start time (field 22 of /proc/PID/stat), which tells a live owner from a reused pid. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

let counter = 0;
const live = new Set<KernelRun>();

export class KernelRun {
  /** Short enough that names built from it stay readable; unique per process and call. */
  readonly id = `${process.pid.toString(36)}${(counter++).toString(36)}${Date.now().toString(36).slice(-4)}`;
  readonly stateDirectory = join(STATE_ROOT, this.id);
  readonly bpffs = join(this.stateDirectory, "bpffs");
  readonly cgroup: string;
  private closed = false;

  constructor() {
    const problem = topologyUnavailable();
    if (problem) throw new KernelBackendUnavailableError(problem);
    removeLeftovers();
    this.cgroup = join(cgroup2Mount()!, `${NAME_PREFIX}${this.id}`);
    mkdirSync(this.bpffs, { recursive: true });
    writeFileSync(join(this.stateDirectory, "owner"), `${process.pid} ${startTime(process.pid)}\n`);
    live.add(this);
    installExitHandlers();
    try {
      execFileSync("mount", ["-t", "bpf", "bpf", this.bpffs], { stdio: "pipe" });
    } catch (error) {
      this.close();
      throw new KernelBackendUnavailableError(`cannot mount bpffs at ${this.bpffs}: ${(error as Error).message.trim()}`);
    }
    mkdirSync(this.cgroup);
  }

  /** A network namespace name of this run. */
  netnsName(suffix: string): string {
    return `${NAME_PREFIX}${this.id}-${suffix}`;
  }

  /** Removes everything the run made. Synchronous, so that exit handlers can call it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    removeRun(this.id);
  }
}

/** Removes the resources of run `id`: namespaces, bpffs mount and pins, cgroups, state directory. */
function removeRun(id: string): void {
  const namespaces = existsSync(NETNS_ROOT) ? readdirSync(NETNS_ROOT).filter((name) => name.startsWith(`${NAME_PREFIX}${id}-`)) : [];
  if (namespaces.length > 0) {
    execFileSync("ip", ["-force", "-batch", "-"], { input: namespaces.map((name) => `netns del ${name}\n`).join(""), stdio: ["pipe", "ignore", "ignore"] });
  }
  const cgroupRoot = cgroup2Mount();
  if (cgroupRoot) removeCgroup(join(cgroupRoot, `${NAME_PREFIX}${id}`));
  const stateDirectory = join(STATE_ROOT, id);
  const bpffs = join(stateDirectory, "bpffs");
  if (readFileSync("/proc/self/mounts", "utf8").includes(` ${bpffs} `)) execFileSync("umount", ["-l", bpffs]);
  rmSync(stateDirectory, { recursive: true, force: true });
}

/** Kills what is left in a cgroup tree (the run's peers) and removes it, leaves first. */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  if (existsSync(join(path, "cgroup.kill"))) writeFileSync(join(path, "cgroup.kill"), "1");
  // A killed process leaves its cgroup a moment after the signal.
  for (let tries = 0; ; tries++) {
    try {
      rmdirSync(path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EBUSY" || tries === 200) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** Removes the resources of every run whose owner process is gone (a run killed with kill -9). */
export function removeLeftovers(): string[] {
  if (!existsSync(STATE_ROOT)) return [];
  const removed: string[] = [];
  for (const id of readdirSync(STATE_ROOT)) {
    let owner: string[] = [];
    try {
      owner = readFileSync(join(STATE_ROOT, id, "owner"), "utf8")
        .trim()
        .split(" ");
    } catch {
      // A run that had not written its owner yet is one being set up, or one
      // that died at once: only the second has no process left to ask.
    }
    const [pid, started] = owner;
    if (pid !== undefined && startTime(Number(pid)) === started) continue;
    if (pid === undefined && Date.now() - statTime(join(STATE_ROOT, id)) < 10_000) continue;
    removeRun(id);
    removed.push(id);
  }
  return removed;
}

function statTime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

let handlersInstalled = false;

/** Removes every live run when the process exits or is interrupted, then lets the signal do what it does. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const closeAll = () => {
    for (const run of [...live]) run.close();
  };
  process.on("exit", closeAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      closeAll();
      process.kill(process.pid, signal);
    });
  }
}
