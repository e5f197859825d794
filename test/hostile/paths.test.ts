// What a scenario's files: and pcap: may reach (issue 18): only regular files
// inside its own folder (or an --allow-path root), symlinks resolved first,
// at most 16 MiB each. Each hostile path is a one-line refusal naming the
// file, the line, the item and the field, and never shows a byte of what it
// refused (the canaries hold a marker that must not be printed).

import { mkdirSync, symlinkSync, truncateSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ebbflow } from "../support/cli.ts";
import { APPENDED_LINE, hostileFolder, MARKER, refusal, refusedWith, SPEC, withCapture } from "./hostile-folder.ts";

const PCAP_LINE = APPENDED_LINE + 4;
const EMPTY_PCAP = Buffer.from("d4c3b2a1020004000000000000000000ffff000001000000", "hex");
const files = (path: string) => `${SPEC}  files: [${path}]\n`;
const outside = (path: string, shown: string) => `${path} is outside the scenario's folder ${shown} (name more folders with --allow-path)`;

describe("files: and pcap: outside the scenario's folder", () => {
  test("files: ../ to a canary beside the folder is refused, naming the resolved path", async () => {
    const hostile = hostileFolder();
    const file = hostile.write("s.yaml", files("../canaries/secret.yaml"));
    expect(await refusal(file)).toEqual(
      refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${outside(join(hostile.canaries, "secret.yaml"), hostile.shown)}`),
    );
  });

  test("pcap: ../ to a capture beside the folder is refused", async () => {
    const hostile = hostileFolder();
    mkdirSync(join(hostile.folder, "..", "captures"));
    const capture = join(hostile.folder, "..", "captures", "x.pcap");
    hostile.write("../captures/x.pcap", EMPTY_PCAP);
    const file = hostile.write("s.yaml", withCapture("../captures/x.pcap"));
    expect(await refusal(file)).toEqual(refusedWith(file, PCAP_LINE, `packets[0] "capture": field "pcap": ${outside(capture, hostile.shown)}`));
  });

  test.each([
    ["a canary like /etc/shadow beside the folder", "shadow"],
    ["/etc/shadow", "/etc/shadow"],
    ["/proc/self/environ", "/proc/self/environ"],
    ["/dev/zero", "/dev/zero"],
  ])("a symlink inside the folder to %s is refused as outside it (the link is resolved before the check)", async (_, target) => {
    const hostile = hostileFolder();
    symlinkSync(target.startsWith("/") ? target : join(hostile.canaries, target), join(hostile.folder, "link.yaml"));
    const file = hostile.write("s.yaml", files("link.yaml"));
    expect(await refusal(file)).toEqual(
      refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${outside(join(hostile.folder, "link.yaml"), hostile.shown)}`),
    );
  });

  test("an absolute path is taken as written: outside the folder it is refused, under --allow-path it is read", async () => {
    const hostile = hostileFolder();
    const secret = join(hostile.canaries, "secret.yaml");
    const file = hostile.write("s.yaml", files(secret));
    expect(await refusal(file)).toEqual(refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${outside(secret, hostile.shown)}`));
    const zero = hostile.write("zero.yaml", files("/dev/zero"));
    expect(await refusal(zero, ["--allow-path", "/dev"])).toEqual(refusedWith(zero, APPENDED_LINE, `field "spec.files[0]": /dev/zero is not a regular file`));
  });

  test("a directory named by files: holding a symlink out is refused at that file", async () => {
    const hostile = hostileFolder();
    mkdirSync(join(hostile.folder, "manifests"));
    hostile.write("manifests/app.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n");
    symlinkSync(join(hostile.canaries, "secret.yaml"), join(hostile.folder, "manifests", "leak.yaml"));
    const file = hostile.write("s.yaml", files("manifests"));
    const leak = join(hostile.folder, "manifests", "leak.yaml");
    expect(await refusal(file)).toEqual(refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${outside(leak, hostile.shown)}`));
  });

  test("a scenario file that is a symlink out of its folder is refused when it is read", async () => {
    const hostile = hostileFolder();
    symlinkSync(join(hostile.canaries, "secret.yaml"), join(hostile.folder, "scenario.yaml"));
    const file = join(hostile.folder, "scenario.yaml");
    expect(await refusal(file)).toEqual(refusedWith(file, undefined, outside(file, hostile.shown).replace(/^\S+ /, "")));
  });
});

