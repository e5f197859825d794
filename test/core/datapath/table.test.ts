import { describe, expect, test } from "vitest";
import { DatapathTable } from "../../../src/core/datapath/table.ts";

describe("a datapath's table of nodes or endpoints", () => {
  test("gives the entry under a key it holds", () => {
    const nodes = new DatapathTable<{ address: string }>("wasm", "node");
    nodes.set("n1", { address: "10.0.0.1" });
    expect(nodes.required("n1")).toEqual({ address: "10.0.0.1" });
  });

  test("names the backend, the kind and the key when it holds none", () => {
    const endpoints = new DatapathTable<number>("kernel", "endpoint");
    endpoints.set("default/a", 1);
    endpoints.delete("default/a");
    expect(() => endpoints.required("default/a")).toThrow(new Error("the kernel datapath has no endpoint default/a"));
    expect(() => new DatapathTable("wasm", "node").required("n9")).toThrow(new Error("the wasm datapath has no node n9"));
  });
});
