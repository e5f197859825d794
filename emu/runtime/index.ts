// The wasm runtime of ebbflow's VM: the interpreter, the memory it checks,
// maps and helpers, all in this one linear memory so that a program's map
// lookups and helper calls never leave WebAssembly.

export { interpret, executed, result, resultLow, helperPc, currentProgram, stackBase, stackTop, setHostHelper, hasHelper } from "./interpreter";
export { clearRegions, addRegion, fastPacketLo, fastPacketHi, fastContextLo, fastContextBytes, fastContextTable, pageKindTable } from "./regions";
export { faultKind, faultPc, faultAddress, faultSize, faultWrite, faultDetail, clearFault } from "./fault";
export { setCpuCount, setCurrentCpu, setClock, seedRandom } from "./cpu";
export { setRun, setPacketRoom, redirectIfindex, redirectFlags, setSocketCookie } from "./context";
export { registerProgram, allocateCode } from "./programs";
export { traceBufferAddress, traceLength, clearTrace } from "./trace";
export { heapPages } from "./heap";
export { countMapOperations, clearMapOperations, mapOperationEntries, countedMaps, uncountedOperations } from "./map-operations";
export { mapCreate, hostValueBytes, hostLookup, hostUpdate, hostDelete, hostNextKey } from "./maps/index";
export { arrayData } from "./maps/array";
export { ringbufPeek, ringbufConsume, ringbufLength } from "./maps/ringbuf";

import { allocate as allocateBlock, PageKind, release as releaseBlock } from "./heap";

/** Memory for the host's own use (packets, contexts, keys and values in transit), out of the program's reach. */
export function allocate(size: usize): usize {
  return allocateBlock(size, PageKind.Meta);
}

export function release(block: usize, size: usize): void {
  releaseBlock(block, size, PageKind.Meta);
}

/** The descriptor address of a map id: what a program's map reference loads. */
export { mapPointer as mapDescriptor } from "./maps/index";

export {
  compiledRemaining, compiledResult, compiledArg1, compiledArg2, compiledTailTarget, compiledProgram, compiledAddresses, compiledHelperPc,
  beginCompiledRun, compiledResultLow, compiledExecuted, compiledChecked, compiledBudgetFault, compiledEnterCall, compiledLeaveCall,
  compiledHelper, compiledTailCall, compiledInterpret, compiledInInterpreter,
} from "./compiled";
