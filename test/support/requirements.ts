// Tests that need root, the kernel's BPF, clang or libbpf skip with a printed
// reason where they cannot run. CI sets EBBFLOW_REQUIRE_KERNEL=1, which turns
// such a skip into a failure.

import { execFileSync } from "node:child_process";
import { describe, test } from "vitest";

export const kernelRequired = process.env.EBBFLOW_REQUIRE_KERNEL === "1";

/** A reason the current process cannot use the kernel's BPF, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root (BPF programs need CAP_BPF and CAP_NET_ADMIN)";
  return undefined;
}

/** A reason a command cannot be run, or undefined when it can. */
export function commandUnavailable(command: string, args: string[] = ["--version"]): string | undefined {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return undefined;
  } catch {
    return `${command} is not installed`;
  }
}

/**
 * `describe` that skips with a printed reason when `reason` is set, and fails
 * instead when EBBFLOW_REQUIRE_KERNEL=1.
 */
export function describeWhen(reason: string | undefined, name: string, body: () => void): void {
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (kernelRequired) {
    describe(name, () => {
      test(`requirement: ${reason}`, () => {
        throw new Error(`EBBFLOW_REQUIRE_KERNEL=1 but ${name} cannot run: ${reason}`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${reason}`);
  describe.skip(name, body);
}
