// A simulated node's hooks: the program attached at each tc direction of an
// interface, at its XDP, and at the node's cgroup hooks. The loaders attach
// through VmHooks as they attach through libbpf in the kernel
// (src/core/datapath/object-backend.ts), so a frame runs whatever program the
// loader put at a hook; the simulated cluster never names a program itself.

import type { Attachment, CgroupAttachType, Hook, ObjectAttacher } from "../src/core/datapath/object-backend.ts";
import type { VmObject } from "../emu/vm/object.ts";
import type { VmProgram } from "../emu/vm/vm.ts";

const CGROUP_HOOKS: readonly CgroupAttachType[] = ["cgroup_inet4_connect", "cgroup_udp4_sendmsg", "cgroup_udp4_recvmsg"];

/** A number per hook, so that looking one up on every hop builds no string: 3 per interface, the cgroup's below 0. */
function hookKey(hook: Hook): number {
  if (hook.kind === "cgroup") return -1 - CGROUP_HOOKS.indexOf(hook.attachType);
  return hook.ifindex * 3 + (hook.kind === "xdp" ? 2 : hook.direction === "ingress" ? 0 : 1);
}

export class VmHooks implements ObjectAttacher<VmObject> {
  private readonly attached = new Map<number, VmProgram>();

  /** Attaching where a program already is replaces it, as bpf_link_update and tcx replace in place. */
  attach(object: VmObject, program: string, hook: Hook): Attachment {
    const key = hookKey(hook);
    const loaded = object.program(program);
    this.attached.set(key, loaded);
    return {
      close: () => {
        if (this.attached.get(key) === loaded) this.attached.delete(key);
      },
    };
  }

  /** The program at `hook`, or undefined when nothing is attached there. */
  at(hook: Hook): VmProgram | undefined {
    return this.attached.get(hookKey(hook));
  }
}
