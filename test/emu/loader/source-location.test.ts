import { expect, test } from "vitest";
import { lineInfoAt, sourceLocation } from "../../../emu/loader/object.ts";
import { GOOD_FIXTURES, loadFixture, program } from "./fixture.ts";

test("an instruction's C source line, from BTF.ext line info", () => {
  const count = program(loadFixture("global_data.o"), "count_packets");
  expect(sourceLocation(count, 1)).toBe("global_data.c:18: packets++;");
  expect(sourceLocation(count, 11)).toBe("global_data.c:20: last_seen = bpf_ktime_get_ns();");
  expect(lineInfoAt(count, 11)).toMatchObject({ file: "global_data.c", line: 20, column: 14 });
});

test("instructions of an appended subprogram point into the subprogram's source", () => {
  const connect4 = program(loadFixture("subprograms.o"), "connect4");
  const mix = connect4.functions.find((f) => f.name === "mix")?.index ?? -1;
  expect(sourceLocation(connect4, mix + 1)).toBe("subprograms.c:8: return (a * 31) ^ b;");
  expect(sourceLocation(connect4, 2)).toBe("subprograms.c:30: if (is_privileged(ctx->user_port))");
});

test("every program's line info is in index order, inside the program, and names a .c file", () => {
  for (const file of GOOD_FIXTURES) {
    for (const p of loadFixture(file).programs) {
      expect(p.lineInfo.length, `${file} ${p.name}`).toBeGreaterThan(0);
      expect(p.lineInfo[0].index).toBe(0);
      p.lineInfo.forEach((record, i) => {
        expect(record.index).toBeLessThan(p.instructions.length);
        if (i > 0) expect(record.index).toBeGreaterThanOrEqual(p.lineInfo[i - 1].index);
        expect(record.file).toBe(file.replace(/\.o$/, ".c"));
      });
    }
  }
});
