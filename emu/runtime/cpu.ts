// What a run sees of the machine: the number of CPUs (per-CPU maps keep one
// value each), the CPU it runs on, the virtual clock and the seeded random
// source. The host sets all of them: nothing comes from the real machine.

export let cpuCount: u32 = 1;
export let currentCpu: u32 = 0;
export let clockNs: u64 = 0;
let randomState: u64 = 0x9e3779b97f4a7c15;

export function setCpuCount(count: u32): void {
  cpuCount = count == 0 ? 1 : count;
}
export function setCurrentCpu(cpu: u32): void {
  currentCpu = cpu < cpuCount ? cpu : 0;
}
export function setClock(ns: u64): void {
  clockNs = ns;
}
export function seedRandom(seed: u64): void {
  randomState = seed;
}

/** splitmix64: a fixed sequence from the seed. */
export function nextRandom(): u64 {
  randomState += 0x9e3779b97f4a7c15;
  let z = randomState;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}
