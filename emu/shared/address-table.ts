// How a loaded program reaches the addresses fixed at its load (its maps and
// global data), shared by the AssemblyScript runtime and the TypeScript side.
// Every copy of an object (a node's thousand bpf_lxc) runs the same code: a
// relocated lddw holds no address but an index into the copy's own table of
// u64 addresses, which the runtime selects with the program's id. One
// encoding of the code and one compiled module then serve every copy.

/**
 * The source register the VM gives a relocated lddw in the code it holds: the
 * value is entry `imm` of the program's address table. The kernel's
 * BPF_PSEUDO_* values end at 6, and the validator never sees this one.
 */
export const ADDRESS_TABLE_LOAD = 15;
