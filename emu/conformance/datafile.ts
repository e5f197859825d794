// The .data files of the bpf_conformance suite: sections introduced by
// `-- asm`, `-- raw`, `-- mem`, `-- result`, `-- error`, `-- c` and
// `-- no register offset` (the last two are notes for other runners).

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "DataFileError";
  }
}

export interface DataFile {
  file: string;
  /** Assembly text and the file line its first line is on. */
  asm?: { text: string; firstLine: number };
  /** Instruction words from `-- raw`. */
  raw?: { bytes: Uint8Array; firstLine: number; lines: number[] };
  memory: Uint8Array;
  result?: bigint;
  /** Present when the file has an `-- error` section: the expected text, possibly empty. */
  error?: string;
}

const SECTIONS = ["asm", "raw", "mem", "result", "error", "c", "no register offset"] as const;
type Section = (typeof SECTIONS)[number];

const HEX_BYTE = /^[0-9a-fA-F]{2}$/;

export function parseDataFile(file: string, text: string): DataFile {
  const lines = text.split(/\r?\n/);
  const bodies = new Map<Section, { lines: string[]; firstLine: number }>();
  let current: Section | undefined;
  lines.forEach((raw, i) => {
    const number = i + 1;
    const header = /^--\s*(.*?)\s*$/.exec(raw);
    if (header) {
      const name = header[1] as Section;
      if (!SECTIONS.includes(name)) {
        throw new DataFileError(file, number, `unknown section '-- ${header[1]}' (known: ${SECTIONS.map((s) => `-- ${s}`).join(", ")})`);
      }
      if (bodies.has(name)) throw new DataFileError(file, number, `the section '-- ${name}' appears twice`);
      bodies.set(name, { lines: [], firstLine: number + 1 });
      current = name;
      return;
    }
    if (current) bodies.get(current)!.lines.push(raw);
    else if (raw.trim() !== "" && !raw.trimStart().startsWith("#")) {
      throw new DataFileError(file, number, "text before the first section");
    }
  });
  const data: DataFile = { file, memory: new Uint8Array(0) };
  const asm = bodies.get("asm");
  if (asm) data.asm = { text: asm.lines.join("\n"), firstLine: asm.firstLine };
  const raw = bodies.get("raw");
  if (raw) data.raw = { ...parseRaw(file, raw.lines, raw.firstLine), firstLine: raw.firstLine };
  const mem = bodies.get("mem");
  if (mem) data.memory = parseBytes(file, mem.lines, mem.firstLine);
  const result = bodies.get("result");
  if (result) data.result = parseResult(file, result.lines, result.firstLine);
  const error = bodies.get("error");
  if (error) data.error = stripComments(error.lines).join(" ").trim();
  return data;
}

function stripComments(lines: string[]): string[] {
  return lines.map((l) => l.replace(/#.*/, "").trim()).filter((l) => l !== "");
}

/** Hex bytes separated by white space. */
function parseBytes(file: string, lines: string[], firstLine: number): Uint8Array {
  const bytes: number[] = [];
  lines.forEach((line, i) => {
    for (const token of line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean)) {
      if (!HEX_BYTE.test(token)) throw new DataFileError(file, firstLine + i, `'${token}' is not a hex byte`);
      bytes.push(parseInt(token, 16));
    }
  });
  return Uint8Array.from(bytes);
}

/** A line of eight hex bytes is one instruction; a 0x token is a whole 64-bit instruction word. */
function parseRaw(file: string, lines: string[], firstLine: number): { bytes: Uint8Array; lines: number[] } {
  const out: number[] = [];
  const slotLines: number[] = [];
  lines.forEach((line, i) => {
    const tokens = line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return;
    if (tokens.length === 8 && tokens.every((t) => HEX_BYTE.test(t))) {
      out.push(...tokens.map((t) => parseInt(t, 16)));
      slotLines.push(firstLine + i);
      return;
    }
    for (const token of tokens) {
      if (!/^0x[0-9a-fA-F]{1,16}$/.test(token)) {
        throw new DataFileError(file, firstLine + i, `'${token}' is neither a 0x instruction word nor one of eight hex bytes`);
      }
      let word = BigInt(token);
      for (let b = 0; b < 8; b++, word >>= 8n) out.push(Number(word & 0xffn));
      slotLines.push(firstLine + i);
    }
  });
  return { bytes: Uint8Array.from(out), lines: slotLines };
}

function parseResult(file: string, lines: string[], firstLine: number): bigint {
  const values = stripComments(lines);
  if (values.length !== 1) throw new DataFileError(file, firstLine, "-- result must hold exactly one value");
  const text = values[0];
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new DataFileError(file, firstLine, `'${text}' is not a number`);
  const value = BigInt(text);
  if (value >= 1n << 64n) throw new DataFileError(file, firstLine, `'${text}' does not fit in 64 bits`);
  return value;
}
