// A simulated node's hooks: the program attached at each tc direction of an
// interface, at its XDP, and at the node's cgroup hooks. The loaders attach
// through VmHooks as they attach through libbpf in the kernel
// (src/core/datapath/object-backend.ts), so a frame runs whatever program the
// loader put at a hook; the simulated cluster never names a program itself.

import type { Attachment, Hook, ObjectAttacher } from "../src/core/datapath/object-backend.ts";
import type { VmObject } from "../emu/vm/object.ts";
import type { VmProgram } from "../emu/vm/vm.ts";

function hookName(hook: Hook): string {
  if (hook.kind === "tc") return `tc ${hook.direction} of ifindex ${hook.ifindex}`;
  if (hook.kind === "xdp") return `xdp of ifindex ${hook.ifindex}`;
  return hook.attachType;
}

export class VmHooks implements ObjectAttacher<VmObject> {
  private readonly attached = new Map<string, VmProgram>();

  /** Attaching where a program already is replaces it, as bpf_link_update and tcx replace in place. */
  attach(object: VmObject, program: string, hook: Hook): Attachment {
    const name = hookName(hook);
    const loaded = object.program(program);
    this.attached.set(name, loaded);
    return {
      close: () => {
        if (this.attached.get(name) === loaded) this.attached.delete(name);
      },
    };
  }

  /** The program at `hook`, or undefined when nothing is attached there. */
  at(hook: Hook): VmProgram | undefined {
    return this.attached.get(hookName(hook));
  }
}
