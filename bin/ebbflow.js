#!/usr/bin/env node
// ebbflow's sources are TypeScript; tsx compiles them on load.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
