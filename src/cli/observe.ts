// `ebbflow observe SCENARIO`: the flows of a scenario's replay, filtered and
// printed as `hubble observe` prints them (compact lines, or -o json).

import { WasmDatapath } from "../../backend-wasm/datapath.ts";
import { encodeFlowRecord, type FlowFilter, flowMatches, formatCompactLine } from "../core/observe/index.ts";
import { replayScenario } from "../core/replay/run.ts";
import { readScenario } from "../core/scenario/index.ts";
import { UserError } from "../util/errors.ts";
import { parseEngine } from "./scenario.ts";

export interface ObserveOptions extends FlowFilter {
  seed: string;
  engine: string;
  output: string;
  last?: string;
  all?: boolean;
  printNodeName?: boolean;
  printPolicyNames?: boolean;
}

const DEFAULT_LAST = 20;

function whole(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UserError(`${flag}: "${text}" is not a whole number`);
  return Number(text);
}

export async function observeCommand(file: string, options: ObserveOptions): Promise<number> {
  if (!["compact", "json", "jsonpb"].includes(options.output)) {
    throw new UserError(`--output: "${options.output}" is not an output format (compact, json, jsonpb)`);
  }
  const seed = whole("--seed", options.seed);
  const engine = parseEngine(options.engine);
  const scenario = readScenario(file);
  const result = await replayScenario(scenario, await WasmDatapath.create({ engine }), { seed });
  const flows = result.items.flatMap((item) => (item.kind === "step" ? [] : item.flows)).filter((record) => flowMatches(record.flow, options));
  // As hubble observe: the last 20 without a selector, everything with one.
  const selected = options.all ? flows : flows.slice(-(options.last === undefined ? DEFAULT_LAST : whole("--last", options.last)));
  for (const record of selected) {
    process.stdout.write(
      (options.output === "compact"
        ? formatCompactLine(record, { nodeName: options.printNodeName, policyNames: options.printPolicyNames })
        : encodeFlowRecord(record)) + "\n",
    );
  }
  return 0;
}
