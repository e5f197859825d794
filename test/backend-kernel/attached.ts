// What the kernel reports attached at a hook, read with the system's own
// tools (tc, bpftool), not through the addon that attached it.

import { execFileSync } from "node:child_process";

const json = (command: string, args: string[]) => JSON.parse(execFileSync(command, args, { encoding: "utf8" }) || "[]");

/** The ids of the BPF programs tc runs at one direction of `device` in the namespace `netns` (a name under /run/netns). */
export function tcProgramIds(netns: string, device: string, direction: "ingress" | "egress"): number[] {
  const filters = json("ip", ["netns", "exec", netns, "tc", "-j", "filter", "show", "dev", device, direction]) as { options?: { prog?: { id: number } } }[];
  return filters.flatMap((filter) => (filter.options?.prog ? [filter.options.prog.id] : []));
}

/**
 * The constants of the program tc runs at ingress of `device` in the
 * namespace `netns`, read back from the kernel: the program's id from tc,
 * its maps from bpftool, the value of its .rodata map by variable name (as
 * bpftool formats it from the object's BTF).
 */
export function attachedConstants(netns: string, device: string): Record<string, number> {
  const [programId] = tcProgramIds(netns, device, "ingress");
  const { map_ids: maps } = json("bpftool", ["-j", "prog", "show", "id", String(programId)]) as { map_ids: number[] };
  const rodata = maps.find((id) => (json("bpftool", ["-j", "map", "show", "id", String(id)]) as { name: string }).name.endsWith(".rodata"))!;
  const [entry] = json("bpftool", ["-j", "map", "dump", "id", String(rodata)]) as { formatted: { value: { ".rodata": Record<string, number>[] } } }[];
  return Object.assign({}, ...entry.formatted.value[".rodata"]);
}
