#!/usr/bin/env node
// ebbflow's sources are TypeScript; tsx compiles them on load.
import { register } from "tsx/esm/api";

// A reader that stops early (`| head`) ends the output, not in an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
