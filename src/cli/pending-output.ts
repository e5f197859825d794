// One scenario file's report while it is replayed: a refused file prints its
// refusal instead of its attempts (SCENARIOS.md), so nothing of a file is
// written before its replay ends. Past SPILL_CHARS the text waits in a
// temporary file, so that a long replay's report (JSON flows are ~9 KB an
// attempt) does not have to fit in memory.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** Characters kept in memory before the pending text moves to a file. */
const SPILL_CHARS = 16 * 1024 * 1024;
/** Bytes read back at a time when the text is written out. */
const READ_CHUNK = 1024 * 1024;

export class PendingOutput {
  private chunks: string[] = [];
  private chars = 0;
  private spill: { dir: string; fd: number } | undefined;

  /** `spillChars`: how much waits in memory before the file is used. */
  constructor(private readonly spillChars = SPILL_CHARS) {}

  add(text: string): void {
    this.chunks.push(text);
    this.chars += text.length;
    if (this.chars >= this.spillChars) this.moveToFile();
  }

  /**
   * Writes everything added, in order, and empties the buffer. Text read back
   * from the file goes out a chunk at a time, each after `drained()` says the
   * last has left (stdout to a pipe is asynchronous: queued without waiting,
   * a gigabyte would sit in memory and end in ENOBUFS).
   */
  async commit(write: (text: string) => void, drained: () => Promise<void>): Promise<void> {
    if (this.spill) {
      this.moveToFile();
      const decoder = new StringDecoder("utf8");
      const buffer = Buffer.alloc(READ_CHUNK);
      for (let position = 0, read; (read = readSync(this.spill.fd, buffer, 0, READ_CHUNK, position)) > 0; position += read) {
        write(decoder.write(buffer.subarray(0, read)));
        await drained();
      }
      write(decoder.end());
    } else if (this.chunks.length > 0) {
      write(this.chunks.join(""));
    }
    this.discard();
  }

  /** Drops everything added (the file was refused). */
  discard(): void {
    this.chunks = [];
    this.chars = 0;
    if (this.spill) {
      closeSync(this.spill.fd);
      rmSync(this.spill.dir, { recursive: true, force: true });
      this.spill = undefined;
    }
  }

  private moveToFile(): void {
    if (!this.spill) {
      const dir = mkdtempSync(join(tmpdir(), "ebbflow-report-"));
      this.spill = { dir, fd: openSync(join(dir, "report"), "w+") };
    }
    writeSync(this.spill.fd, this.chunks.join(""));
    this.chunks = [];
    this.chars = 0;
  }
}
