// The kernel's side of the datapath's loaders (src/core/datapath/object-backend.ts):
// the datapath's objects opened, configured and loaded with libbpf, their
// maps pinned under a node's pin root, their programs attached as owned
// links in a node's network namespace and cgroup.

import { join } from "node:path";
import type { DatapathObjectFile, Hook, ObjectAttacher, ObjectBackend, ObjectConfiguration } from "../src/core/datapath/object-backend.ts";
import { packageRoot } from "../src/util/package-root.ts";
import { KernelLink, KernelObject, KernelUsageError } from "./libbpf.ts";

export interface KernelPins {
  /** The bpffs directory of the node's maps, shared by name (LIBBPF_PIN_BY_NAME). */
  pinRoot: string;
  /** Maps pinned at a path of their own, by map name (the CNI plugin's eb_calls_<id>, eb_policy_<id>). */
  pinPaths?: Readonly<Record<string, string>>;
}

export class KernelObjects implements ObjectBackend<KernelObject> {
  constructor(private readonly pins: KernelPins) {}

  load(file: DatapathObjectFile, { variables, maxEntries = {} }: ObjectConfiguration): KernelObject {
    const object = KernelObject.open(join(packageRoot(), "bpf", file), { pinRoot: this.pins.pinRoot });
    try {
      for (const [map, path] of Object.entries(this.pins.pinPaths ?? {})) object.setPinPath(map, path);
      for (const [name, value] of Object.entries(variables)) object.setVariable(name, value);
      for (const [map, entries] of Object.entries(maxEntries)) object.setMaxEntries(map, entries);
      object.load();
    } catch (error) {
      object.close();
      throw error;
    }
    return object;
  }

  fillSlot(object: KernelObject, map: string, slot: number, program: string): void {
    object.map(map).setProgram(slot, object.program(program));
  }

  copyMap(from: KernelObject, to: KernelObject, map: string): void {
    const source = from.map(map);
    const target = to.map(map);
    for (const key of source.keys()) {
      const value = source.lookup(key);
      if (value) target.update(key, value);
    }
  }

  close(object: KernelObject): void {
    object.close();
  }
}

/** Where a node's hooks are: its network namespace (a path, e.g. /run/netns/NAME) and, for bpf_sock, its cgroup. */
export interface KernelHooks {
  netns: string;
  cgroup?: string;
}

export class KernelAttacher implements ObjectAttacher<KernelObject> {
  constructor(private readonly hooks: KernelHooks) {}

  attach(object: KernelObject, program: string, hook: Hook): KernelLink {
    const loaded = object.program(program);
    if (hook.kind === "tc") return loaded.attachTc(this.hooks.netns, hook.ifindex, hook.direction);
    if (hook.kind === "xdp") return loaded.attachXdp(this.hooks.netns, hook.ifindex);
    if (this.hooks.cgroup === undefined) throw new KernelUsageError(loaded.name, "cgroup", `${hook.attachType}: the attacher was given no cgroup`);
    return loaded.attachCgroup(this.hooks.cgroup, hook.attachType);
  }
}
