// Names Kubernetes generates at random (a Deployment's pod-template-hash and
// its pods' 5-character suffixes), derived here from the run's seed so that
// the same file and seed always name the same pods.

/** Kubernetes' alphabet for generated names (k8s.io/apimachinery/pkg/util/rand): no vowels, no look-alikes. */
const alphabet = "bcdfghjklmnpqrstvwxz2456789";

/** FNV-1a over the seed and the text, then a murmur3 finaliser: a 32-bit value. */
export function seededHash(seed: number, text: string): number {
  let hash = 0x811c9dc5;
  const input = `${seed}\u0000${text}`;
  for (let index = 0; index < input.length; index++) {
    hash ^= input.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A pod-template-hash as Kubernetes writes it: the decimal hash, each digit safe-encoded. */
export function podTemplateHash(seed: number, text: string): string {
  return [...String(seededHash(seed, text))].map((digit) => alphabet[digit.charCodeAt(0) % alphabet.length]).join("");
}

/** A 5-character suffix, as generateName appends. */
export function nameSuffix(seed: number, text: string): string {
  let value = seededHash(seed, text);
  let suffix = "";
  for (let index = 0; index < 5; index++) {
    suffix += alphabet[value % alphabet.length];
    value = Math.floor(value / alphabet.length) ^ seededHash(seed, `${text}/${index}`);
    value >>>= 0;
  }
  return suffix;
}

/** JSON with object keys sorted, so that equal templates hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
