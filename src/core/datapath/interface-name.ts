// The name of a pod's host-side interface: the kernel backend gives its veth
// this name and the flow resolver reports it, so both read it from here.

/** Cilium names a pod's host-side veth "lxc" and a hash; ours is of the pod's name. */
export function podInterfaceName(endpoint: string): string {
  let hash = 0x811c9dc5;
  for (const char of endpoint) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `lxc${hash.toString(16).padStart(8, "0")}`;
}
