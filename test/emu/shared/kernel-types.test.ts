// The runtime's program and map types are the kernel's numbers, as the loader
// (checked against the installed header) numbers them.

import { expect, test } from "vitest";
import { MapType as KernelMapType, ProgramType as KernelProgramType } from "../../../emu/loader/kernel-enums.ts";
import { MapType, ProgramType } from "../../../emu/shared/kernel-types.ts";

test("the runtime's program types are enum bpf_prog_type's", () => {
  expect({
    SocketFilter: ProgramType.SocketFilter,
    SchedCls: ProgramType.SchedCls,
    SchedAct: ProgramType.SchedAct,
    Xdp: ProgramType.Xdp,
    CgroupSkb: ProgramType.CgroupSkb,
    CgroupSockAddr: ProgramType.CgroupSockAddr,
  }).toEqual({
    SocketFilter: KernelProgramType.SOCKET_FILTER,
    SchedCls: KernelProgramType.SCHED_CLS,
    SchedAct: KernelProgramType.SCHED_ACT,
    Xdp: KernelProgramType.XDP,
    CgroupSkb: KernelProgramType.CGROUP_SKB,
    CgroupSockAddr: KernelProgramType.CGROUP_SOCK_ADDR,
  });
});

test("the runtime's map types are enum bpf_map_type's", () => {
  expect({
    Hash: MapType.Hash,
    Array: MapType.Array,
    ProgArray: MapType.ProgArray,
    PercpuHash: MapType.PercpuHash,
    PercpuArray: MapType.PercpuArray,
    LruHash: MapType.LruHash,
    LruPercpuHash: MapType.LruPercpuHash,
    LpmTrie: MapType.LpmTrie,
    Ringbuf: MapType.Ringbuf,
  }).toEqual({
    Hash: KernelMapType.HASH,
    Array: KernelMapType.ARRAY,
    ProgArray: KernelMapType.PROG_ARRAY,
    PercpuHash: KernelMapType.PERCPU_HASH,
    PercpuArray: KernelMapType.PERCPU_ARRAY,
    LruHash: KernelMapType.LRU_HASH,
    LruPercpuHash: KernelMapType.LRU_PERCPU_HASH,
    LpmTrie: KernelMapType.LPM_TRIE,
    Ringbuf: KernelMapType.RINGBUF,
  });
});
