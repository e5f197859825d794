// Prints every test flow as JSON lines and compact lines, then the metrics:
// run in child processes with different time zones and locales by
// determinism.test.ts.

import { encodeFlowRecord, formatCompactLine, HubbleMetrics } from "../../../src/core/observe/index.ts";
import { buildAll } from "./flows.ts";

const metrics = new HubbleMetrics();
for (const record of Object.values(buildAll(7))) {
  metrics.observe(record.flow);
  process.stdout.write(`${encodeFlowRecord(record)}\n${formatCompactLine(record, { nodeName: true, policyNames: true })}\n`);
}
process.stdout.write(await metrics.text());
