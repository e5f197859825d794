// Flow UUIDs that replay identically: the n-th flow of a run with a given
// seed always has the same UUID. Formatted as a version 4 UUID, as Hubble's
// (google/uuid NewRandom) are, with the random bits taken from a hash.

import { createHash } from "node:crypto";

export function flowUuid(seed: number, counter: number): string {
  const bytes = createHash("sha256").update(`ebbflow-flow-uuid:${seed}:${counter}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
