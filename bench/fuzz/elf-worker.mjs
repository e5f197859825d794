// A child of the fuzzer that loads BPF objects as `ebbflow bench OBJECT`
// does (emu/loader loadObject, then emu/vm loadIntoVm) and runs every
// program once per packet, on the interpreter and on the compiled engine.
// Run: node bench/fuzz/elf-worker.mjs LIST.json FIRST, LIST a JSON array of
// object paths. Plain JavaScript over the build in dist/, as bin/ebbflow.js
// runs: through tsx, binaryen takes a minute to load for the compiled engine. It prints a {"begin": i} line before each object and a
// {"end": i, ...} line after it, so that the harness can name the object a
// hang or a crash happened on and start a new worker after it.

import { readFileSync } from "node:fs";
import { LoaderError } from "../../dist/emu/loader/errors.js";
import { loadObject } from "../../dist/emu/loader/object.js";
import { MapError } from "../../dist/emu/vm/errno.js";
import { VmError } from "../../dist/emu/vm/errors.js";
import { loadIntoVm, ObjectLoadError, PinnedMaps } from "../../dist/emu/vm/object.js";
import { PROGRAM_TYPE, runSockAddr, testRunSkb, testRunXdp, TestRunError } from "../../dist/emu/vm/test-run.js";
import { ENGINES, Vm } from "../../dist/emu/vm/vm.js";
import { readPcapFrames } from "../../dist/src/core/packets/pcap.js";
import { packageRoot } from "../../dist/src/util/package-root.js";

/** The errors the loader and the VM name their refusals with: anything else escaping is a stack trace. */
const TYPED = [LoaderError, ObjectLoadError, MapError, TestRunError, VmError];

// Each engine's outcome (elf-outcome.ts): {stage: "ran", programs, faults, firstFault?},
// {stage: "refused", error, message} or {stage: "untyped", error, message, stack}.

/** An IPv4 TCP SYN from 10.244.1.10:40000 to 10.244.2.20:80, and the committed VLAN capture's frames. */
function frames() {
  const syn = Buffer.from("ffffffffffff0000000000010800" + "4500002800010000400600000af4010a0af40214" + "9c400050000000010000000050022000" + "00000000", "hex");
  const capture = readPcapFrames(new Uint8Array(readFileSync(`${packageRoot()}/scenarios/captures/vlan-tagged.pcap`)), "vlan-tagged.pcap");
  return [syn, ...capture];
}

const describe = (error) =>
  error instanceof Error ? { error: error.name, message: error.message.split("\n")[0] } : { error: typeof error, message: String(error) };

async function runOn(engine, bytes, name, packets) {
  let faults = 0;
  let firstFault;
  let programs = 0;
  try {
    const vm = await Vm.create({ engine });
    const object = loadIntoVm(vm, loadObject(bytes, name), { pins: new PinnedMaps() });
    for (const program of object.programs.values()) {
      programs++;
      const run = (once) => {
        try {
          once();
        } catch (error) {
          // A fault of the program is the VM's typed answer, as the kernel's verifier or a test run would give one.
          if (!(error instanceof VmError || error instanceof TestRunError || error instanceof MapError)) throw error;
          faults++;
          firstFault ??= `${error.name}: ${error.message.split("\n")[0]}`;
        }
      };
      if (program.type === PROGRAM_TYPE.XDP) for (const data of packets) run(() => testRunXdp(vm, program, { data }));
      else if (program.type === PROGRAM_TYPE.CGROUP_SOCK_ADDR)
        run(() => runSockAddr(vm, program, { hook: "connect4", userIp4: 0x0a600001, userPort: 0x5000, type: 1, protocol: 6, cookie: 1n }));
      else for (const data of packets) run(() => testRunSkb(vm, program, { data }));
      for (const map of object.maps.values()) if (map.definition.type === 27) map.drain();
    }
    return { stage: "ran", programs, faults, ...(firstFault ? { firstFault } : {}) };
  } catch (error) {
    if (TYPED.some((type) => error instanceof type)) return { stage: "refused", ...describe(error) };
    return { stage: "untyped", ...describe(error), stack: error instanceof Error ? (error.stack ?? "") : "" };
  }
}

const [list, first] = process.argv.slice(2);
const objects = JSON.parse(readFileSync(list, "utf8"));
const packets = frames();
for (let index = Number(first); index < objects.length; index++) {
  process.stdout.write(JSON.stringify({ begin: index }) + "\n");
  const bytes = new Uint8Array(readFileSync(objects[index]));
  const results = {};
  for (const engine of ENGINES) results[engine] = await runOn(engine, bytes, objects[index], packets);
  process.stdout.write(JSON.stringify({ end: index, results }) + "\n");
}
