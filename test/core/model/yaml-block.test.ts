// The fast block reader reads every text it accepts exactly as the yaml
// package path does, accepts the block YAML that generated manifests are
// written in, and declines everything else (the yaml package then reads it,
// and reports any error).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { scaleScenario } from "../../../bench/scale/cluster.ts";
import { MAX_YAML_DEPTH, readWithYamlPackage, readYamlDocuments } from "../../../src/core/model/yaml-documents.ts";
import { expectSameReadingIfAccepted, expectSameTree, FILE, readFast } from "./yaml-reading.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const corpusFolders = ["scenarios", "test", "../shared/conformance", "../shared/seeds"];

function yamlFiles(): string[] {
  return corpusFolders.flatMap((folder) => {
    const path = join(root, folder);
    let names: string[];
    try {
      names = readdirSync(path, { recursive: true, encoding: "utf8" });
    } catch {
      return []; // A folder the checkout does not have (../shared/seeds is optional).
    }
    return names.filter((name) => /\.ya?ml$/.test(name)).map((name) => join(path, name));
  });
}

describe("the fast block reader on the repository's YAML files", () => {
  const files = yamlFiles();

  test("reads every file it accepts as the yaml package does", () => {
    const accepted = files.filter((file) => expectSameReadingIfAccepted(readFileSync(file, "utf8")));
    // Hand-written files use flow collections and folded descriptions, which are left to the yaml package.
    console.log(`fast block reader: accepted ${accepted.length} of ${files.length} YAML files as written`);
    expect(files.length).toBeGreaterThan(100);
  });

  test("reads most of them, rewritten in block style by yaml.stringify, as the yaml package does", () => {
    const texts = files.flatMap((file) =>
      parseAllDocuments(readFileSync(file, "utf8"))
        .filter((document) => document.errors.length === 0 && document.contents !== null)
        .map((document) => stringify(document.toJS(), { lineWidth: 0 })),
    );
    const accepted = texts.filter((text) => expectSameReadingIfAccepted(text)).length;
    console.log(`fast block reader: accepted ${accepted} of ${texts.length} documents rewritten by yaml.stringify`);
    expect(accepted).toBeGreaterThan(texts.length / 2);
  });

  test("accepts the generated scale scenario (100 pods) and reads it as the yaml package does", () => {
    expect(expectSameReadingIfAccepted(scaleScenario({ pods: 100, attempts: 20 }))).toBe(true);
  });
});

describe("the fast block reader on the forms it accepts", () => {
  test.each([
    ["a sequence at its key's indent, as kubectl writes it", "spec:\n  containers:\n  - name: web\n    ports:\n    - containerPort: 80\n  nodeName: n1\n"],
    ["comments, blank lines and a leading ---", "# head\n---\na: 1 # one\n\n  # between\nb:\n  # inside\n  c: x#y\n"],
    ["addresses, CIDRs, versions and flags as strings", "- 10.0.0.1\n- 10.0.0.0/16\n- 1.2.3\n- --port=80\n- -x\n- nginx:1.25\n- http://a/b?c\n"],
    ["the core schema's nulls, booleans and decimal integers", "a: null\nb: ~\nc: Null\nd: TRUE\ne: false\nf: -12\ng: 0\nh: -0\ni: 99999999999999999999\nj:\n"],
    ["quoted scalars and keys", `'a''b': 'c''d'\n"e f": "80"\n"": ''\ng: 'true' # c\nh: "it's"\n`],
    ["nested compact sequences and mappings", "- - a\n  - b: 1\n    c: 2\n- d\n"],
    ["empty flow collections", "podSelector: {}\nports: [] # none\nitems:\n- {}\n- []\n"],
    ["a mapping indented as a whole", "  a: 1\n  b:\n    - 2\n"],
  ])("%s", (_, text) => {
    expect(expectSameReadingIfAccepted(text)).toBe(true);
  });
});

