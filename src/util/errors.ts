// A mistake in what the user gave us (a file, a flag): printed as one line,
// never with a stack trace. In the lowest layer because the control plane
// raises it (bad input files) and the CLI prints it.

export class UserError extends Error {
  override name = "UserError";

  constructor(message: string) {
    super(oneLine(message));
  }
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with control characters escaped (a newline as \n): a value from a
 * file printed inside a one-line message cannot forge a second line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
