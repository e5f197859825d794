// The helpers fixture (test/fixtures/vm/helpers.c) as a differential group:
// every program in turn, on frames whose payload carries the helpers'
// arguments (see `struct args` in the C source), drawn so that valid and
// invalid offsets, lengths, sizes, flags and keys all come up.

import { fileURLToPath } from "node:url";
import type { Group, Packet } from "./harness.ts";
import type { Random } from "./random.ts";
import type { Entry } from "./traffic.ts";

export const HELPERS_OBJECT = fileURLToPath(new URL("../../fixtures/vm/helpers.o", import.meta.url));

const ETH_HLEN = 14;
const ARGS_AT = ETH_HLEN;
const ARGS_WORDS = 8;
const RESULTS_AT = ARGS_AT + ARGS_WORDS * 8;
const RESULTS_BYTES = 6 * 8;
/** The longest frame a tc test run takes is 3712 bytes, an XDP one 3520: stay under both. */
const LONGEST = 1600;

type Args = bigint[];

const TWO_32 = 1n << 32n;
const u64 = (value: bigint) => BigInt.asUintN(64, value);
const word32 = (random: Random) => BigInt(random.below(2 ** 32));
const word64 = (random: Random) => (word32(random) << 32n) | word32(random);

/** A frame length: mostly long enough for the arguments and the results, sometimes not. */
function frameLength(random: Random): number {
  if (random.chance(0.08)) return ETH_HLEN + random.below(RESULTS_AT + RESULTS_BYTES - ETH_HLEN);
  if (random.chance(0.1)) return RESULTS_AT + RESULTS_BYTES + random.below(LONGEST - RESULTS_AT - RESULTS_BYTES);
  return RESULTS_AT + RESULTS_BYTES + random.below(300);
}

/** An offset for `width` bytes of a `length`-byte frame: inside, at the edges, past the end, or with high bits the kernel ignores. */
function offset(random: Random, length: number, width: number): bigint {
  switch (random.below(8)) {
    case 0:
    case 1:
    case 2:
      return BigInt(random.below(length + 8));
    case 3:
      return BigInt(Math.max(0, length - width + random.below(5) - 2));
    case 4:
      return TWO_32 * BigInt(1 + random.below(4)) + BigInt(random.below(length));
    case 5:
      return BigInt(random.pick([0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0xfffe, 0x10000, 0x10001]));
    case 6:
      return word32(random);
    default:
      return word64(random);
  }
}

function pickFlags(random: Random, usual: readonly bigint[], invalid: readonly bigint[]): bigint {
  if (random.chance(0.15)) return random.pick(invalid);
  if (random.chance(0.05)) return word64(random);
  return random.pick(usual);
}

/** A 16- or 32-bit value or a full word, as from/to of the checksum helpers. */
function fieldValue(random: Random): bigint {
  return random.pick([() => BigInt(random.below(0x10000)), () => word32(random), () => word64(random), () => 0n])();
}

/** Checksum offsets land inside the frame and even far more often than a plain offset() would. */
function checksumOffset(random: Random, length: number): bigint {
  if (random.chance(0.6)) return BigInt(random.below(Math.max(1, length - 1)) & ~(random.chance(0.85) ? 1 : 0));
  return offset(random, length, 2);
}

const CSUM_SIZES = [0n, 2n, 4n, 2n, 4n, 1n, 3n, 8n, 15n];
const BPF_F_PSEUDO_HDR = 0x10n;
const BPF_F_MARK_MANGLED_0 = 0x20n;
const BPF_F_MARK_ENFORCE = 0x40n;
const BPF_F_IPV6 = 0x80n;

function checksumArgs(random: Random, length: number, l4: boolean): { args: Args; zeroField: boolean } {
  let flags = random.pick(CSUM_SIZES);
  if (l4) {
    for (const bit of [BPF_F_PSEUDO_HDR, BPF_F_MARK_MANGLED_0, BPF_F_MARK_ENFORCE, BPF_F_IPV6]) if (random.chance(0.35)) flags |= bit;
  }
  if (random.chance(0.1)) flags |= random.pick([0x10n, 0x100n, 0x8000n, TWO_32]);
  const from = (flags & 0xfn) === 0n && random.chance(0.8) ? 0n : fieldValue(random);
  return { args: [checksumOffset(random, length), from, fieldValue(random), flags], zeroField: random.chance(0.3) };
}

