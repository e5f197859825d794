// The commands the plugin runs: `ip` and `tc` in the node's namespace (the
// plugin's own, as a runtime runs it) or in the pod's, entered by path with
// nsenter (`ip -n` takes only names under /run/netns, and CNI_NETNS may be
// any path, such as /proc/PID/ns/net). JSON queries read iproute2's -j output.

import { execFile } from "node:child_process";

export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly commandLine: string,
    readonly stderr: string,
  ) {
    super(`${commandLine}: ${stderr.trim() || "failed"}`);
  }
}

/** Runs `command` in the namespace at `netns`, or in the plugin's own when undefined; its stdout. */
export function run(netns: string | undefined, command: string, args: readonly string[], input?: string): Promise<string> {
  const [file, argv] = netns === undefined ? [command, args] : ["nsenter", [`--net=${netns}`, "--", command, ...args]];
  return new Promise((resolve, reject) => {
    const child = execFile(file, argv, (error, stdout, stderr) => (error ? reject(new CommandError([command, ...args].join(" "), stderr)) : resolve(stdout)));
    // A command that fails before reading its input closes the pipe: its exit status says why.
    child.stdin!.on("error", () => {});
    child.stdin!.end(input);
  });
}

/** `ip -batch`: one command a line. */
export function ipBatch(netns: string | undefined, commands: readonly string[]): Promise<string> {
  return run(netns, "ip", ["-batch", "-"], commands.join("\n") + "\n");
}

export interface Link {
  ifindex: number;
  ifname: string;
  address: string;
  flags: string[];
}

/** A link by name, or undefined when there is none. */
export async function link(netns: string | undefined, name: string): Promise<Link | undefined> {
  try {
    const [found] = JSON.parse(await run(netns, "ip", ["-j", "link", "show", "dev", name])) as Link[];
    return found;
  } catch (error) {
    if (error instanceof CommandError && error.stderr.includes("does not exist")) return undefined;
    throw error;
  }
}

/** The IPv4 addresses of a link, as `address/prefixlen`. */
export async function addresses(netns: string | undefined, name: string): Promise<string[]> {
  const links = JSON.parse(await run(netns, "ip", ["-j", "-4", "addr", "show", "dev", name])) as { addr_info: { local: string; prefixlen: number }[] }[];
  return links.flatMap((entry) => entry.addr_info.map((info) => `${info.local}/${info.prefixlen}`));
}

export interface Route {
  dst: string;
  gateway?: string;
  dev: string;
}

/** The main table's IPv4 routes. */
export async function routes(netns: string | undefined): Promise<Route[]> {
  return JSON.parse(await run(netns, "ip", ["-j", "-4", "route", "show"])) as Route[];
}

/** The names of the BPF programs tc runs at one direction of a link (as the kernel keeps them: 15 characters at most). */
export async function tcPrograms(netns: string | undefined, name: string, direction: "ingress" | "egress"): Promise<string[]> {
  const filters = JSON.parse(await run(netns, "tc", ["-j", "filter", "show", "dev", name, direction])) as {
    kind?: string;
    options?: { prog?: { name: string } };
  }[];
  return filters.flatMap((filter) => (filter.kind === "bpf" && filter.options?.prog ? [filter.options.prog.name] : []));
}