describe("the fast block reader declines what is outside its subset", () => {
  test.each([
    ["a flow sequence", "a: [1]\n"],
    ["a flow mapping", "a: {b: 1}\n"],
    ["a flow item", "- {name: x}\n"],
    ["an empty flow mapping with spaces", "a: { }\n"],
    ["an empty flow mapping followed by text", "a: {}x\n"],
    ["an anchor", "a: &x 1\n"],
    ["an alias", "a: 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["duplicate keys", "a: 1\na: 2\n"],
    ["duplicate keys, one quoted", "a: 1\n'a': 2\n"],
    ["a hexadecimal number", "port: 0x50\n"],
    ["an octal number", "a: 0o17\n"],
    ["a number with a sign", "a: +80\n"],
    ["a number with leading zeros", "a: 0080\n"],
    ["a float", "a: 1.5\n"],
    ["an exponent", "a: 1e3\n"],
    ["infinity", "a: .inf\n"],
    ["a tab", "a:\t1\n"],
    ["a carriage return", "a: 1\r\n"],
    ["a byte order mark", "\ufeffa: 1\n"],
    ["a no-break space", "a: b\u00a0\n"],
    ["a literal block scalar", "a: |\n  x\n"],
    ["a folded block scalar", "a: >\n  x\n"],
    ["a plain scalar over two lines", "a: b\n  c\n"],
    ["a plain scalar under its key", "a:\n  b\n"],
    ["a `?` key", "? a\n: b\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["a second document", "a: 1\n---\nb: 2\n"],
    ["`---` with content", "--- a: 1\n"],
    ["an empty item", "-\n- a\n"],
    ["an item on the line below its dash", "-\n  a: 1\n"],
    ["an escape in double quotes", 'a: "b\\n"\n'],
    ["an unclosed quote", "a: 'b\n"],
    ["a comment right after a quote", "a: 'x'#c\n"],
    ["a number as a key", "80: http\n"],
    ["a boolean as a key", "true: 1\n"],
    ["a null as a key", "~: 1\n"],
    ["a space before the colon", "a : 1\n"],
    ["a key that sets the prototype", "__proto__: {}\n"],
    ["a merge key", "<<: 1\n"],
    ["a nested mapping on a value's line", "a: b: c\n"],
    ["a sequence on a key's line", "a: - b\n"],
    ["a misindented key", "a:\n  b: 1\n c: 2\n"],
    ["a top-level scalar", "hello\n"],
    ["a file of comments only", "# nothing\n"],
    ["an empty file", ""],
    [
      "mappings nested as deep as the limit",
      Array.from({ length: MAX_YAML_DEPTH }, (_, i) => `${" ".repeat(i)}k:\n`).join("") + `${" ".repeat(MAX_YAML_DEPTH)}x: 1\n`,
    ],
  ])("%s", (_, text) => {
    expect(readFast(text)).toBeUndefined();
  });

  test("a text it declines is read, or refused, by the yaml package as before", () => {
    expect(readYamlDocuments("port: 0x50\n", FILE)).toEqual(readWithYamlPackage("port: 0x50\n", FILE));
    expect(() => readYamlDocuments("a: 1\na: 2\n", FILE)).toThrow("pr.yaml:2: invalid YAML: Map keys must be unique");
  });
});

describe("the comparison the tests rely on", () => {
  const fast = (text: string) => readFast(text)!.value;
  const slow = (text: string) => readWithYamlPackage(text, FILE)[0].value;

  test("tells a line, a key order and a number's spelling apart", () => {
    expect(() => expectSameTree(fast("a: 1\nb: 2\n"), slow("a: 1\n\nb: 2\n"))).toThrow("$ b line");
    expect(() => expectSameTree(fast("a: 1\nb: 2\n"), slow("b: 2\na: 1\n"))).toThrow("$ keys");
    expect(() => expectSameTree(fast("port: 80\n"), slow("port: 0x50\n"))).toThrow("$ port number source");
    expect(() => expectSameTree(fast("a: 0\n"), slow("a: -0\n"))).toThrow();
  });
});

/** Plain data as manifests hold it: strings that look like numbers, addresses, booleans and nulls among names. */
const plainData = (() => {
  const lookalikes = [
    "80",
    "-1",
    "+1",
    "007",
    "0x50",
    "1.5",
    "1e3",
    ".inf",
    "true",
    "True",
    "no",
    "null",
    "~",
    "",
    "10.0.0.1",
    "10.0.0.0/16",
    "a: b",
    "a #b",
    "-",
    "- x",
    "'q'",
    '"q"',
  ];
  const string = fc.oneof(
    fc.constantFrom(...lookalikes),
    fc.stringMatching(/^[a-z0-9][a-z0-9./:#' -]{0,12}$/),
    fc.string({ unit: fc.constantFrom(..."ab0.:-#' \"\\[]{}&*!|>%@`,?"), maxLength: 8 }),
  );
  const leaf = fc.oneof(string, fc.integer(), fc.boolean(), fc.constant(null));
  const key = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9./-]{0,10}$/), fc.constantFrom("true", "80", "a b", "x:y", "null", "on"));
  return fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small" }, leaf, tie("map"), tie("list")),
    map: fc.dictionary(key, tie("node"), { maxKeys: 4 }),
    list: fc.array(tie("node"), { maxLength: 4 }),
  }));
})();

