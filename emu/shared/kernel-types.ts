// The program and map types the runtime tells apart (enum bpf_prog_type and
// enum bpf_map_type of include/uapi/linux/bpf.h), in the subset asc and tsc
// both compile. test/emu/shared/kernel-types.test.ts checks them against the
// loader's numbering (emu/loader/kernel-enums.ts), which is checked against
// the installed header. Const enums: asc inlines their members.

export const enum ProgramType {
  SocketFilter = 1,
  SchedCls = 3,
  SchedAct = 4,
  Xdp = 6,
  CgroupSkb = 8,
  CgroupSockAddr = 18,
}

export const enum MapType {
  Hash = 1,
  Array = 2,
  ProgArray = 3,
  PercpuHash = 5,
  PercpuArray = 6,
  LruHash = 9,
  LruPercpuHash = 10,
  LpmTrie = 11,
  Ringbuf = 27,
}
