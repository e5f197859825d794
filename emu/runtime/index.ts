// The wasm runtime of ebbflow's VM: the interpreter and the memory regions it
// checks. Later stages (maps, helpers, contexts) live beside these files and
// share this one linear memory.

export { interpret, executed, helperPc, stackBase, stackTop } from "./interpreter";
export { clearRegions, addRegion } from "./regions";
export { faultKind, faultPc, faultAddress, faultSize, faultWrite, clearFault } from "./fault";

/** Reserves `size` bytes of linear memory for the host (programs, input memory). */
export function allocate(size: usize): usize {
  return heap.alloc(size);
}

/** Releases memory from allocate(). */
export function release(ptr: usize): void {
  heap.free(ptr);
}
