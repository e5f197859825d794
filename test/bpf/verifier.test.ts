// Every committed object passes the running kernel's verifier. Each object is
// loaded with bpftool into a bpffs mounted inside a private mount namespace:
// its maps pinned by name land there, not on the host, and the programs and
// maps disappear with the namespace when the command ends.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { commandUnavailable, describeWhen, kernelUnavailable } from "../support/requirements.ts";
import { bpfDirectory, datapathObjects } from "./datapath.ts";

// $1: the object; $2: a directory name of this run's own.
const loadInPrivateBpffs = `
set -e
mount -t bpf bpf /sys/fs/bpf
mkdir "/sys/fs/bpf/$2"
log=$(bpftool -d prog loadall "$1" "/sys/fs/bpf/$2" 2>&1) || { printf '%s\\n' "$log" | tail -n 80 >&2; exit 1; }
echo "programs: $(ls "/sys/fs/bpf/$2" | tr '\\n' ' ')"
echo "pinned maps: $(ls /sys/fs/bpf | grep -v -e "^$2" -e '\\.debug$' | tr '\\n' ' ')"
`;

const requirement = kernelUnavailable() ?? commandUnavailable("bpftool", ["version"]) ?? commandUnavailable("unshare", ["--version"]);

describeWhen(requirement, "the kernel verifier", () => {
  test.each(datapathObjects)("accepts every program of $file", ({ file, programs, maps }) => {
    const ownDirectory = `ebbflow-verifier-${process.pid}-${file.replace(".o", "")}`; // bpffs refuses dots
    const result = spawnSync(
      "unshare",
      ["--mount", "--propagation", "private", "sh", "-c", loadInPrivateBpffs, "load", join(bpfDirectory, file), ownDirectory],
      { encoding: "utf8" },
    );
    expect(result.status, `${file}: verifier log:\n${result.stderr}`).toBe(0);
    const words = (label: string): string[] =>
      result.stdout
        .match(new RegExp(`^${label}: (.*)$`, "m"))?.[1]
        .trim()
        .split(" ")
        .sort() ?? [];
    expect(words("programs")).toEqual([...programs].sort());
    const pinned = maps.filter((name) => name !== "eb_policy" && name !== "eb_calls");
    expect(words("pinned maps")).toEqual(pinned.sort());
    // The private bpffs went with the namespace: nothing of the run is visible here.
    expect(existsSync(join("/sys/fs/bpf", ownDirectory))).toBe(false);
  });
});
