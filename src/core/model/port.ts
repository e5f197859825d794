// The one reader of port numbers, wherever a port is written (policy ports,
// Service and EndpointSlice ports, container ports, a scenario's `port:`):
// plain decimal only. YAML 1.2 reads 0x50, 0o120 and +80 as 80 and YAML 1.1
// (kubectl's) reads 0120 as 80 and 080 as a string, so a port written any way
// but plain decimal is refused rather than guessed.

import { type FieldPath, show } from "./fields.ts";
import { portNameProblem } from "./names.ts";

const DECIMAL = /^(0|[1-9][0-9]*)$/;
/** What reads as a number in some YAML version or base: a sign, a base prefix, leading zeros, a fraction, an exponent. */
const NUMBER_LIKE = /^[+-]?(0[xob][0-9a-f_]+|[0-9][0-9_]*(\.[0-9]*)?(e[+-]?[0-9]+)?|\.[0-9]+)$/i;

/** The port a text names when it is plain decimal, else undefined: what every port reader accepts as a number. */
export function decimalPort(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** `shown`: the value as the message shows it (a string quoted). */
function notDecimal(written: string, shown: string, path: FieldPath): never {
  const value = Number(written.replace(/_/g, ""));
  const hint = Number.isInteger(value) && value >= 0 && value <= 65535 ? ` (write ${value})` : "";
  path.fail(`${shown} is not a port number written in decimal${hint}`);
}

function inRange(number: number, written: string, path: FieldPath, min: number): number {
  if (number < min || number > 65535) path.fail(`${written} is out of range ${min}-65535`);
  return number;
}

/** A port number (a YAML integer written in decimal) in min..65535. */
export function readPortNumber(value: unknown, path: FieldPath, min: number): number {
  if (typeof value !== "number") path.fail(`expected a port number, got ${show(value)}`);
  const written = path.numberSource ?? String(value);
  const number = decimalPort(written);
  if (number === undefined) notDecimal(written, written, path);
  return inRange(number, written, path, min);
}

/**
 * A port number or a port name (Kubernetes' IntOrString, Cilium's port
 * string): a number, a decimal string, or a name; a string that reads as a
 * number in another spelling ("0x50", "+80", "080") is refused, not taken
 * for a name.
 */
export function readPortOrName(value: unknown, path: FieldPath, min: number): number | string {
  if (typeof value === "number") return readPortNumber(value, path, min);
  if (typeof value !== "string") path.fail(`expected a port number or name, got ${show(value)}`);
  const number = decimalPort(value);
  if (number !== undefined) return inRange(number, value, path, min);
  if (NUMBER_LIKE.test(value)) notDecimal(value, JSON.stringify(value), path);
  const problem = portNameProblem(value);
  if (problem) path.fail(problem);
  return value;
}
