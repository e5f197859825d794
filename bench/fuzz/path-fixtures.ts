// The hostile file system a path mutant's `files:` or `pcap:` points into:
// canary files outside the mutant's folder (each holding the run's marker,
// which must never appear in the output), and inside the folder symlinks out
// of it, a symlink loop, FIFOs, links to /dev/zero and /proc/self/environ, a
// file past the size limit, a folder named like a capture, and captures that
// are empty, truncated or garbage.

import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A pcap global header (LINKTYPE_ETHERNET, snapshot length `snaplen`) and, when given, one record per frame. */
export function pcap(frames: readonly Uint8Array[], snaplen = 65535): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((frame) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  return Buffer.concat([header, ...records]);
}

/** The canaries, under `folder` (outside every mutant's folder), each holding `marker`. */
export function layCanaries(folder: string, marker: string): void {
  mkdirSync(join(folder, "dir"), { recursive: true });
  // Named so that, read as a manifest, the marker would be printed as an ignored object's name.
  const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${marker}, namespace: default}\ndata: {secret: ${marker}}\n`;
  writeFileSync(join(folder, "secret.yaml"), manifest);
  writeFileSync(join(folder, "dir", "secret.yaml"), manifest);
  writeFileSync(join(folder, "shadow"), `root:$6$${marker}$:19000:0:99999:7:::\n`);
  const frame = Buffer.alloc(64);
  frame.write(marker, 14, "latin1");
  writeFileSync(join(folder, "secret.pcap"), pcap([frame]));
}

/** What a path mutant may name: relative to its folder (canaries two levels up), absolute, and the fixtures beside it. */
export function pathTargets(canaries: string): string[] {
  const outside = ["secret.yaml", "secret.pcap", "dir", "dir/secret.yaml", "shadow"];
  return [
    ...outside.map((name) => `../../canary/${name}`),
    ...outside.map((name) => join(canaries, name)),
    "sub/../../../canary/secret.yaml",
    "..",
    "../",
    ".",
    "",
    "scenario.yaml",
    "link-secret.yaml",
    "link-secret.pcap",
    "link-dir",
    "link-dir/secret.yaml",
    "link-shadow",
    "sub",
    "sub/leak.yaml",
    "loop-a.yaml",
    "dangling.yaml",
    "fifo.yaml",
    "fifo.pcap",
    "zero.yaml",
    "environ.yaml",
    "big.yaml",
    "big15.yaml",
    "empty.pcap",
    "garbage.pcap",
    "truncated.pcap",
    "dir.pcap",
    "empty-dir",
    "missing.yaml",
    "nul\u0000byte.yaml",
    "x".repeat(5000),
    "~/.ssh/id_rsa",
    "file:///etc/passwd",
    "/etc/shadow",
    "/etc/passwd",
    "/proc/self/environ",
    "/proc/self/fd/0",
    "/proc/self/mem",
    "/dev/zero",
    "/dev/stdin",
    "/dev/urandom",
    "/dev/null",
    "/",
    "/root",
    "/sys/kernel/mm/transparent_hugepage/enabled",
  ];
}

/** The fixtures beside a path mutant, in its folder. */
export function layPathFixtures(folder: string, canaries: string): void {
  mkdirSync(join(folder, "sub"));
  mkdirSync(join(folder, "empty-dir"));
  mkdirSync(join(folder, "dir.pcap"));
  writeFileSync(join(folder, "sub", "app.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: fuzz}\n");
  symlinkSync(join(canaries, "secret.yaml"), join(folder, "sub", "leak.yaml"));
  symlinkSync(join(canaries, "secret.yaml"), join(folder, "link-secret.yaml"));
  symlinkSync(join(canaries, "secret.pcap"), join(folder, "link-secret.pcap"));
  symlinkSync(join(canaries, "dir"), join(folder, "link-dir"));
  symlinkSync(join(canaries, "shadow"), join(folder, "link-shadow"));
  symlinkSync("loop-b.yaml", join(folder, "loop-a.yaml"));
  symlinkSync("loop-a.yaml", join(folder, "loop-b.yaml"));
  symlinkSync("nowhere.yaml", join(folder, "dangling.yaml"));
  symlinkSync("/dev/zero", join(folder, "zero.yaml"));
  symlinkSync("/proc/self/environ", join(folder, "environ.yaml"));
  execFileSync("mkfifo", [join(folder, "fifo.yaml"), join(folder, "fifo.pcap")]);
  // Sparse: past the 16 MiB a file may have, and just under it.
  writeFileSync(join(folder, "big.yaml"), "");
  truncateSync(join(folder, "big.yaml"), 17 * 1024 * 1024);
  writeFileSync(join(folder, "big15.yaml"), "");
  truncateSync(join(folder, "big15.yaml"), 15 * 1024 * 1024);
  writeFileSync(join(folder, "empty.pcap"), pcap([]));
  writeFileSync(join(folder, "truncated.pcap"), pcap([Buffer.alloc(60)]).subarray(0, 50));
  writeFileSync(join(folder, "garbage.pcap"), Buffer.from("this is no capture at all, just text\n"));
}
