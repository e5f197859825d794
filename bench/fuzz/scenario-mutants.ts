// Mutants of a scenario file, in six families (issue 18): syntax damage,
// aliases, nesting, sizes, type confusion and paths. Each mutant is the
// bytes of one scenario file; a path mutant names one of the hostile
// targets that path-fixtures.ts lays out beside it and around it.

import { isCollection, isMap, isSeq, parseDocument, stringify, type Document } from "yaml";
import type { FuzzRandom } from "./fuzz-random.ts";

export const SCENARIO_FAMILIES = ["syntax", "alias", "nesting", "size", "type", "path"] as const;
export type ScenarioFamily = (typeof SCENARIO_FAMILIES)[number];

export interface BaseScenario {
  readonly name: string;
  readonly text: string;
}

export interface ScenarioMutant {
  readonly family: ScenarioFamily;
  /** What was done, for the reproducer's summary. */
  readonly operator: string;
  readonly bytes: Buffer;
}

type Path = (string | number)[];

/** Every node's path in a document's value, collections included, the root excepted. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...paths(item, [...prefix, index])]);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...paths(item, [...prefix, key])]);
  return [];
}

// ---- syntax damage, on the text's lines and bytes

const CONTROL_BYTES = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x7f];
const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xfe, 0xfe]];
const INSERTIONS = [
  "[",
  "]",
  "{",
  "}",
  '"',
  "'",
  ": ",
  "- ",
  "? ",
  "&",
  "*",
  "!",
  "!!binary ",
  "!tag ",
  "%YAML 1.1\n",
  "\n---\n",
  "\n...\n",
  "#",
  "|",
  ">",
  "@",
  "`",
];

function insertBytes(bytes: Buffer, at: number, inserted: ArrayLike<number>): Buffer {
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(inserted as number[]), bytes.subarray(at)]);
}

function syntaxDamage(text: string, random: FuzzRandom): { operator: string; bytes: Buffer } {
  let bytes: Buffer = Buffer.from(text, "utf8");
  const operators: string[] = [];
  for (let round = random.int(1, 3); round > 0; round--) {
    const lines = bytes.toString("latin1").split("\n");
    const line = random.int(0, lines.length - 1);
    const other = random.int(0, lines.length - 1);
    const at = random.int(0, bytes.length);
    const operator = random.pick(["cut", "duplicate", "swap", "delete", "indent", "dedent", "tab", "insert", "control", "utf8", "bom", "crlf", "cr", "byte"]);
    operators.push(
      `${operator}@${operator === "cut" || operator === "insert" || operator === "control" || operator === "utf8" || operator === "byte" ? at : line}`,
    );
    const fromLines = (edited: string[]) => Buffer.from(edited.join("\n"), "latin1");
    if (operator === "cut") bytes = bytes.subarray(0, at);
    else if (operator === "duplicate") bytes = fromLines([...lines.slice(0, line + 1), lines[line], ...lines.slice(line + 1)]);
    else if (operator === "swap") {
      [lines[line], lines[other]] = [lines[other], lines[line]];
      bytes = fromLines(lines);
    } else if (operator === "delete") bytes = fromLines(lines.filter((_, index) => index !== line));
    else if (operator === "indent") bytes = fromLines(lines.map((l, index) => (index === line ? " ".repeat(random.int(1, 3)) + l : l)));
    else if (operator === "dedent") bytes = fromLines(lines.map((l, index) => (index === line ? l.replace(/^ {1,3}/, "") : l)));
    else if (operator === "tab") bytes = fromLines(lines.map((l, index) => (index === line ? l.replace(/^ +/, "\t") : l)));
    else if (operator === "insert") bytes = insertBytes(bytes, at, Buffer.from(random.pick(INSERTIONS)));
    else if (operator === "control") bytes = insertBytes(bytes, at, [random.pick(CONTROL_BYTES)]);
    else if (operator === "utf8") bytes = insertBytes(bytes, at, random.pick(INVALID_UTF8));
    else if (operator === "bom") bytes = insertBytes(bytes, random.chance(0.5) ? 0 : at, [0xef, 0xbb, 0xbf]);
    else if (operator === "crlf") bytes = Buffer.from(bytes.toString("latin1").replaceAll("\n", "\r\n"), "latin1");
    else if (operator === "cr") bytes = Buffer.from(bytes.toString("latin1").replaceAll("\n", "\r"), "latin1");
    else if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = random.int(0, 255);
  }
  return { operator: operators.join(","), bytes };
}

// ---- aliases, on the parsed document

function aliasBomb(levels: number, width: number): string {
  let text = `b0: &b0 [${Array(width).fill("x").join(", ")}]\n`;
  for (let level = 1; level < levels; level++)
    text += `b${level}: &b${level} [${Array(width)
      .fill(`*b${level - 1}`)
      .join(", ")}]\n`;
  return text;
}

function aliases(text: string, random: FuzzRandom): { operator: string; bytes: Buffer } {
  const operator = random.pick(["bomb-top", "bomb-field", "self", "self-top", "undefined", "reuse", "merge", "key"]);
  if (operator === "bomb-top" || operator === "bomb-field") {
    const levels = random.int(3, 12);
    const width = random.int(2, 10);
    const bomb = aliasBomb(levels, width).replace(/^/gm, "  ");
    // As a top-level key of its own, or under metadata.annotations, where a value is read.
    const placed =
      operator === "bomb-top" ? `${text}bombs:\n${bomb}` : text.replace(/^metadata:\n/m, `metadata:\n  annotations:\n  ${bomb.replace(/\n(?=.)/g, "\n  ")}`);
    return { operator: `${operator} ${levels}x${width}`, bytes: Buffer.from(placed) };
  }
  if (operator === "self-top") return { operator, bytes: Buffer.from(`${text}x: &x {a: *x}\n`) };
  if (operator === "undefined") return { operator, bytes: Buffer.from(text.replace(/: ([^\n&*]+)$/m, ": *nowhere")) };
  if (operator === "merge") return { operator, bytes: Buffer.from(text.replace(/^spec:\n/m, "base: &base {nodes: []}\nspec:\n  <<: *base\n")) };
  if (operator === "key") return { operator, bytes: Buffer.from(text.replace(/^metadata:\n/m, "k: &k name\nmetadata:\n  ? *k\n  : aliased-key\n")) };
  const document = parseDocument(text);
  const all = paths(document.toJS());
  if (all.length === 0) return { operator: "self-top", bytes: Buffer.from(`${text}x: &x [*x]\n`) };
  const target = random.pick(all);
  const node = document.getIn(target, true) as Parameters<Document["createAlias"]>[0];
  const alias = document.createAlias(node);
  if (operator === "self" && isCollection(node)) {
    // Inside the node it names: a cycle.
    if (isMap(node)) node.set("self", alias);
    else if (isSeq(node)) node.add(alias);
    return { operator: `self ${target.join(".")}`, bytes: Buffer.from(String(document)) };
  }
  const elsewhere = random.pick(all.filter((path) => !path.join(".").startsWith(target.join("."))).concat([["extra"]]));
  document.setIn(elsewhere, alias);
  try {
    return { operator: `reuse ${target.join(".")} at ${elsewhere.join(".")}`, bytes: Buffer.from(String(document)) };
  } catch {
    // The alias came before its anchor, which yaml will not write: write such a forward reference by hand.
    return { operator: "forward", bytes: Buffer.from(`${text}forward: *later\nlater: &later {a: 1}\n`) };
  }
}

// ---- nesting: a value replaced by a deep sequence or mapping

const DEPTHS = [20, 99, 100, 101, 150, 1000, 3000, 50_000];

function deep(style: string, depth: number): string {
  if (style === "flow-seq") return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  if (style === "flow-map") return `${"{a: ".repeat(depth)}1${"}".repeat(depth)}`;
  if (style === "compact-seq") return `\n  ${"- ".repeat(depth)}x`;
  return `\n${Array.from({ length: Math.min(depth, 5000) }, (_, level) => `${" ".repeat(level + 2)}k${level}:`).join("\n")} 1`;
}

function nesting(text: string, random: FuzzRandom): { operator: string; bytes: Buffer } {
  const style = random.pick(["flow-seq", "flow-map", "compact-seq", "block-map"]);
  const depth = random.pick(DEPTHS);
  const lines = text.split("\n");
  const candidates = lines.map((line, index) => [line, index] as const).filter(([line]) => /^\s*[\w.-]+: \S/.test(line));
  if (candidates.length === 0) return { operator: `${style} ${depth} top`, bytes: Buffer.from(`${text}deep: ${deep(style, depth)}\n`) };
  const [line, index] = random.pick(candidates);
  lines[index] = line.replace(/: .*$/, `: ${deep(style, depth).replace(/\n/g, `\n${line.match(/^\s*/)![0]}`)}`);
  return { operator: `${style} ${depth} at line ${index + 1}`, bytes: Buffer.from(lines.join("\n")) };
}