/** A small writer in kubectl's style: sequences at their key's indent, plain scalars where they read back, single quotes elsewhere, `{}` and `[]` when empty, and comments. */
function kubectlStyle(value: unknown, indent: string, comments: boolean): string[] {
  const scalar = (item: unknown): string => {
    if (Array.isArray(item)) return "[]";
    if (typeof item === "object" && item !== null) return "{}";
    if (typeof item !== "string") return String(item);
    const plain = item !== "" && !item.includes("\n") && stringify(item).trim() === item;
    return plain ? item : `'${item.replaceAll("'", "''")}'`;
  };
  const note = comments ? " # note" : "";
  const block = (item: unknown): item is object => typeof item === "object" && item !== null && Object.keys(item).length > 0;
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!block(item)) lines.push(`${indent}- ${scalar(item)}${note}`);
      else {
        const [first, ...rest] = kubectlStyle(item, `${indent}  `, comments);
        lines.push(`${indent}- ${first.slice(indent.length + 2)}`, ...rest);
      }
    }
    return lines;
  }
  for (const [key, item] of Object.entries(value as object)) {
    const written = scalar(key);
    if (!block(item)) lines.push(`${indent}${written}: ${scalar(item)}${note}`);
    else {
      lines.push(`${indent}${written}:${note}`);
      if (comments) lines.push("", `${indent}  # ${written}`);
      lines.push(...kubectlStyle(item, Array.isArray(item) ? indent : `${indent}  `, comments));
    }
  }
  return lines;
}

describe("the fast block reader on random plain data", () => {
  const top = fc.oneof(plainData.map, plainData.list);

  test.each([
    ["yaml.stringify", (value: object) => stringify(value, { lineWidth: 0 })],
    ["yaml.stringify with folded long lines", (value: object) => stringify(value, { lineWidth: 20, minContentWidth: 0 })],
    ["kubectl's style", (value: object) => kubectlStyle(value, "", false).join("\n") + "\n"],
    ["kubectl's style with comments", (value: object) => kubectlStyle(value, "", true).join("\n") + "\n"],
  ])("reads what %s writes as the yaml package does", (_, write) => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(top, (value) => {
        runs++;
        if (expectSameReadingIfAccepted(write(value as object))) accepted++;
      }),
      { numRuns: 300 },
    );
    // Not vacuous: most random data is within the subset.
    expect(accepted).toBeGreaterThan(runs / 3);
  });
});
