// The datapath's seeded hash (bpf/lib/hash.h: MurmurHash3 x86 32-bit) in
// TypeScript, for the Maglev permutations and for tests that predict which
// table slot a connection lands in. Same seed, same numbers as the BPF code.

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `hash_3words(a, b, c)` under `hash_seed` = seed. */
export function hash3Words(seed: number, a: number, b: number, c: number): number {
  return finish(mix(mix(mix(seed | 0, a), b), c), 12);
}

/** MurmurHash3 of a string's UTF-8 bytes: the Maglev permutation of a backend's name. */
export function hashString(seed: number, text: string): number {
  const bytes = Buffer.from(text, "utf8");
  let h = seed | 0;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) h = mix(h, bytes.readUInt32LE(i));
  let tail = 0;
  for (let i = bytes.length - 1; i >= whole; i--) tail = (tail << 8) | bytes[i];
  if (bytes.length > whole) {
    tail = Math.imul(tail, 0xcc9e2d51);
    tail = (tail << 15) | (tail >>> 17);
    h ^= Math.imul(tail, 0x1b873593);
  }
  return finish(h, bytes.length);
}
