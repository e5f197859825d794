// What `scenario run` prints per file, in each --output format: text (compact
// lines in the manner of `hubble observe`), json (newline-delimited,
// ../shared/scenario-result.schema.json) and junit (one XML document for CI
// systems, test/fixtures/junit/junit-10.xsd). A refused file is reported in
// its place and the run goes on.

import { encodeFlowRecord, formatCompactLine } from "../core/observe/index.ts";
import { formatEndpoint } from "../core/model/index.ts";
import type { ItemSink, ReplayItem, ReplaySummary } from "../core/replay/run.ts";
import type { Scenario } from "../core/scenario/index.ts";
import { InputError } from "../core/model/source.ts";
import type { UserError } from "../util/errors.ts";
import { PendingOutput } from "./pending-output.ts";

export const OUTPUT_FORMATS = ["text", "json", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RunTotals {
  files: number;
  passed: number;
  failed: number;
  refused: number;
}

/** Where a report goes: `drained` resolves once what `write` was given has left (a pipe's stdout queues it). */
export interface ReportOutput {
  write(text: string): void;
  writeError(text: string): void;
  drained(): Promise<void>;
}

export interface Reporter {
  /** Whose flows a replay builds for this format (ReplayOptions.flows). */
  readonly flows: "all" | "failed";
  /** A file's replay begins: its items go to the sink returned, each rendered as it comes. */
  begin(scenario: Scenario): ItemSink;
  replayed(scenario: Scenario, summary: ReplaySummary): Promise<void>;
  /** A file refused, before its replay or during it (what it had rendered is dropped). */
  refused(file: string, error: UserError): void;
  finish(totals: RunTotals): void;
}

/** Text reports a refusal on stderr, as any command's error; json and junit keep it in their document. */
export function reporterFor(format: OutputFormat, output: ReportOutput): Reporter {
  if (format === "json") return new JsonReporter(output);
  if (format === "junit") return new JunitReporter(output.write);
  return new TextReporter(output);
}

type Attempt = Exclude<ReplayItem, { kind: "step" }>;

function failureLines(item: Attempt): string[] {
  return [...item.mismatches, "flows:", ...item.flows.map((flow) => `  ${formatCompactLine(flow)}`)];
}

function textLines(item: ReplayItem): string[] {
  if (item.kind === "step") return [`  step ${item.step} ${typeof item.detail === "string" ? item.detail : JSON.stringify(item.detail)}`];
  const { actual } = item;
  const why = actual.policies.length > 0 ? `, ${actual.verdict === "DROPPED" ? "denied" : "allowed"} by ${actual.policies.join(", ")}` : "";
  const reason = actual.dropReason ? ` ${actual.dropReason}` : "";
  const backend = actual.backend ? `, answered by ${actual.backend}` : "";
  const head = `  ${item.pass ? "PASS" : "FAIL"} ${item.name}: ${actual.verdict}${reason} at ${actual.hook}${backend}${why}`;
  return item.pass ? [head] : [head, ...failureLines(item).map((line) => `       ${line}`)];
}

class TextReporter implements Reporter {
  readonly flows = "failed";
  private readonly pending = new PendingOutput();

  constructor(private readonly output: ReportOutput) {}

  begin(scenario: Scenario): ItemSink {
    this.pending.add(`${scenario.file}: ${scenario.name}\n`);
    return { push: (item) => this.pending.add(textLines(item).join("\n") + "\n") };
  }

  async replayed(_scenario: Scenario, summary: ReplaySummary): Promise<void> {
    const notices = [
      ...(summary.ignored.length > 0 ? [`ignored kinds: ${summary.ignored.join(", ")}`] : []),
      ...(summary.unusedValues.length > 0 ? [`not used by a scenario: ${summary.unusedValues.join(", ")}`] : []),
    ];
    const ignored = notices.length > 0 ? ` (${notices.join("; ")})` : "";
    this.pending.add(`  ${summary.passed} passed, ${summary.failed} failed${ignored}\n`);
    await this.pending.commit(this.output.write, this.output.drained);
  }

  refused(_file: string, error: UserError): void {
    this.pending.discard();
    this.output.writeError(`ebbflow: ${error.message}\n`);
  }

  finish(totals: RunTotals): void {
    this.output.write(`${totals.files} files: ${totals.passed} passed, ${totals.failed} failed, ${totals.refused} refused\n`);
  }
}

/** One line of JSON with the flows written byte for byte as Hubble writes them. */
function jsonLine(fields: Record<string, unknown>, flows?: string[]): string {
  const head = JSON.stringify(fields);
  return flows === undefined ? head : `${head.slice(0, -1)},"flows":[${flows.join(",")}]}`;
}

class JsonReporter implements Reporter {
  readonly flows = "all";
  private readonly pending = new PendingOutput();

  constructor(private readonly output: ReportOutput) {}

  begin(scenario: Scenario): ItemSink {
    const base = { scenario: scenario.name, file: scenario.file };
    return {
      push: (item) => {
        if (item.kind === "step") return this.pending.add(jsonLine({ kind: "step", ...base, [item.step]: item.detail }) + "\n");
        const expected = { ...item.expected, policy: item.expected.policy?.text, backend: item.expected.backend && formatEndpoint(item.expected.backend) };
        this.pending.add(
          jsonLine({ kind: item.kind, ...base, name: item.name, expected, actual: item.actual, pass: item.pass }, item.flows.map(encodeFlowRecord)) + "\n",
        );
      },
    };
  }

  async replayed(scenario: Scenario, summary: ReplaySummary): Promise<void> {
    const base = { scenario: scenario.name, file: scenario.file };
    this.pending.add(
      jsonLine({ kind: "summary", ...base, passed: summary.passed, failed: summary.failed, ignored: [...summary.ignored, ...summary.unusedValues] }) + "\n",
    );
    await this.pending.commit(this.output.write, this.output.drained);
  }

  refused(file: string, error: UserError): void {
    this.pending.discard();
    const where = error instanceof InputError ? { line: error.line, item: error.item || undefined, field: error.field || undefined } : {};
    this.output.write(jsonLine({ kind: "error", file, ...where, message: error.message }) + "\n");
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
  readonly flows = "failed";
  private readonly suites: string[] = [];
  /** The test cases of the file being replayed. */
  private cases: string[] = [];

  constructor(private readonly write: (text: string) => void) {}

  begin(scenario: Scenario): ItemSink {
    this.cases = [];
    return {
      push: (item) => {
        if (item.kind === "step") return;
        const head = `    <testcase name="${xml(item.name)}" classname="${xml(scenario.name)}"`;
        if (item.pass) return this.cases.push(`${head}/>`);
        const message = xml(failureLines(item).join("\n"));
        this.cases.push(`${head}>\n      <failure type="${item.kind}" message="${message}">${message}</failure>\n    </testcase>`);
      },
    };
  }

  async replayed(scenario: Scenario, summary: ReplaySummary): Promise<void> {
    const counts = `tests="${this.cases.length}" failures="${summary.failed}" errors="0"`;
    this.suites.push(`  <testsuite name="${xml(scenario.name)}" file="${xml(scenario.file)}" ${counts}>\n${this.cases.join("\n")}\n  </testsuite>`);
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
