// eb_ipcache (bpf/lib/ipcache.h): an LPM key of a prefix, a value of an identity and its node.

import type { IPv4Prefix } from "../util/ipv4.ts";
import { IpcacheFamily, IpcacheKeyLayout, IpcachePrefix, IpcacheValueLayout } from "./generated.ts";
import { StructBytes } from "./struct.ts";

export interface IpcacheValue {
  identity: number;
  /** The node hosting the address when it is another node, else 0. */
  tunnelEndpoint: number;
}

/** `struct ipcache_key`: prefixlen IPCACHE_PREFIX_BASE + N, cluster_id 0, family IPv4, the address first in addr. */
export function encodeIpcacheKey(prefix: IPv4Prefix): Uint8Array {
  return new StructBytes(IpcacheKeyLayout)
    .set("prefixlen", IpcachePrefix.IPCACHE_PREFIX_BASE + prefix.length)
    .set("family", IpcacheFamily.IPCACHE_FAMILY_IPV4)
    .setAddress("addr", prefix.address).bytes;
}

export function decodeIpcacheKey(bytes: Uint8Array): IPv4Prefix {
  const key = new StructBytes(IpcacheKeyLayout, bytes);
  return { address: key.getAddress("addr"), length: key.get("prefixlen") - IpcachePrefix.IPCACHE_PREFIX_BASE };
}

/** `struct ipcache_value`: encrypt_key and flags 0. */
export function encodeIpcacheValue(value: IpcacheValue): Uint8Array {
  return new StructBytes(IpcacheValueLayout).set("sec_identity", value.identity).setAddress("tunnel_endpoint", value.tunnelEndpoint).bytes;
}

export function decodeIpcacheValue(bytes: Uint8Array): IpcacheValue {
  const value = new StructBytes(IpcacheValueLayout, bytes);
  return { identity: value.get("sec_identity"), tunnelEndpoint: value.getAddress("tunnel_endpoint") };
}
