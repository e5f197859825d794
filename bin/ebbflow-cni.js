#!/usr/bin/env node
// ebbflow's CNI plugin (backend-kernel/cni/): a container runtime runs it with
// CNI_COMMAND and the other CNI_* variables set and the network configuration
// on stdin. ebbflow's sources are TypeScript; tsx compiles them on load.
import { register } from "tsx/esm/api";

register();
const { runCni } = await import("../backend-kernel/cni/main.ts");
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { stdout, exitCode } = await runCni(process.env, Buffer.concat(chunks).toString("utf8"));
process.stdout.write(stdout);
process.exitCode = exitCode;
