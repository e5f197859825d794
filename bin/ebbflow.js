#!/usr/bin/env node
// ebbflow's sources are TypeScript; tsx compiles them on load.
import { register } from "tsx/esm/api";

// A reader that stops early (`| head`) ends the output, not in an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// The compiler's binaryen (13 MB of JavaScript) loads natively before tsx's
// hooks are in place: through them, its import takes seconds instead of 0.3.
await import("binaryen");
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
