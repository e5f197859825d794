/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reserved security identities (Cilium's numbers, pkg/identity/numericidentity.go). */
#pragma once

#include "abi.h"

enum reserved_identity {
	IDENTITY_UNKNOWN = 0, /* not (yet) known: in events */
	IDENTITY_ANY = 0,     /* in policy keys: any peer */
	IDENTITY_HOST = 1,
	IDENTITY_WORLD = 2,   /* what an ipcache miss resolves to */
};
ABI_TYPE(enum reserved_identity, reserved_identity);
