// Kubernetes label selectors: matchLabels and matchExpressions (In, NotIn,
// Exists, DoesNotExist), checked with apimachinery's rules and matched against
// a set of labels. All requirements are ANDed; an empty selector matches
// everything.

import { FieldPath, MappingReader, readChoice, readString, show } from "./fields.ts";
import { labelKeyProblem, labelValueProblem } from "./names.ts";

export const selectorOperators = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
export type SelectorOperator = (typeof selectorOperators)[number];

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Non-empty for In and NotIn, empty for Exists and DoesNotExist. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** How label keys are written: plain Kubernetes keys, or Cilium's `source:key` form (`k8s:app`, `reserved:host`). */
export type LabelKeySyntax = "kubernetes" | "cilium";

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((requirement) => requirementMatches(requirement, labels));
}

function requirementMatches(requirement: SelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case "In":
      return present && requirement.values.includes(labels[requirement.key]);
    case "NotIn":
      return !present || !requirement.values.includes(labels[requirement.key]);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}

/** Reads a selector written as Kubernetes stores it; errors name the field at fault. */
export function readLabelSelector(value: unknown, path: FieldPath, syntax: LabelKeySyntax = "kubernetes"): LabelSelector {
  const selector = MappingReader.of(value, path).allow("matchLabels", "matchExpressions");
  const matchLabels = selector.has("matchLabels") ? readLabels(selector.get("matchLabels"), selector.at("matchLabels"), syntax) : {};
  const matchExpressions = selector.list("matchExpressions").map(({ value: item, path: itemPath }) => {
    const expression = MappingReader.of(item, itemPath).allow("key", "operator", "values");
    const key = expression.requireString("key");
    checkKey(key, expression.at("key"), syntax);
    const operator = readChoice(expression.require("operator"), expression.at("operator"), selectorOperators);
    const values = expression.list("values").map(({ value: text, path: valuePath }) => {
      const valueText = readString(text, valuePath);
      const problem = labelValueProblem(valueText);
      if (problem) valuePath.fail(problem);
      return valueText;
    });
    if ((operator === "In" || operator === "NotIn") && values.length === 0) {
      expression.at("values").fail(`must be non-empty when operator is ${operator}`);
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
      expression.at("values").fail(`must be empty when operator is ${operator}`);
    }
    return { key, operator, values };
  });
  return { matchLabels, matchExpressions };
}

/** A mapping of label keys to string values (metadata.labels, matchLabels, Service selectors). */
export function readLabels(value: unknown, path: FieldPath, syntax: LabelKeySyntax = "kubernetes"): Record<string, string> {
  const labels = MappingReader.of(value, path);
  const result: Record<string, string> = {};
  for (const [key, labelValue] of Object.entries(labels.value)) {
    const keyPath = labels.at(key);
    checkKey(key, keyPath, syntax);
    if (typeof labelValue !== "string") throw keyPath.error(`label values are strings; got ${show(labelValue)} (quote it)`);
    const problem = labelValueProblem(labelValue);
    if (problem) keyPath.fail(problem);
    result[key] = labelValue;
  }
  return result;
}

function checkKey(key: string, path: FieldPath, syntax: LabelKeySyntax): void {
  const sourceless = syntax === "cilium" ? key.replace(/^[a-z0-9-]+:/, "") : key;
  const problem = labelKeyProblem(sourceless);
  if (problem) path.fail(problem);
}