// ---- sizes: long strings, many items, huge numbers

const HUGE_NUMBERS = [
  "1e309",
  "-1e309",
  "99999999999999999999",
  "9007199254740993",
  "-0",
  "0x50",
  "0o17",
  "1_000",
  "+80",
  "80.0",
  "8e1",
  ".inf",
  ".nan",
  "-1",
  "4294967296",
  "10000",
  "10001",
  "1000",
  "1001",
];
const LONG = [1000, 100_000, 1_000_000, 17 * 1024 * 1024];

function sizes(text: string, random: FuzzRandom): { operator: string; bytes: Buffer } {
  const operator = random.pick(["long-string", "long-key", "many-traffic", "many-objects", "many-nodes", "number"]);
  const document = parseDocument(text);
  const value = document.toJS() as Record<string, unknown>;
  const spec = (value?.spec ?? {}) as Record<string, unknown>;
  if (operator === "long-string" || operator === "long-key") {
    const length = random.pick(LONG);
    // A long key goes beside a key of a mapping, a long string in place of any scalar.
    const scalars = paths(value).filter((path) => typeof document.getIn(path) !== "object" && (operator === "long-string" || typeof path.at(-1) === "string"));
    const target = scalars.length > 0 ? random.pick(scalars) : ["metadata", "name"];
    if (operator === "long-string") document.setIn(target, "x".repeat(length));
    else document.setIn([...target.slice(0, -1), "k".repeat(length)], 1);
    return { operator: `${operator} ${length} at ${target.join(".")}`, bytes: Buffer.from(String(document)) };
  }
  if (operator === "number") {
    const numbers = paths(value).filter((path) => typeof document.getIn(path) === "number" || /port|repeat|replicas|ttl|id/i.test(String(path.at(-1))));
    const target = numbers.length > 0 ? random.pick(numbers) : ["spec", "dns", "ttl"];
    const huge = random.pick(HUGE_NUMBERS);
    document.setIn(target, "__HUGE__");
    return { operator: `number ${huge} at ${target.join(".")}`, bytes: Buffer.from(String(document).replace(/__HUGE__/, huge)) };
  }
  // Big, but work that ends within the timeout: 1,000 attempts or pods take
  // more than 20 s of CPU on a busy machine, in proportion (not a hang).
  const count = random.pick([100, 300]);
  if (operator === "many-traffic" && Array.isArray(spec.traffic) && spec.traffic.length > 0) {
    const first = spec.traffic.find((item) => item && typeof item === "object" && "name" in item) ?? spec.traffic[0];
    spec.traffic = Array.from({ length: count }, (_, index) => ({ ...(first as object), name: `copy ${index}` }));
  } else if (operator === "many-nodes") {
    spec.nodes = Array.from({ length: count }, (_, index) => ({ name: `node-${index}` }));
  } else {
    const objects = Array.isArray(spec.objects) ? spec.objects : [];
    spec.objects = [
      ...objects,
      ...Array.from({ length: count }, (_, index) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: `p${index}`, namespace: "default" }, spec: {} })),
    ];
  }
  return { operator: `${operator} ${count}`, bytes: Buffer.from(stringify({ ...value, spec }, { lineWidth: 0 })) };
}

