// `cilium-dbg bpf lb list`, read from the bytes of a node's eb_lb4_services
// and eb_lb4_backends entries: one line per slot, the service address in the
// first column of its first line, slot 0 as `0.0.0.0:0` with the service's
// flags, as cilium-dbg prints them.

import type { MapEntry } from "../datapath/datapath.ts";
import { formatIPv4, readIPv4 } from "../../util/ipv4.ts";
import { SCOPE, SERVICE_FLAGS, SERVICE_FLAGS2 } from "./lb-maps.ts";

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: "TCP", 17: "UDP", 132: "SCTP" };

const address = (bytes: Uint8Array, offset: number) => formatIPv4(readIPv4(bytes, offset));
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** cilium-dbg's words for a service's flags. */
function flagWords(flags: number, flags2: number): string {
  const words: string[] = [];
  if (flags & SERVICE_FLAGS.nodePort) words.push("NodePort");
  else if (flags & SERVICE_FLAGS.loadBalancer) words.push("LoadBalancer");
  else if (flags & SERVICE_FLAGS.externalIP) words.push("ExternalIPs");
  else words.push("ClusterIP");
  if (flags & SERVICE_FLAGS.externalLocalScope) words.push("Local");
  if (flags2 & SERVICE_FLAGS2.internalLocalScope) words.push("InternalLocal");
  if (flags & SERVICE_FLAGS.affinity) words.push("sessionAffinity");
  if (!(flags & SERVICE_FLAGS.routable)) words.push("non-routable");
  if (flags2 & SERVICE_FLAGS2.twoScopes) words.push("two-scopes");
  return words.join(", ");
}

export function formatLbList(services: readonly MapEntry[], backends: readonly MapEntry[]): string {
  const backendById = new Map(
    backends.map(({ key, value }) => [
      view(key).getUint32(0, true),
      `${address(value, 0)}:${view(value).getUint16(4, false)}/${PROTOCOL_NAMES[value[6]] ?? value[6]}`,
    ]),
  );
  const frontends = new Map<string, { slot: number; line: string }[]>();
  for (const { key, value } of services) {
    const frontend = `${address(key, 0)}:${view(key).getUint16(4, false)}/${PROTOCOL_NAMES[key[8]] ?? key[8]}${key[9] === SCOPE.internal ? "/i" : ""}`;
    const slot = view(key).getUint16(6, true);
    const revNat = view(value).getUint16(6, true);
    const line =
      slot === 0
        ? `0.0.0.0:0 (${revNat}) (0) [${flagWords(value[8], value[9])}]`
        : `${backendById.get(view(value).getUint32(0, true)) ?? `backend ${view(value).getUint32(0, true)} (missing)`} (${revNat}) (${slot})`;
    frontends.set(frontend, [...(frontends.get(frontend) ?? []), { slot, line }]);
  }
  const rows: [string, string][] = [["SERVICE ADDRESS", "BACKEND ADDRESS (REVNAT_ID) (SLOT)"]];
  const order = [...frontends.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  for (const frontend of order) {
    const lines = frontends.get(frontend)!.sort((a, b) => (a.slot === 0 ? 1 : b.slot === 0 ? -1 : a.slot - b.slot));
    lines.forEach(({ line }, index) => rows.push([index === 0 ? frontend : "", line]));
  }
  const width = Math.max(...rows.map(([first]) => first.length)) + 3;
  return rows.map(([first, second]) => (first.padEnd(width) + second).trimEnd()).join("\n") + "\n";
}
