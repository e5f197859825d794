// Flow records as bytes, exactly as `hubble observe -o json` writes them:
// Go's json.Encoder over protojson's output (cilium/cilium
// hubble/pkg/printer/printer.go), which is compact and escapes <, >, &,
// U+2028 and U+2029. Key order is the order FlowBuilder builds objects in.

import type { FlowRecord } from "./flow.ts";

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** One JSON line, without its newline. */
export function encodeFlowRecord(record: FlowRecord): string {
  return JSON.stringify(record).replace(/[<>&\u2028\u2029]/g, (char) => GO_ESCAPES[char]);
}