describe("files: and pcap: inside the folder that are not regular files of a sane size", () => {
  test("/dev/zero through --allow-path /dev is refused as not a regular file, before any byte is read", async () => {
    const hostile = hostileFolder();
    symlinkSync("/dev/zero", join(hostile.folder, "zero.yaml"));
    const file = hostile.write("s.yaml", files("zero.yaml"));
    expect(await refusal(file, ["--allow-path", "/dev"])).toEqual(
      refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${join(hostile.folder, "zero.yaml")} is not a regular file`),
    );
  });

  test("a FIFO is refused as not a regular file, without waiting for a writer", async () => {
    const hostile = hostileFolder();
    execFileSync("mkfifo", [join(hostile.folder, "fifo.yaml")]);
    const file = hostile.write("s.yaml", files("fifo.yaml"));
    expect(await refusal(file)).toEqual(refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${join(hostile.folder, "fifo.yaml")} is not a regular file`));
  });

  test("a folder as a pcap is refused as not a regular file", async () => {
    const hostile = hostileFolder();
    mkdirSync(join(hostile.folder, "folder.pcap"));
    const file = hostile.write("s.yaml", withCapture("folder.pcap"));
    expect(await refusal(file)).toEqual(
      refusedWith(file, PCAP_LINE, `packets[0] "capture": field "pcap": ${join(hostile.folder, "folder.pcap")} is not a regular file`),
    );
  });

  test("a pcap with no packets is refused", async () => {
    const hostile = hostileFolder();
    hostile.write("empty.pcap", EMPTY_PCAP);
    const file = hostile.write("s.yaml", withCapture("empty.pcap"));
    expect(await refusal(file)).toEqual(
      refusedWith(file, PCAP_LINE, `packets[0] "capture": field "pcap": ${join(hostile.folder, "empty.pcap")} holds no packets`),
    );
  });

  test("a file past 16 MiB is refused by its size, before it is read", async () => {
    const hostile = hostileFolder();
    hostile.write("big.yaml", "");
    truncateSync(join(hostile.folder, "big.yaml"), 17 * 1024 * 1024);
    const file = hostile.write("s.yaml", files("big.yaml"));
    expect(await refusal(file)).toEqual(
      refusedWith(
        file,
        APPENDED_LINE,
        `field "spec.files[0]": ${join(hostile.folder, "big.yaml")} has 17825792 bytes, more than the 16777216 a scenario's file may have`,
      ),
    );
  });

  test("a symlink loop is refused as unreadable", async () => {
    const hostile = hostileFolder();
    symlinkSync("b.yaml", join(hostile.folder, "a.yaml"));
    symlinkSync("a.yaml", join(hostile.folder, "b.yaml"));
    const file = hostile.write("s.yaml", files("a.yaml"));
    expect(await refusal(file)).toEqual(refusedWith(file, APPENDED_LINE, `field "spec.files[0]": ${join(hostile.folder, "a.yaml")} cannot be read (ELOOP)`));
  });
});

test("in JSON, a path refusal is an error object with the file, line, field and message, and no canary", async () => {
  const hostile = hostileFolder();
  symlinkSync(join(hostile.canaries, "secret.yaml"), join(hostile.folder, "link.yaml"));
  const file = hostile.write("s.yaml", files("link.yaml"));
  const run = await ebbflow(["scenario", "run", "--output", "json", file]);
  expect(run.status).toBe(2);
  expect(run.stderr).toBe("");
  expect(run.stdout).not.toContain(MARKER);
  const message = `${file}:${APPENDED_LINE}: field "spec.files[0]": ${outside(join(hostile.folder, "link.yaml"), hostile.shown)}`;
  expect(JSON.parse(run.stdout)).toEqual({ kind: "error", file, line: APPENDED_LINE, field: "spec.files[0]", message });
});
