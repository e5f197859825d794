// Short byte strings (map keys and values) as Map keys and compared, without
// an ArrayBuffer: a small Uint8Array lives on V8's heap until something asks
// for its .buffer (Buffer.from(bytes.buffer), a DataView, Buffer.compare),
// which then gives it a backing store of its own. At a cluster's million map
// entries that bookkeeping, not the bytes, was the cost.

/** A string with one character per byte. */
export function bytesKey(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
