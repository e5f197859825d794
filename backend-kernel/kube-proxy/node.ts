// A kube-proxy node in a network namespace of a kernel backend run: the
// namespace, its sysctls and links, and kube-proxy's rules loaded with one
// `iptables-restore -w` inside it (never the host's tables). Which iptables
// that is (nf_tables or legacy) is the machine's default, as `iptables
// --version` names it. The namespace goes with the run (KernelRun removes it
// on close, exit, signals, and after a kill -9).

import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { KernelBackendUnavailableError } from "../errors.ts";
import { NETNS_ROOT, type KernelRun, topologyUnavailable } from "../run.ts";
import { ip } from "../topology.ts";

/** What the machine or process lacks for a kube-proxy node in a namespace (Linux, root, ip, iptables), or undefined. */
export function kubeProxyUnavailable(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root (network namespaces and iptables need CAP_NET_ADMIN)";
  return topologyUnavailable() ?? iptablesUnavailable();
}

/** What the machine lacks to run iptables in a namespace, or undefined. */
export function iptablesUnavailable(): string | undefined {
  try {
    execFileSync("iptables-restore", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "iptables-restore is not installed: apt-get install iptables";
  }
}

/** The machine's default iptables, as it names itself: "v1.8.9 (nf_tables)" or "v1.8.9 (legacy)". */
export function iptablesVariant(): string {
  return execFileSync("iptables", ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^iptables /, "");
}

export class IptablesError extends Error {
  constructor(netns: string, command: string, stderr: string) {
    super(`${command} in ${netns}: ${stderr.trim()}`);
    this.name = "IptablesError";
  }
}

/** Runs a command inside a named namespace, feeding it `input`; resolves with its stdout. */
export function inNamespace(netns: string, command: string, args: readonly string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("ip", ["netns", "exec", netns, command, ...args], { maxBuffer: 1 << 30 }, (error, stdout, stderr) =>
      error ? reject(new IptablesError(netns, [command, ...args].join(" "), stderr || error.message)) : resolve(stdout),
    );
    // A command that does not read its input (sysctl) may be gone before it is written: its exit status tells what happened.
    child.stdin!.on("error", () => {});
    child.stdin!.end(input);
  });
}

/** Every namespace of a node: no IPv6 (its neighbour discovery would be traffic nobody sent), forwarding, no reverse-path filter. */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  "net.ipv6.conf.all.disable_ipv6": "1",
  "net.ipv6.conf.default.disable_ipv6": "1",
  "net.ipv4.ip_forward": "1",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
};

/** Adds a namespace to the run and sets `sysctls` in it; returns its name. */
export async function addNamespace(run: KernelRun, suffix: string, sysctls: Readonly<Record<string, string>>): Promise<string> {
  const netns = run.netnsName(suffix);
  await ip(undefined, [`netns add ${netns}`]);
  const settings = Object.entries(sysctls).map(([key, value]) => `${key}=${value}`);
  if (settings.length > 0) await inNamespace(netns, "sysctl", ["-q", "-w", ...settings]);
  return netns;
}

export function namespacePath(netns: string): string {
  return join(NETNS_ROOT, netns);
}

/** Loads `restoreInput` into the namespace's tables with one iptables-restore; resolves with the milliseconds it took. */
export async function restoreRules(netns: string, restoreInput: string): Promise<number> {
  if (iptablesUnavailable()) throw new KernelBackendUnavailableError(iptablesUnavailable()!);
  const start = performance.now();
  await inNamespace(netns, "iptables-restore", ["-w"], restoreInput);
  return performance.now() - start;
}

/** Per rule, its packet counter, from `iptables-save -c`: keyed by the rule as saved (without the counter). */
export async function natCounters(netns: string): Promise<{ rule: string; packets: number }[]> {
  const saved = await inNamespace(netns, "iptables-save", ["-c", "-t", "nat"]);
  const rules: { rule: string; packets: number }[] = [];
  for (const line of saved.split("\n")) {
    const counted = /^\[(\d+):\d+\] (-A .*)$/.exec(line);
    if (counted) rules.push({ rule: counted[2], packets: Number(counted[1]) });
  }
  return rules;
}
