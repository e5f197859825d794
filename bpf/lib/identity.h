/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Reserved security identities (Cilium's numbers, pkg/identity/numericidentity.go). */
#pragma once

#define IDENTITY_UNKNOWN 0 /* not (yet) known: in events */
#define IDENTITY_ANY 0     /* in policy keys: any peer */
#define IDENTITY_HOST 1
#define IDENTITY_WORLD 2   /* what an ipcache miss resolves to */