// ---- type confusion: any node replaced by a value of another type

const CONFUSIONS: unknown[] = ["a string", "", "80", 0, -1, 1.5, 2 ** 53 + 2, {}, { a: 1 }, [], [1, "x"], null, true, false, "2001-01-01", "yes", "0x1F"];

function typeConfusion(text: string, random: FuzzRandom, index: number): { operator: string; bytes: Buffer } {
  const document: Document = parseDocument(text);
  const all = paths(document.toJS());
  if (all.length === 0) return { operator: "root", bytes: Buffer.from(stringify(random.pick(CONFUSIONS))) };
  // Walks the fields in turn (rather than at random) so that every field of every base gets confused.
  const target = all[index % all.length];
  const replacement = random.pick(CONFUSIONS);
  document.setIn(target, document.createNode(replacement));
  return { operator: `${JSON.stringify(replacement)} at ${target.join(".")}`, bytes: Buffer.from(String(document)) };
}

// ---- paths: files:, pcap: and an apply step naming a hostile target

function hostilePath(text: string, random: FuzzRandom, targets: readonly string[]): { operator: string; bytes: Buffer } {
  const document = parseDocument(text);
  const target = random.pick(targets);
  const where = random.pick(["files", "files-second", "pcap", "apply"]);
  const spec = ["spec"];
  if (!document.hasIn(spec)) document.setIn(spec, document.createNode({}));
  if (where === "files") document.setIn([...spec, "files"], document.createNode([target]));
  else if (where === "files-second") document.setIn([...spec, "files"], document.createNode(["sub/app.yaml", target]));
  else if (where === "pcap") {
    const packet = { name: "hostile capture", at: "pod:default/nobody", direction: "egress", pcap: target, expect: { verdict: "DROPPED" } };
    const packets = document.getIn([...spec, "packets"]);
    if (isSeq(packets)) packets.add(document.createNode(packet));
    else document.setIn([...spec, "packets"], document.createNode([packet]));
  } else {
    const step = document.createNode({ apply: { files: [target] } });
    const traffic = document.getIn([...spec, "traffic"]);
    if (isSeq(traffic)) traffic.items.splice(0, 0, step);
    else document.setIn([...spec, "traffic"], document.createNode([step]));
  }
  return { operator: `${where} ${JSON.stringify(target).slice(0, 80)}`, bytes: Buffer.from(String(document)) };
}

/** The index-th mutant: the families in turn, the base and the operator at random; `targets` are the path family's (path-fixtures.ts). */
export function scenarioMutant(
  bases: readonly BaseScenario[],
  targets: readonly string[],
  random: FuzzRandom,
  index: number,
): ScenarioMutant & { base: string } {
  const family = SCENARIO_FAMILIES[index % SCENARIO_FAMILIES.length];
  const base = random.pick(bases);
  const round = Math.floor(index / SCENARIO_FAMILIES.length);
  const made =
    family === "syntax"
      ? syntaxDamage(base.text, random)
      : family === "alias"
        ? aliases(base.text, random)
        : family === "nesting"
          ? nesting(base.text, random)
          : family === "size"
            ? sizes(base.text, random)
            : family === "type"
              ? typeConfusion(base.text, random, round * 7 + random.int(0, 6))
              : hostilePath(base.text, random, targets);
  return { family, base: base.name, ...made };
}
