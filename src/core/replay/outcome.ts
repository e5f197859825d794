// What happened to an attempt, read from the events the datapath wrote (a
// drop event is the verdict, never a timeout): the verdict, the drop reason,
// the hook that decided, and the policies behind the decision (from the
// cookie of the policy entry the datapath matched).

import type { DatapathEvent } from "../observe/event.ts";
import { DROP_REASONS } from "../observe/enums.ts";
import { formatPolicyRef, type PolicyRef } from "../policy/index.ts";
import type { Hook, Verdict } from "../scenario/index.ts";

export interface Outcome {
  verdict: Verdict;
  dropReason?: string;
  hook: Hook;
  /** KIND/NS/NAME of the policies that allowed it, or of the deny rule that dropped it. */
  policies: string[];
  /** Who answered (`pod:NS/NAME`, `node:NAME`, `world:IP`): a service's backend. */
  backend?: string;
}

export function dropReasonName(code: number): string {
  return DROP_REASONS.get(code)?.enumName ?? `DROP_REASON_${code}`;
}

function policiesOf(cookie: number, cookies: ReadonlyMap<number, readonly PolicyRef[]>): string[] {
  return cookie === 0 ? [] : (cookies.get(cookie) ?? []).map(formatPolicyRef);
}

/**
 * `request` and `reply` are the events of each direction; `completed` is
 * whether the reply reached the source. Without a drop event and without the
 * reply, the attempt was lost somewhere no program reports. `sourceHook`:
 * where an attempt no program reported is placed, the hook its source
 * sends through.
 */
export function outcomeOf(
  request: readonly DatapathEvent[],
  reply: readonly DatapathEvent[],
  completed: boolean,
  cookies: ReadonlyMap<number, readonly PolicyRef[]>,
  sourceHook: Hook = "pod-egress",
): Outcome {
  const events = [...request, ...reply];
  const drop = events.find((event) => event.type === "drop");
  if (drop) {
    return { verdict: "DROPPED", dropReason: dropReasonName(drop.dropReason), hook: drop.hook, policies: policiesOf(drop.policyCookie, cookies) };
  }
  const verdicts = events.filter((event) => event.type === "policy-verdict" && event.verdict === "FORWARDED");
  const policies = [...new Set(verdicts.flatMap((event) => policiesOf(event.policyCookie, cookies)))].sort();
  // Where it was decided: the last policy that allowed it, or where the request was delivered.
  const decider = verdicts.at(-1) ?? request.filter((event) => event.type === "trace").at(-1) ?? events.at(-1);
  const hook = decider?.hook ?? sourceHook;
  if (!completed) return { verdict: "DROPPED", dropReason: "DROP_REASON_UNKNOWN", hook, policies };
  return { verdict: "FORWARDED", hook, policies };
}