const ITEMS: Record<string, (random: Random, length: number) => { args: Args; zeroField?: boolean; ip?: boolean }> = {
  load_bytes: (random, length) => {
    const width = 1 + random.below(64);
    return { args: [offset(random, length, width), BigInt(width - 1) | (word32(random) << 6n)] };
  },
  store_bytes: (random, length) => {
    const width = 1 + random.below(32);
    const flags = pickFlags(random, [0n, 1n, 2n, 3n], [4n, 8n, 0x10n, TWO_32]);
    return { args: [offset(random, length, width), BigInt(width - 1), flags, 0n, word64(random), word64(random), word64(random), word64(random)] };
  },
  l3_csum: (random, length) => checksumArgs(random, length, false),
  l4_csum: (random, length) => checksumArgs(random, length, true),
  csum_diff: (random) => {
    const size = (max: number) => BigInt(random.pick([0, 4 * random.below(max / 4 + 1), random.below(max + 1), max, random.below(1024)]));
    const seed = random.pick([0n, word32(random), word64(random), 0xffffffffn, 0xffffn]);
    return { args: [size(504), size(512), seed, word64(random), BigInt(random.below(8))] };
  },
  redirect: (random) => ({ args: redirectArgs(random) }),
  xdp_redirect: (random) => ({ args: redirectArgs(random) }),
  ringbuf: (random) => {
    const commit = () => BigInt(random.below(2)) | (random.pick([0n, 0n, 1n, 2n, 3n, 4n]) << 1n);
    const reserveFlags = random.chance(0.8) ? 0n : BigInt(1 + random.below(3));
    const queryFlags = random.pick([0n, 1n, 2n, 3n, 4n, 7n, TWO_32, word64(random)]);
    return {
      args: [
        BigInt(random.below(8)),
        random.chance(0.3) ? 8n : BigInt(random.below(8)),
        reserveFlags,
        BigInt(random.below(2)),
        commit() | (commit() << 8n),
        queryFlags,
        BigInt(random.below(128)),
        pickFlags(random, [0n, 1n, 2n, 3n], [4n, 8n, TWO_32]),
      ],
    };
  },
  hash_ops: (random) => ({ args: mapArgs(random) }),
  lru_ops: (random) => ({ args: mapArgs(random) }),
  array_ops: (random) => ({ args: mapArgs(random) }),
  percpu_ops: (random) => ({ args: mapArgs(random) }),
  lpm_ops: (random) => ({ args: mapArgs(random) }),
  tail_entry: (random) => ({
    args: [random.pick([0n, 1n, 2n, 3n, 4n, 1000n, TWO_32, TWO_32 + 2n, 0xffffffffn, word64(random)])],
  }),
  adjust_room: (random) => {
    const call = (): Args => [adjustRoomLength(random), adjustRoomMode(random), adjustRoomFlags(random)];
    return { args: [...call(), ...call()], ip: true };
  },
  tail_target: () => ({ args: [] }),
  tail_loop: (random) => ({ args: [0n, BigInt(random.below(4)), BigInt(random.below(4))] }),
};

/** bpf_skb_adjust_room's len_diff (an s32 in a full register): room for an IPv4 option, headers, the limits, junk. */
function adjustRoomLength(random: Random): bigint {
  const usual = [8n, 8n, -8n, 0n, 4n, -4n, 20n, -20n, 40n, -40n, 1n, -1n, 0xfffn, 0x1000n, -0xfffn, -0x1000n, -0x80000000n];
  if (random.chance(0.1)) return word64(random);
  if (random.chance(0.1)) return BigInt(random.below(0x1000)) * (random.chance(0.5) ? -1n : 1n);
  return random.pick(usual);
}

/** BPF_ADJ_ROOM_NET (0) mostly, BPF_ADJ_ROOM_MAC (1), and modes the kernel refuses. */
function adjustRoomMode(random: Random): bigint {
  return random.pick([0n, 0n, 0n, 1n, 1n, 2n, 0xffffffffn, TWO_32, TWO_32 + 1n]);
}

/**
 * Flags with an effect on the packet alone: none, FIXED_GSO, NO_CSUM_RESET,
 * and encapsulation bits without an L3 one (which grow as plain room and
 * make a shrink -EINVAL); a decapsulation with a grow, or both at once
 * (-EINVAL); unknown bits. Encapsulations and decapsulations that succeed
 * change skb metadata the VM refuses to guess (a fault), so none is drawn.
 */
function adjustRoomFlags(random: Random): bigint {
  const FIXED_GSO = 1n,
    L4_GRE = 8n,
    L4_UDP = 16n,
    NO_CSUM_RESET = 32n,
    L2_ETH = 64n,
    DECAP_BOTH = 0x180n;
  return random.pick([
    0n,
    0n,
    0n,
    FIXED_GSO,
    NO_CSUM_RESET,
    FIXED_GSO | NO_CSUM_RESET,
    L4_GRE,
    L4_UDP,
    L2_ETH,
    14n << 56n,
    DECAP_BOTH,
    1n << 9n,
    1n << 20n,
    TWO_32,
  ]);
}

