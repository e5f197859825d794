// The `ebbflow` command.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { packageRoot } from "../util/package-root.ts";
import { conformanceCommand } from "./conformance.ts";
import { UserError } from "./errors.ts";

function version(): string {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version;
}

export function program(setExit: (code: number) => void): Command {
  const cli = new Command("ebbflow")
    .description("A Cilium-style eBPF datapath: Kubernetes and Cilium policies enforced by real BPF programs")
    .version(version())
    .exitOverride()
    .showHelpAfterError();
  cli
    .command("conformance")
    .description("run bpf_conformance .data files (a directory or files) in the eBPF VM")
    .argument("<paths...>", "directories of .data files, or .data files")
    .option("--json", "print the results as JSON")
    .action(async (paths: string[], options: { json?: boolean }) => setExit(await conformanceCommand(paths, options)));
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
