#!/usr/bin/env node
// The `ebbflow` command, compiled to dist/ by `npm run build` (npm install runs it).

// A reader that stops early (`| head`) ends the output, not in an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv);
