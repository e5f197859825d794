// A refusal stays one line whatever the value it quotes holds (issue 18): a
// newline, a tab or a control byte in a name or a value is shown escaped,
// so that a scenario cannot forge lines of the output (a fake summary, a
// fake error) in a CI log. A refused file in the middle of a directory
// (every other file runs, the summary counts it, the JSON error object, valid
// JUnit) is specified in test/cli/scenario-ci.test.ts.

import { expect, test } from "vitest";
import { ebbflow } from "../support/cli.ts";
import { APPENDED_LINE, hostileFolder, refusal, refusedWith, SPEC } from "./hostile-folder.ts";

const attempt = (name: string, from: string, port: number) =>
  `${SPEC}  traffic:\n  - name: ${JSON.stringify(name)}\n    from: ${JSON.stringify(from)}\n    to: pod:app/web\n    port: ${port}\n    expect: {verdict: FORWARDED}\n`;

test("a traffic name with a newline is quoted escaped in the item of the refusal", async () => {
  const file = hostileFolder().write("s.yaml", attempt("a\n1 files: 1 passed, 0 failed, 0 refused", "pod:app/web", 70000));
  expect(await refusal(file)).toEqual(
    refusedWith(file, APPENDED_LINE + 4, 'traffic[0] "a\\n1 files: 1 passed, 0 failed, 0 refused": field "port": 70000 is out of range 1-65535'),
  );
});

test("a value with a newline and a tab is quoted escaped in the problem of the refusal", async () => {
  const file = hostileFolder().write("s.yaml", attempt("x", "pod:app/web\nebbflow: forged\tline", 80));
  expect(await refusal(file)).toEqual(
    refusedWith(
      file,
      APPENDED_LINE + 2,
      'traffic[0] "x": field "from": in "pod:app/web\\nebbflow: forged\\tline": "web\\nebbflow: forged\\tline" is not a DNS subdomain name (lower-case letters, digits, \'-\' and \'.\')',
    ),
  );
});

test("in JSON the refusal with a newline in its value is one line, its message the same text", async () => {
  const file = hostileFolder().write("s.yaml", attempt("a\nb", "pod:app/web", 70000));
  const run = await ebbflow(["scenario", "run", "--output", "json", file]);
  expect(run.status).toBe(2);
  expect(run.stdout.split("\n")).toHaveLength(2);
  expect(JSON.parse(run.stdout)).toMatchObject({ kind: "error", item: 'traffic[0] "a\\nb"', field: "port", message: expect.stringContaining('"a\\nb"') });
});
