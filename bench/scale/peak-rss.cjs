// Preloaded (`node --require`) into a benchmarked `ebbflow` process: at exit
// it writes the process's peak resident set size, in kilobytes, to the file
// EBBFLOW_PEAK_RSS_FILE names. A hook rather than the CLI's own figure, so
// that it measures any commit's bin/ebbflow.js.
"use strict";
const { writeFileSync } = require("node:fs");

process.on("exit", () => writeFileSync(process.env.EBBFLOW_PEAK_RSS_FILE, `${process.resourceUsage().maxRSS}\n`));
