// eb_ipcache (bpf/lib/ipcache.h): an LPM trie from address prefixes to the
// identity behind them and, for a pod of another node, that node.

import { structCodec } from "./codec.ts";
import { IpcacheKeyLayout, IpcacheValueLayout } from "./generated.ts";

/**
 * `struct ipcache_key`. prefixLength counts the LPM bits the key fixes, the
 * IPCACHE_PREFIX_BASE bits of cluster_id, pad and family included; family is
 * IPCACHE_FAMILY_*; an IPv4 address fills addr's first word, the rest is 0.
 */
export const ipcacheKey = structCodec(IpcacheKeyLayout, {
  prefixLength: ["prefixlen", "uint"],
  clusterId: ["cluster_id", "uint"],
  family: ["family", "uint"],
  address: ["addr", "address"],
});

/** `struct ipcache_value`: tunnelEndpoint is the node hosting the address when it is another node, else 0. */
export const ipcacheValue = structCodec(IpcacheValueLayout, {
  identity: ["sec_identity", "uint"],
  tunnelEndpoint: ["tunnel_endpoint", "address"],
  encryptKey: ["encrypt_key", "uint"],
  flags: ["flags", "uint"],
});
