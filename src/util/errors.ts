// A mistake in what the user gave us (a file, a flag): printed as one line,
// never with a stack trace. In the lowest layer because the control plane
// raises it (bad input files) and the CLI prints it.

export class UserError extends Error {
  override name = "UserError";

  constructor(message: string) {
    super(bounded(oneLine(message)));
  }
}

/** Longer than any message of ours with a sane value in it: a megabyte value in a file must not make a megabyte line. */
export const MAX_MESSAGE_CHARS = 2000;
const KEPT_HEAD = 1600;
const KEPT_TAIL = 300;

/** `message` cut in its middle past MAX_MESSAGE_CHARS, keeping where it points (the start) and what it says (the end). */
function bounded(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const left = message.length - KEPT_HEAD - KEPT_TAIL;
  return `${message.slice(0, KEPT_HEAD)} … (${left} characters left out) … ${message.slice(message.length - KEPT_TAIL)}`;
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with control characters escaped (a newline as \n): a value from a
 * file printed inside a one-line message cannot forge a second line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
