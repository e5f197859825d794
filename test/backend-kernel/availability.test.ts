// Where the kernel backend cannot run, it says why, and importing it breaks nothing.

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, test } from "vitest";
import { kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { commandUnavailable, describeWhen } from "../support/requirements.ts";

const backendKernel = fileURLToPath(new URL("../../backend-kernel/", import.meta.url));
const temporaries: string[] = [];
afterEach(() => temporaries.splice(0).forEach((path) => rmSync(path, { recursive: true, force: true })));

/** A copy of backend-kernel/'s TypeScript (and what it imports) without the built addon; the copy's backend-kernel folder. */
function unbuiltCopy(): string {
  const root = mkdtempSync(join(tmpdir(), "ebbflow-unbuilt-"));
  temporaries.push(root);
  const directory = join(root, "backend-kernel");
  mkdirSync(directory);
  for (const file of ["libbpf.ts", "native.ts", "errors.ts"]) cpSync(join(backendKernel, file), join(directory, file));
  mkdirSync(join(root, "src/util"), { recursive: true });
  for (const file of ["errno.ts", "package-root.ts"]) cpSync(join(backendKernel, "../src/util", file), join(root, "src/util", file));
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  return directory;
}

/** Runs `script` as an ES module in a child node with tsx; its stdout. */
function runModule(script: string, wrapper: string[] = []): string {
  const command = [...wrapper, process.execPath, "--import", "tsx", "--input-type=module", "-e", script];
  return execFileSync(command[0], command.slice(1), { encoding: "utf8", cwd: fileURLToPath(new URL("../..", import.meta.url)) });
}

const probe = (directory: string) => `
  const libbpf = await import(${JSON.stringify(join(directory, "libbpf.ts"))});
  let opened = "opened";
  try { libbpf.KernelObject.open("/nonexistent.o"); } catch (error) { opened = error.name + ": " + error.message; }
  console.log(JSON.stringify({ reason: libbpf.kernelBackendUnavailable(), opened }));
`;

describeWhen(process.platform === "linux" ? undefined : "not Linux", "the kernel backend where it cannot run", () => {
  test("without the addon it says how to build it, and opening an object is refused with that reason", () => {
    const directory = unbuiltCopy();
    const result = JSON.parse(runModule(probe(directory)));
    expect(result.reason).toMatch(/the libbpf addon is not built: run `npm run build:kernel`/);
    expect(result.opened).toBe(`KernelBackendUnavailableError: the kernel backend is unavailable: ${result.reason}`);
  });

  test("when the build could not run, it reports the build's reason", () => {
    const directory = unbuiltCopy();
    mkdirSync(join(directory, "addon/build"), { recursive: true });
    writeFileSync(join(directory, "addon/build/unavailable.txt"), "libbpf is not installed: apt-get install libbpf-dev\n");
    const result = JSON.parse(runModule(probe(directory)));
    expect(result.reason).toBe("the libbpf addon was not built: libbpf is not installed: apt-get install libbpf-dev");
  });

  test("the build script explains a missing libbpf, records it and succeeds", () => {
    const directory = mkdtempSync(join(tmpdir(), "ebbflow-addon-"));
    temporaries.push(directory);
    // The script as it lies in the package, beside the native-build helper it sources.
    const addon = join(directory, "backend-kernel/addon");
    cpSync(join(backendKernel, "addon/build.sh"), join(addon, "build.sh"));
    cpSync(join(backendKernel, "../emu/host/native-build.sh"), join(directory, "emu/host/native-build.sh"));
    const output = execFileSync("bash", ["-c", `${join(addon, "build.sh")} 2>&1`], {
      encoding: "utf8",
      env: { ...process.env, PKG_CONFIG_LIBDIR: "/nonexistent", PKG_CONFIG_PATH: "" },
    });
    expect(output).toMatch(/the kernel backend is not built: libbpf is not installed: apt-get install libbpf-dev/);
    expect(readFileSync(join(addon, "build/unavailable.txt"), "utf8")).toBe("libbpf is not installed: apt-get install libbpf-dev\n");
  });
});

// Needs the addon built and root, to drop root's capabilities for the child.
describeWhen(kernelBackendUnavailable() ?? commandUnavailable("setpriv"), "the kernel backend without privileges", () => {
  test("a process without capabilities is told it needs root", () => {
    const result = JSON.parse(runModule(probe(backendKernel), ["setpriv", "--bounding-set", "-all"]));
    expect(result.reason).toMatch(/^not privileged: loading BPF programs needs root/);
  });
});

describeWhen(kernelBackendUnavailable(), "the kernel backend where it can run", () => {
  test("reports nothing missing", () => {
    expect(kernelBackendUnavailable()).toBeUndefined();
  });
});
