// Go's duration syntax (time.ParseDuration), as `wait:` takes it: "45s",
// "1m30s", "1.5h", "300ms". Units ns, us (µs), ms, s, m, h.

const nanosecondsPerUnit: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** The duration in nanoseconds, or a problem when `text` is not one. */
export function parseDuration(text: string): number | { readonly problem: string } {
  const unit = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/;
  if (text === "0") return 0;
  let rest = text;
  let total = 0;
  if (rest === "") return { problem: `"" is not a duration` };
  while (rest !== "") {
    const match = unit.exec(rest);
    if (!match) return { problem: `"${text}" is not a duration (write it as Go does: 45s, 1m30s, 500ms)` };
    total += Number(match[1]) * nanosecondsPerUnit[match[2]];
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}
