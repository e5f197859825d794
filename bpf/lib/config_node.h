/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-node configuration: .rodata constants the loader sets by name before
 * load, as Cilium writes its node_config.h. Addresses are in network byte
 * order (the four address bytes as on the wire). */
#pragma once

/* The node's IPv4 address. */
volatile const __be32 node_ipv4 = 0;