function redirectArgs(random: Random): Args {
  const ifindex = random.pick([1n, 2n, 0n, word32(random), word64(random)]);
  const flags = pickFlags(random, [0n, 1n], [2n, 3n, 1n << 16n, 1n << 17n, 1n << 18n, TWO_32, TWO_32 | 1n]);
  return [ifindex, flags];
}

/** Three operations (see MAP_OPS in helpers.c): operation, key, flags; then the index and CPU percpu_ops reads. */
function mapArgs(random: Random): Args {
  const operation = () => {
    const flags = BigInt(random.below(16)) | (random.chance(0.1) ? word32(random) << 4n : 0n);
    return BigInt(random.below(4)) | (BigInt(random.below(256)) << 2n) | (flags << 10n) | (BigInt(random.below(2)) << 14n);
  };
  const cpu = random.pick([0n, 1n, 2n, 3n, 0xffffffffn, TWO_32, TWO_32 + 1n, word64(random)]);
  return [operation(), operation(), operation(), BigInt(random.below(256)), word64(random), word64(random), word64(random), cpu];
}

/** Ethernet, then the arguments, then random bytes. */
function frame(random: Random, length: number, args: Args, ip = false): Uint8Array {
  const bytes = random.bytes(length);
  const etherType = length >= 34 && random.chance(ip ? 0.85 : 0.2) ? random.pick([0x0800, 0x86dd]) : random.pick([0x88b5, 0x0806, 0x8100]);
  if (length < 54 && etherType === 0x86dd) bytes.set([0x88, 0xb5], 12);
  else bytes.set([etherType >> 8, etherType & 0xff], 12);
  const words = new DataView(new ArrayBuffer(ARGS_WORDS * 8));
  args.forEach((value, i) => words.setBigUint64(i * 8, u64(value), true));
  const payload = new Uint8Array(words.buffer).subarray(0, Math.max(0, length - ARGS_AT));
  bytes.set(payload, ARGS_AT);
  return bytes;
}

export const HELPER_PROGRAMS = Object.keys(ITEMS);

const u32Key = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u64Value = (random: Random) => {
  const value = new DataView(new ArrayBuffer(8));
  value.setBigUint64(0, word64(random), true);
  return new Uint8Array(value.buffer);
};

function mapContents(random: Random): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0, n = random.below(7); i < n; i++) entries.push({ map: "eb_hash", key: u32Key(random.below(16)), value: u64Value(random) });
  for (let i = 0, n = random.below(20); i < n; i++) entries.push({ map: "eb_lru", key: u32Key(random.below(32)), value: u64Value(random) });
  for (let i = 0; i < 8; i++) entries.push({ map: "eb_array", key: u32Key(i), value: u64Value(random) });
  for (let i = 0; i < 4; i++) entries.push({ map: "eb_percpu", key: u32Key(i), value: u64Value(random) });
  for (let i = 0, n = random.below(6); i < n; i++) {
    const key = Uint8Array.from([random.below(33), 0, 0, 0, 10, 1, random.below(4), random.below(4) << 6]);
    entries.push({ map: "eb_lpm", key, value: u64Value(random) });
  }
  entries.push({ map: "eb_scratch", key: u32Key(0), value: new Uint8Array(1024) });
  return entries;
}

/**
 * The group, every program (or those named) in turn, so each gets the same
 * number of packets; a fresh one per comparison, since the turn is its state.
 */
export function helpersGroup(programs: readonly string[] = HELPER_PROGRAMS): Group {
  let turn = 0;
  return {
    name: "helpers",
    objects: [
      {
        file: HELPERS_OBJECT,
        variables: {},
        tailCalls: { 0: "tail_target", 2: "tail_loop" },
        maps: ["eb_hash", "eb_lru", "eb_array", "eb_percpu", "eb_lpm", "eb_scratch"],
        kept: ["eb_array", "eb_percpu", "eb_scratch"],
      },
    ],
    contents: (random) => mapContents(random).map((entry) => ({ object: 0, entry })),
    packet(random): Packet {
      const program = programs[turn++ % programs.length];
      const length = frameLength(random);
      const { args, zeroField, ip } = ITEMS[program](random, length);
      const bytes = frame(random, length, args, ip);
      // A zero checksum field for BPF_F_MARK_MANGLED_0, where it does not overwrite the arguments.
      const field = Number(args[0] ?? 0n);
      if (zeroField && field + 2 <= length && (field + 2 <= ARGS_AT || field >= RESULTS_AT)) bytes.fill(0, field, field + 2);
      const args0 = args.length ? `a0=${u64(args[0]).toString(16)}` : "";
      return { object: 0, program, frame: bytes, description: `${length} bytes ${args0}` };
    },
  };
}
