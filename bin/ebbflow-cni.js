#!/usr/bin/env node
// ebbflow's CNI plugin (backend-kernel/cni/), compiled to dist/ by `npm run build`:
// a container runtime runs it with CNI_COMMAND and the other CNI_* variables set
// and the network configuration on stdin.
const { runCni } = await import("../dist/backend-kernel/cni/main.js");
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { stdout, exitCode } = await runCni(process.env, Buffer.concat(chunks).toString("utf8"));
process.stdout.write(stdout);
process.exitCode = exitCode;
