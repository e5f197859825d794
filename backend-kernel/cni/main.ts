// The plugin's entry: one CNI command from the environment and stdin to
// stdout and an exit code, as the CNI 1.0 specification has a runtime call
// a plugin. Every failure is the specification's error object on stdout.

import { KernelBackendUnavailableError, KernelError, KernelUsageError } from "../libbpf.ts";
import { CommandError } from "./commands.ts";
import { decodeJson, parseEnvironment, parseNetworkConfig, RESULT_VERSION, SUPPORTED_VERSIONS } from "./config.ts";
import { CniCode, CniError } from "./errors.ts";
import { addPod, checkPod, deletePod } from "./pod.ts";

export interface CniOutput {
  /** What the plugin prints: a result, VERSION's answer, or an error object; empty for DEL and CHECK. */
  stdout: string;
  exitCode: number;
}

export async function runCni(env: NodeJS.ProcessEnv, stdin: string): Promise<CniOutput> {
  try {
    const environment = parseEnvironment(env);
    if (environment.command === "VERSION") {
      // The input's cniVersion asks nothing of the answer: every version is listed.
      if (stdin.trim() !== "") decodeJson(stdin);
      return printed({ cniVersion: RESULT_VERSION, supportedVersions: SUPPORTED_VERSIONS });
    }
    const config = parseNetworkConfig(decodeJson(stdin));
    if (environment.command === "ADD") return printed(await addPod(environment, config));
    if (environment.command === "DEL") await deletePod(environment, config);
    else await checkPod(environment, config);
    return { stdout: "", exitCode: 0 };
  } catch (error) {
    const cniError = asCniError(error);
    return { stdout: JSON.stringify(cniError.errorObject(RESULT_VERSION)) + "\n", exitCode: 1 };
  }
}

const printed = (value: object): CniOutput => ({ stdout: JSON.stringify(value) + "\n", exitCode: 0 });

/** What went wrong, in the specification's terms: which part of the wiring failed, and the words of what refused it. */
function asCniError(error: unknown): CniError {
  if (error instanceof CniError) return error;
  if (error instanceof KernelBackendUnavailableError) return new CniError(CniCode.kernelUnavailable, error.message);
  if (error instanceof CommandError) return new CniError(CniCode.wiringFailed, `wiring the pod's interface failed: ${error.commandLine}`, error.stderr.trim());
  if (error instanceof KernelError || error instanceof KernelUsageError)
    return new CniError(CniCode.bpfFailed, `loading or attaching bpf_lxc failed: ${error.message.split("\n")[0]}`, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new CniError(CniCode.internal, `ebbflow-cni failed: ${message}`, error instanceof Error ? (error.stack ?? "") : "");
}
