// A mistake in what the user gave us (a file, a flag): printed as one line,
// never with a stack trace. In the lowest layer because the control plane
// raises it (bad input files) and the CLI prints it.

export class UserError extends Error {
  override name = "UserError";
}
