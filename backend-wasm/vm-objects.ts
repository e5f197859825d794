// The VM's side of the datapath's loaders (src/core/datapath/object-backend.ts):
// the datapath's objects loaded into one VM as libbpf loads them into the
// kernel, sharing a node's pinned maps by name. Each object file is read and
// parsed once per process.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DatapathObjectFile, ObjectBackend, ObjectConfiguration } from "../src/core/datapath/object-backend.ts";
import { packageRoot } from "../src/util/package-root.ts";
import { type BpfObject, loadObject } from "../emu/loader/object.ts";
import { loadIntoVm, type PinnedMaps, type VmObject } from "../emu/vm/object.ts";
import type { Vm } from "../emu/vm/vm.ts";

const parsed = new Map<DatapathObjectFile, BpfObject>();
function datapathObject(file: DatapathObjectFile): BpfObject {
  let object = parsed.get(file);
  if (!object) {
    object = loadObject(readFileSync(join(packageRoot(), "bpf", file)), file);
    parsed.set(file, object);
  }
  return object;
}

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

export class VmObjects implements ObjectBackend<VmObject> {
  constructor(
    private readonly vm: Vm,
    /** The node's bpffs. */
    private readonly pins: PinnedMaps,
  ) {}

  load(file: DatapathObjectFile, { variables, maxEntries }: ObjectConfiguration): VmObject {
    return loadIntoVm(this.vm, datapathObject(file), { pins: this.pins, variables, maxEntries });
  }

  /** A VM program array holds program ids (the kernel's takes a program's fd). */
  fillSlot(object: VmObject, map: string, slot: number, program: string): void {
    object.map(map).update(u32(slot), u32(object.program(program).id));
  }

  copyMap(from: VmObject, to: VmObject, map: string): void {
    for (const [key, value] of from.map(map).entries()) to.map(map).update(key, value);
  }

  /** Nothing to release: an object's maps and programs live as long as its VM. */
  close(): void {}
}
