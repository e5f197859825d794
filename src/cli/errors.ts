// A mistake in what the user gave us (a file, a flag): printed as one line,
// never with a stack trace.

export class UserError extends Error {
  override name = "UserError";
}
