/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A seeded hash for choices that must be the same in the kernel and the VM
 * (backend selection): never bpf_get_prandom_u32. */
#pragma once

#include "common.h"

/* Seed of every such choice, set at load time. */
volatile const __u32 hash_seed = 0;

static __always_inline __u32 hash_mix(__u32 h, __u32 word)
{
	word *= 0xcc9e2d51;
	word = (word << 15) | (word >> 17);
	word *= 0x1b873593;
	h ^= word;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64;
}

/* MurmurHash3 (x86, 32-bit) of three words under hash_seed. A subprogram
 * rather than inline: one copy serves every caller. */
static __noinline __u32 hash_3words(__u32 a, __u32 b, __u32 c)
{
	__u32 h = hash_seed;

	h = hash_mix(h, a);
	h = hash_mix(h, b);
	h = hash_mix(h, c);
	h ^= 12;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}
