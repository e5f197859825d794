// The .data format: sections, and errors that name the file and the line.

import { describe, expect, test } from "vitest";
import { DataFileError, parseDataFile } from "../../../emu/conformance/datafile.ts";

const parse = (text: string) => parseDataFile("t.data", text);
const failure = (text: string): DataFileError => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof DataFileError) return error;
    throw error;
  }
  throw new Error("expected a DataFileError");
};

describe("a .data file", () => {
  test("has asm, mem and result sections; comments and notes are skipped", () => {
    const data = parse("# header\n-- asm\nmov %r0, 1\nexit\n-- mem\n01 02\n0a\n-- no register offset\nnote\n-- result\n0x10 # sixteen\n");
    expect(data.asm).toEqual({ text: "mov %r0, 1\nexit", firstLine: 3 });
    expect([...data.memory]).toEqual([1, 2, 10]);
    expect(data.result).toBe(16n);
    expect(data.error).toBeUndefined();
  });

  test("reads raw instructions as eight bytes a line or 0x words", () => {
    const bytes = parse("-- raw\n95 00 00 00 00 00 00 00\n0x0000000000000095\n-- result\n0\n").raw!.bytes;
    expect([...bytes]).toEqual([0x95, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("keeps an empty error section as an empty expected text", () => {
    expect(parse("-- raw\n0x95\n-- error\n").error).toBe("");
  });

  test.each([
    ["-- asm\nexit\n-- frobnicate\n", 3, "unknown section '-- frobnicate'"],
    ["-- asm\nexit\n-- asm\nexit\n", 3, "appears twice"],
    ["mov %r0, 1\n-- asm\n", 1, "text before the first section"],
    ["-- mem\n01 zz\n", 2, "'zz' is not a hex byte"],
    ["-- raw\n0x95 12\n", 2, "neither a 0x instruction word"],
    ["-- result\n1\n2\n", 2, "exactly one value"],
    ["-- result\nseven\n", 2, "'seven' is not a number"],
    ["-- result\n0x10000000000000000\n", 2, "does not fit in 64 bits"],
  ])("refuses %j at its line", (text, line, reason) => {
    const error = failure(text);
    expect(error.file).toBe("t.data");
    expect(error.line).toBe(line);
    expect(error.message).toContain(reason);
    expect(error.message).toMatch(/^t\.data:\d+: /);
  });
});
