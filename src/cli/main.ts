// The `ebbflow` command.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { packageRoot } from "../util/package-root.ts";
import type { BenchOptions } from "./bench.ts";
import type { BpfLbListOptions } from "./bpf-lb.ts";
import type { ObserveOptions } from "./observe.ts";
import { DEFAULT_MAX_MEMORY } from "./max-memory.ts";
import type { ScenarioRunOptions } from "./scenario.ts";
import { UserError } from "../util/errors.ts";

// Each command's module (and the datapath, VM and compiler under it) loads
// when that command runs: `ebbflow --version` and `--help` load commander only.

function version(): string {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version;
}

export function program(setExit: (code: number) => void): Command {
  const cli = new Command("ebbflow")
    .description("A Cilium-style eBPF datapath: Kubernetes and Cilium policies enforced by real BPF programs")
    .version(version())
    .exitOverride()
    .showHelpAfterError();
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  cli
    .command("conformance")
    .description("run bpf_conformance .data files (a directory or files) in the eBPF VM")
    .argument("<paths...>", "directories of .data files, or .data files")
    .option("--json", "print the results as JSON")
    .option("--engine <engine>", "compiled (programs compiled to WebAssembly) or interp (the checked interpreter)", "compiled")
    .action(async (paths: string[], options: { json?: boolean; engine?: string }) =>
      setExit(await (await import("./conformance.ts")).conformanceCommand(paths, options)),
    );
  const scenario = cli.command("scenario").description("replay scenario files: manifests, traffic and the verdicts it must get");
  scenario
    .command("run")
    .description("replay scenario files (a directory's .yaml files, or files) through the datapath")
    .argument("<paths...>", "scenario files, or directories of them")
    .option("--seed <n>", "seed of source ports and every other random choice", "1")
    .option("-o, --output <format>", "text (hubble observe style), json (one object per line) or junit (XML for CI systems)", "text")
    .option("--backend <backend>", "wasm (the VM over a simulated cluster) or kernel", "wasm")
    .option("--engine <engine>", "how the wasm backend runs programs: compiled (to WebAssembly) or interp (the checked interpreter)", "compiled")
    .option("--allow-path <dir>", "a folder outside a scenario's own that its files: and pcap: may read (repeatable)", collect)
    .option("--shard <i/n>", "run only the i-th of n equal parts of the files, to split a suite across CI jobs")
    .option("--max-memory <size>", "refuse a scenario whose estimated memory is past this (512MiB, 2GiB, bytes)", DEFAULT_MAX_MEMORY)
    .action(async (paths: string[], options: ScenarioRunOptions) => setExit(await (await import("./scenario.ts")).scenarioRunCommand(paths, options)));

  const collectNumber = (value: string, previous: number[] = []) => {
    if (!/^\d+$/.test(value)) throw new UserError(`"${value}" is not a number`);
    return [...previous, Number(value)];
  };
  cli
    .command("observe")
    .description("replay a scenario and print its flows as hubble observe does")
    .argument("<scenario>", "a scenario file")
    .option("--seed <n>", "seed of the replay", "1")
    .option("--engine <engine>", "compiled (to WebAssembly) or interp (the checked interpreter)", "compiled")
    .option("-o, --output <format>", "compact, json or jsonpb", "compact")
    .option("--last <n>", "the last N flows (default 20)")
    .option("--all", "every flow")
    .option("-n, --namespace <ns>", "flows from or to a namespace", collect)
    .option("--pod <[ns/]name>", "flows from or to pods whose name starts so", collect)
    .option("--from-pod <[ns/]name>", "flows from such pods", collect)
    .option("--to-pod <[ns/]name>", "flows to such pods", collect)
    .option("--verdict <verdict>", "FORWARDED, DROPPED, ...", collect)
    .option("--protocol <protocol>", "tcp, udp, sctp, icmpv4", collect)
    .option("--port <port>", "source or destination port", collectNumber)
    .option("-t, --type <type>", "trace, drop, policy-verdict", collect)
    .option("--drop-reason-desc <reason>", "e.g. POLICY_DENIED", collect)
    .option("--identity <id>", "source or destination identity", collectNumber)
    .option("--print-node-name", "print the node's name after the time")
    .option("--print-policy-names", "print the policies behind policy verdicts")
    .action(async (file: string, options: ObserveOptions) => setExit(await (await import("./observe.ts")).observeCommand(file, options)));
  cli
    .command("bpf")
    .description("the datapath's maps, as cilium-dbg bpf prints them")
    .command("lb")
    .description("service load-balancing maps")
    .command("list")
    .description("a node's service and backend maps for a scenario's cluster (before its traffic)")
    .argument("<scenario>", "a scenario file")
    .option("--node <name>", "the node whose maps to list (default: the first)")
    .option("--seed <n>", "seed of allocated ClusterIPs, NodePorts and Maglev tables", "1")
    .action(async (file: string, options: BpfLbListOptions) => setExit((await import("./bpf-lb.ts")).bpfLbListCommand(file, options)));
  cli
    .command("bench")
    .description("instructions, map operations and time per packet of each program and path, for a scenario or a BPF object")
    .argument("<target>", "a scenario file (.yaml), or a BPF object (.o) with --packets")
    .option("--packets <file>", "a pcap capture of the packets to run an object's programs on")
    .option("--program <name>", "an object's program to run (default: every tc and XDP program)", collect)
    .option("--engine <engine>", "compiled (to WebAssembly) or interp (the checked interpreter)", "compiled")
    .option("--repeat <n>", "runs of each packet, or replays of the scenario (default 100 for an object, 1 for a scenario)")
    .option("-o, --output <format>", "table, or json (the baseline format)", "table")
    .option("--baseline <file>", "a saved -o json result: exit 1 past --threshold")
    .option("--threshold <percent>", "more instructions or map operations per packet than the baseline that fails", "5")
    .action(async (target: string, options: BenchOptions) => setExit(await (await import("./bench.ts")).benchCommand(target, options)));
  return cli;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof UserError) {
      process.stderr.write(`ebbflow: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
