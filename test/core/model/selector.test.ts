// Label selectors: matching as Kubernetes matches, and the API server's
// validation rules for operators and values.

import { describe, expect, test } from "vitest";
import { FieldPath, InputError, readLabelSelector, selectorMatches } from "../../../src/core/model/index.ts";

const path = FieldPath.root({ file: "policy.yaml", name: "objects[0]", line: 7 });
const read = (value: unknown) => readLabelSelector(value, path);
const labels = { app: "web", tier: "frontend" };

describe("selectorMatches", () => {
  test("an empty selector matches every set of labels", () => {
    expect(selectorMatches(read({}), labels)).toBe(true);
    expect(selectorMatches(read({}), {})).toBe(true);
  });

  test("matchLabels requires every pair", () => {
    expect(selectorMatches(read({ matchLabels: { app: "web" } }), labels)).toBe(true);
    expect(selectorMatches(read({ matchLabels: { app: "web", tier: "backend" } }), labels)).toBe(false);
  });

  test("In and NotIn; NotIn also matches when the key is absent", () => {
    expect(selectorMatches(read({ matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] }), labels)).toBe(true);
    expect(selectorMatches(read({ matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] }), labels)).toBe(false);
    expect(selectorMatches(read({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }), labels)).toBe(false);
    expect(selectorMatches(read({ matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }] }), labels)).toBe(true);
  });

  test("Exists and DoesNotExist look at the key only", () => {
    expect(selectorMatches(read({ matchExpressions: [{ key: "tier", operator: "Exists" }] }), labels)).toBe(true);
    expect(selectorMatches(read({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }), labels)).toBe(false);
    expect(selectorMatches(read({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }), labels)).toBe(true);
  });

  test("matchLabels and matchExpressions are ANDed", () => {
    const selector = read({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] });
    expect(selectorMatches(selector, labels)).toBe(false);
  });
});

describe("readLabelSelector refuses", () => {
  const refusal = (value: unknown) => {
    try {
      read(value);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as InputError).message;
    }
    throw new Error("accepted");
  };

  test("an unknown operator", () => {
    expect(refusal({ matchExpressions: [{ key: "app", operator: "Equals", values: ["a"] }] })).toBe(
      `policy.yaml:7: objects[0]: field "matchExpressions[0].operator": "Equals" is not one of In, NotIn, Exists, DoesNotExist`,
    );
  });

  test("In and NotIn without values, Exists and DoesNotExist with values", () => {
    expect(refusal({ matchExpressions: [{ key: "app", operator: "NotIn" }] })).toContain("must be non-empty when operator is NotIn");
    expect(refusal({ matchExpressions: [{ key: "app", operator: "DoesNotExist", values: ["x"] }] })).toContain("must be empty when operator is DoesNotExist");
  });

  test("unknown fields, bad keys and values that are not strings", () => {
    expect(refusal({ matchLabel: { app: "web" } })).toContain(`field "matchLabel": unknown field`);
    expect(refusal({ matchLabels: { "bad key!": "x" } })).toContain(`is not a valid label key`);
    expect(refusal({ matchLabels: { enabled: true } })).toContain(`label values are strings; got true`);
  });

  test("Cilium's source-prefixed keys only in Cilium syntax", () => {
    expect(() => readLabelSelector({ matchLabels: { "k8s:app": "web" } }, path, "cilium")).not.toThrow();
    expect(refusal({ matchLabels: { "k8s:app": "web" } })).toContain("is not a valid label key");
  });
});
