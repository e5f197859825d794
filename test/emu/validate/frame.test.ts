// An access through r10 at a constant offset stays inside the function's
// 512-byte frame, or the program is refused at load with the kernel's words
// (measured on kernel 6.18: "invalid write to stack R10 off=11952 size=8").

import { describe, expect, test } from "vitest";
import { validationRefusal } from "./refusal.ts";

const refusal = (source: string): string => validationRefusal(source)?.reason ?? "accepted";

describe("stack frame bounds", () => {
  test("refuse a store past the top of the frame", () => {
    expect(refusal("stdw [%r10+11952], 0\nmov %r0, 0\nexit")).toBe("invalid write to stack R10 off=11952 size=8");
  });

  test("refuse a register store and a load below the bottom of the frame", () => {
    expect(refusal("stxdw [%r10-520], %r1\nmov %r0, 0\nexit")).toBe("invalid write to stack R10 off=-520 size=8");
    expect(refusal("ldxdw %r0, [%r10-520]\nexit")).toBe("invalid read from stack R10 off=-520 size=8");
  });

  test("refuse an access that straddles the frame pointer, and report an atomic as a read", () => {
    expect(refusal("ldxdw %r0, [%r10-4]\nexit")).toBe("invalid read from stack R10 off=-4 size=8");
    expect(refusal("mov %r1, 1\nlock add [%r10+8], %r1\nmov %r0, 0\nexit")).toBe("invalid read from stack R10 off=8 size=8");
  });

  test("accept the first and last bytes of the frame", () => {
    expect(refusal("stdw [%r10-512], 0\nstb [%r10-1], 0\nldxdw %r0, [%r10-8]\nexit")).toBe("accepted");
  });

  test("leave accesses through other registers to the engines' bounds checks", () => {
    expect(refusal("ldxdw %r0, [%r1+11952]\nexit")).toBe("accepted");
  });
});
