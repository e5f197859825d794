// Label selectors over Cilium label sets. A key may name its source
// (`k8s:app`, `reserved:host`); without one it matches any source, as
// Cilium's `any.` keys do.

import type { Label } from "../identity/index.ts";
import { PolicyError } from "./errors.ts";
import type { LabelSelectorObject } from "./manifests.ts";

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export const ANY_SOURCE = "any";

export interface Requirement {
  /** A label source, or ANY_SOURCE. */
  source: string;
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

/** All requirements must hold; no requirement selects everything. */
export interface Selector {
  requirements: readonly Requirement[];
}

/** Where a policy field is, for errors. */
export interface FieldLocation {
  policy: string;
  field: string;
}

const OPERATORS: readonly string[] = ["In", "NotIn", "Exists", "DoesNotExist"];

/** `source:key` -> {source, key}; `$host` is Cilium's shorthand for `reserved:host`. */
export function parseSelectorKey(text: string, defaultSource: string): { source: string; key: string } {
  if (text === "$host") return { source: "reserved", key: "host" };
  const colon = text.indexOf(":");
  if (colon > 0) return { source: text.slice(0, colon), key: text.slice(colon + 1) };
  return { source: defaultSource, key: text };
}

/**
 * A Kubernetes LabelSelector object as a Selector. `keyPrefix` is put before
 * every key (NetworkPolicy namespace selectors select namespace labels).
 */
export function parseSelector(object: LabelSelectorObject, at: FieldLocation, defaultSource: string = ANY_SOURCE, keyPrefix = ""): Selector {
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    throw new PolicyError(at.policy, at.field, "must be a label selector object");
  }
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(object.matchLabels ?? {})) {
    if (typeof value !== "string") {
      throw new PolicyError(at.policy, `${at.field}.matchLabels.${key}`, "must be a string");
    }
    const parsed = parseSelectorKey(key, defaultSource);
    requirements.push({ source: parsed.source, key: keyPrefix + parsed.key, operator: "In", values: [value] });
  }
  (object.matchExpressions ?? []).forEach((expression, index) => {
    const field = `${at.field}.matchExpressions[${index}]`;
    if (!OPERATORS.includes(expression.operator)) {
      throw new PolicyError(at.policy, `${field}.operator`, `"${expression.operator}" is not one of ${OPERATORS.join(", ")}`);
    }
    const operator = expression.operator as SelectorOperator;
    const values = expression.values ?? [];
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
      throw new PolicyError(at.policy, `${field}.values`, `must not be empty for ${operator}`);
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
      throw new PolicyError(at.policy, `${field}.values`, `must be empty for ${operator}`);
    }
    const parsed = parseSelectorKey(expression.key, defaultSource);
    requirements.push({ source: parsed.source, key: keyPrefix + parsed.key, operator, values });
  });
  return { requirements };
}

function valueOf(labels: readonly Label[], requirement: Requirement): string | undefined {
  for (const label of labels) {
    if (label.key === requirement.key && (requirement.source === ANY_SOURCE || requirement.source === label.source)) {
      return label.value;
    }
  }
  return undefined;
}

export function selectorMatches(selector: Selector, labels: readonly Label[]): boolean {
  return selector.requirements.every((requirement) => {
    const value = valueOf(labels, requirement);
    switch (requirement.operator) {
      case "In":
        return value !== undefined && requirement.values.includes(value);
      case "NotIn":
        return value === undefined || !requirement.values.includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
    }
  });
}
