// Times as Hubble prints them, from nanoseconds since the Unix epoch. Only
// UTC calendar arithmetic: no time zone, no locale, no Intl.

const NS_PER_SECOND = 1_000_000_000n;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
}

function civil(epochNs: bigint): CivilTime {
  if (epochNs < 0n) throw new RangeError(`time ${epochNs} ns is before 1970`);
  const seconds = epochNs / NS_PER_SECOND;
  const date = new Date(Number(seconds) * 1000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth(),
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    nanos: Number(epochNs % NS_PER_SECOND),
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/**
 * RFC 3339 in UTC as protojson writes a google.protobuf.Timestamp: the
 * fraction has 0, 3, 6 or 9 digits, the fewest that hold the nanoseconds
 * (google.golang.org/protobuf encoding/protojson well_known_types.go).
 */
export function formatRfc3339(epochNs: bigint): string {
  const t = civil(epochNs);
  let fraction = "";
  if (t.nanos !== 0) {
    fraction = `.${pad(t.nanos, 9)}`;
    while (fraction.endsWith("000")) fraction = fraction.slice(0, -3);
  }
  return `${pad(t.year, 4)}-${pad(t.month + 1, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${fraction}Z`;
}

/** Go's time.StampMilli ("Jan _2 15:04:05.000"), the default of `hubble observe --time-format`, in UTC. */
export function formatStampMilli(epochNs: bigint): string {
  const t = civil(epochNs);
  const millis = Math.floor(t.nanos / 1_000_000);
  return `${MONTHS[t.month]} ${String(t.day).padStart(2, " ")} ${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(millis, 3)}`;
}

/** Parses what formatRfc3339 writes back into nanoseconds (for printing a flow record again). */
export function parseRfc3339(text: string): bigint {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (match === null) throw new RangeError(`"${text}" is not an RFC 3339 UTC time`);
  const [, year, month, day, hour, minute, second, fraction = ""] = match;
  const millis = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  return BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, "0"));
}
