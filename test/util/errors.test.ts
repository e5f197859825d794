// A user's mistake is one line of bounded length, whatever a hostile file put in it.

import { describe, expect, test } from "vitest";
import { MAX_MESSAGE_CHARS, UserError } from "../../src/util/errors.ts";

describe("a UserError's message", () => {
  test("escapes control characters, so a value cannot forge a second line", () => {
    expect(new UserError('pr.yaml:3: "a\nb\tc\u0000" is not a port').message).toBe('pr.yaml:3: "a\\nb\\tc\\u0000" is not a port');
  });

  test("keeps a message up to the limit whole", () => {
    const message = `pr.yaml:1: ${"x".repeat(MAX_MESSAGE_CHARS - 11)}`;
    expect(new UserError(message).message).toBe(message);
  });

  test("cuts a megabyte value in its middle, keeping where the message points and what it says", () => {
    const message = new UserError(`pr.yaml:7: traffic[0] "a": field "port": "${"9".repeat(1_000_000)}" is not a port number`).message;
    expect(message.length).toBeLessThan(MAX_MESSAGE_CHARS + 50);
    expect(message.startsWith('pr.yaml:7: traffic[0] "a": field "port": "999')).toBe(true);
    expect(message.endsWith('999" is not a port number')).toBe(true);
    expect(message).toContain(" … (998164 characters left out) … ");
  });
});
