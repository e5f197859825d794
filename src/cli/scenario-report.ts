// What `scenario run` prints per file, in each --output format: text (compact
// lines in the manner of `hubble observe`), json (newline-delimited,
// ../shared/scenario-result.schema.json) and junit (one XML document for CI
// systems, test/fixtures/junit/junit-10.xsd). A refused file is reported in
// its place and the run goes on.

import { encodeFlowRecord, formatCompactLine } from "../core/observe/index.ts";
import { formatEndpoint } from "../core/model/index.ts";
import type { ReplayItem, ReplayResult } from "../core/replay/run.ts";
import type { Scenario } from "../core/scenario/index.ts";
import { InputError } from "../core/model/source.ts";
import type { UserError } from "../util/errors.ts";

export const OUTPUT_FORMATS = ["text", "json", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RunTotals {
  files: number;
  passed: number;
  failed: number;
  refused: number;
}

export interface Reporter {
  replayed(scenario: Scenario, result: ReplayResult): void;
  refused(file: string, error: UserError): void;
  finish(totals: RunTotals): void;
}

/** Text reports a refusal on stderr, as any command's error; json and junit keep it in their document. */
export function reporterFor(format: OutputFormat, write: (text: string) => void, writeError: (text: string) => void): Reporter {
  if (format === "json") return new JsonReporter(write);
  if (format === "junit") return new JunitReporter(write);
  return new TextReporter(write, writeError);
}

type Attempt = Exclude<ReplayItem, { kind: "step" }>;

function failureLines(item: Attempt): string[] {
  return [...item.mismatches, "flows:", ...item.flows.map((flow) => `  ${formatCompactLine(flow)}`)];
}

class TextReporter implements Reporter {
  constructor(
    private readonly write: (text: string) => void,
    private readonly writeError: (text: string) => void,
  ) {}

  replayed(scenario: Scenario, result: ReplayResult): void {
    const lines = [`${scenario.file}: ${scenario.name}`];
    for (const item of result.items) {
      if (item.kind === "step") {
        lines.push(`  step ${item.step} ${typeof item.detail === "string" ? item.detail : JSON.stringify(item.detail)}`);
        continue;
      }
      const { actual } = item;
      const why = actual.policies.length > 0 ? `, ${actual.verdict === "DROPPED" ? "denied" : "allowed"} by ${actual.policies.join(", ")}` : "";
      const reason = actual.dropReason ? ` ${actual.dropReason}` : "";
      const backend = actual.backend ? `, answered by ${actual.backend}` : "";
      lines.push(`  ${item.pass ? "PASS" : "FAIL"} ${item.name}: ${actual.verdict}${reason} at ${actual.hook}${backend}${why}`);
      if (!item.pass) for (const line of failureLines(item)) lines.push(`       ${line}`);
    }
    const notices = [
      ...(result.ignored.length > 0 ? [`ignored kinds: ${result.ignored.join(", ")}`] : []),
      ...(result.unusedValues.length > 0 ? [`not used by a scenario: ${result.unusedValues.join(", ")}`] : []),
    ];
    const ignored = notices.length > 0 ? ` (${notices.join("; ")})` : "";
    lines.push(`  ${result.passed} passed, ${result.failed} failed${ignored}`);
    this.write(lines.join("\n") + "\n");
  }

  refused(_file: string, error: UserError): void {
    this.writeError(`ebbflow: ${error.message}\n`);
  }

  finish(totals: RunTotals): void {
    this.write(`${totals.files} files: ${totals.passed} passed, ${totals.failed} failed, ${totals.refused} refused\n`);
  }
}

/** One line of JSON with the flows written byte for byte as Hubble writes them. */
function jsonLine(fields: Record<string, unknown>, flows?: string[]): string {
  const head = JSON.stringify(fields);
  return flows === undefined ? head : `${head.slice(0, -1)},"flows":[${flows.join(",")}]}`;
}

class JsonReporter implements Reporter {
  constructor(private readonly write: (text: string) => void) {}

  replayed(scenario: Scenario, result: ReplayResult): void {
    const base = { scenario: scenario.name, file: scenario.file };
    const lines = result.items.map((item) => {
      if (item.kind === "step") return jsonLine({ kind: "step", ...base, [item.step]: item.detail });
      const expected = { ...item.expected, policy: item.expected.policy?.text, backend: item.expected.backend && formatEndpoint(item.expected.backend) };
      return jsonLine({ kind: item.kind, ...base, name: item.name, expected, actual: item.actual, pass: item.pass }, item.flows.map(encodeFlowRecord));
    });
    lines.push(jsonLine({ kind: "summary", ...base, passed: result.passed, failed: result.failed, ignored: [...result.ignored, ...result.unusedValues] }));
    this.write(lines.join("\n") + "\n");
  }

  refused(file: string, error: UserError): void {
    const where = error instanceof InputError ? { line: error.line, item: error.item || undefined, field: error.field || undefined } : {};
    this.write(jsonLine({ kind: "error", file, ...where, message: error.message }) + "\n");
  }

  finish(): void {}
}

/** XML text and attribute values: markup escaped, and characters XML 1.0 cannot hold dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\n/g, "&#10;");
}

/** JUnit XML as Ant writes it and Jenkins, GitLab and GitHub read it: a suite per file, a test case per attempt or packet. */
class JunitReporter implements Reporter {
  private readonly suites: string[] = [];

  constructor(private readonly write: (text: string) => void) {}

  replayed(scenario: Scenario, result: ReplayResult): void {
    const cases = result.items.flatMap((item) => {
      if (item.kind === "step") return [];
      const head = `    <testcase name="${xml(item.name)}" classname="${xml(scenario.name)}"`;
      if (item.pass) return [`${head}/>`];
      const message = xml(failureLines(item).join("\n"));
      return [`${head}>\n      <failure type="${item.kind}" message="${message}">${message}</failure>\n    </testcase>`];
    });
    const counts = `tests="${cases.length}" failures="${result.failed}" errors="0"`;
    this.suites.push(`  <testsuite name="${xml(scenario.name)}" file="${xml(scenario.file)}" ${counts}>\n${cases.join("\n")}\n  </testsuite>`);
  }

  refused(file: string, error: UserError): void {
    const failure = `      <error type="refused" message="${xml(error.message)}"/>`;
    this.suites.push(
      `  <testsuite name="${xml(file)}" file="${xml(file)}" tests="1" failures="0" errors="1">\n    <testcase name="${xml(file)}" classname="refused">\n${failure}\n    </testcase>\n  </testsuite>`,
    );
  }

  finish(totals: RunTotals): void {
    const counts = `tests="${totals.passed + totals.failed + totals.refused}" failures="${totals.failed}" errors="${totals.refused}"`;
    this.write(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ebbflow scenario run" ${counts}>\n${this.suites.join("\n")}\n</testsuites>\n`);
  }
}
