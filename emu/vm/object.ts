// Loading a BPF object (emu/loader's BpfObject) into the VM the way libbpf
// loads it into the kernel: maps created (or reused by name when pinned, so
// that every copy of bpf_lxc on a node shares the node's ipcache, conntrack,
// metrics and events), global data written with the constants set for this
// copy, map references resolved to this copy's addresses (the code itself is
// shared by every copy: emu/shared/address-table.ts), programs validated.

import { type BpfObject, type MapSpec, type ProgramSpec, setVariables, sourceLocation, type VariableValue } from "../loader/object.ts";
import { type VmMap } from "./maps.ts";
import { CompileError } from "../compiler/errors.ts";
import { ValidationError } from "../validate/validate.ts";
import { MapError } from "./errno.ts";
import { type Relocations, type Vm, type VmProgram } from "./vm.ts";

/** Program types the VM has contexts for: tc, XDP, cgroup sock_addr. */
const RUNNABLE_TYPES = new Set([3, 4, 6, 18]);

/** A bpffs of the VM: maps pinned by name, shared by the objects loaded with it. */
export class PinnedMaps {
  private readonly maps = new Map<string, VmMap>();

  get(name: string): VmMap | undefined {
    return this.maps.get(name);
  }

  pin(map: VmMap): void {
    this.maps.set(map.name, map);
  }

  all(): VmMap[] {
    return [...this.maps.values()];
  }
}

export interface ObjectLoadOptions {
  /** `volatile const` and other global variables, by C name (see emu/loader setVariables). */
  variables?: Readonly<Record<string, VariableValue>>;
  /** max_entries set at load time, by map name. */
  maxEntries?: Readonly<Record<string, number>>;
  /** Where maps with `pinning: by-name` are found and left; without it, every map is the object's own. */
  pins?: PinnedMaps;
}

/** Refusal of an object the VM cannot load as the kernel would. */
export class ObjectLoadError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "ObjectLoadError";
  }
}

export interface VmObject {
  file: string;
  maps: ReadonlyMap<string, VmMap>;
  programs: ReadonlyMap<string, VmProgram>;
  map(name: string): VmMap;
  program(name: string): VmProgram;
}

export function loadIntoVm(vm: Vm, object: BpfObject, options: ObjectLoadOptions = {}): VmObject {
  const configured = options.variables ? setVariables(object, options.variables) : object;
  const maps = new Map<string, VmMap>();
  for (const spec of configured.maps) {
    const maxEntries = options.maxEntries?.[spec.name] ?? spec.maxEntries;
    maps.set(spec.name, placeMap(vm, configured.file, { ...spec, maxEntries }, options.pins));
  }
  const programs = new Map<string, VmProgram>();
  for (const spec of configured.programs) {
    if (!RUNNABLE_TYPES.has(spec.type)) {
      throw new ObjectLoadError(configured.file, `section ${spec.section}: program ${spec.name}: the VM does not run ${spec.typeName} programs`);
    }
    const sourceOf = (index: number) => sourceLocation(spec, index);
    try {
      programs.set(spec.name, vm.loadProgram(spec.instructions, { name: spec.name, type: spec.type, sourceOf, relocations: relocationsOf(spec, maps) }));
    } catch (error) {
      if (error instanceof CompileError)
        throw new ObjectLoadError(configured.file, `section ${spec.section}: program ${spec.name}: the compiler failed: ${error.detail}`);
      if (!(error instanceof ValidationError)) throw error;
      const where = sourceOf(error.index);
      throw new ObjectLoadError(
        configured.file,
        `section ${spec.section}: program ${spec.name}: instruction ${error.index} (${error.text})${where ? ` at ${where}` : ""}: ${error.reason}`,
      );
    }
  }
  const lookup =
    <T>(table: Map<string, T>, what: string) =>
    (name: string): T => {
      const found = table.get(name);
      if (!found) throw new ObjectLoadError(configured.file, `no ${what} named ${name} (there are: ${[...table.keys()].join(", ")})`);
      return found;
    };
  return { file: configured.file, maps, programs, map: lookup(maps, "map"), program: lookup(programs, "program") };
}

function placeMap(vm: Vm, file: string, spec: MapSpec, pins: PinnedMaps | undefined): VmMap {
  const definition = { name: spec.name, type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags };
  if (spec.pinning === "by-name" && pins) {
    const pinned = pins.get(spec.name);
    if (pinned) {
      const d = pinned.definition;
      if (d.type !== spec.type || d.keySize !== spec.keySize || d.valueSize !== spec.valueSize || d.maxEntries !== spec.maxEntries || d.flags !== spec.flags) {
        throw new ObjectLoadError(file, `map ${spec.name}: the pinned map of that name has another definition (as libbpf: couldn't reuse pinned map)`);
      }
      return pinned;
    }
  }
  let map: VmMap;
  try {
    map = vm.createMap(definition);
  } catch (error) {
    if (!(error instanceof MapError)) throw error;
    // A definition the kernel's map_create would refuse (a corrupted BTF can make one): say which, with the fields it checks.
    const fields = `type ${spec.type}, key_size ${spec.keySize}, value_size ${spec.valueSize}, max_entries ${spec.maxEntries}, map_flags 0x${spec.flags.toString(16)}`;
    throw new ObjectLoadError(file, `section ${spec.section}: map ${spec.name}: create failed: ${error.code} (${fields})`);
  }
  if (spec.initialData) {
    vm.memory.write(Number(map.dataAddress), spec.initialData);
  }
  if (spec.pinning === "by-name" && pins) pins.pin(map);
  return map;
}

/** What the program's lddw map references load in this copy: a map's descriptor, or its global data plus offset. */
function relocationsOf(spec: ProgramSpec, maps: ReadonlyMap<string, VmMap>): Relocations {
  return {
    slots: spec.relocations.map((relocation) => relocation.index),
    addresses: spec.relocations.map((relocation) => {
      const map = maps.get(relocation.map)!;
      return (relocation.kind === "map" ? map.pointer : map.dataAddress) + BigInt(relocation.offset);
    }),
  };
}
