// The service maps (bpf/lib/lb.h): eb_lb4_services, eb_lb4_backends,
// eb_lb4_maglev and eb_lb4_reverse_nat, keyed by service slot, backend ID
// and service ID (rev_nat_index).

import { Lb4BackendLayout, Lb4BackendRefLayout, Lb4KeyLayout, Lb4MaglevTableLayout, Lb4ReverseNatLayout, Lb4ServiceLayout, Maps } from "./generated.ts";
import { StructBytes } from "./struct.ts";

/** lb4_backend.flags: the backend's state. */
export const BACKEND_ACTIVE = 0;
export const BACKEND_TERMINATING = 1;

/** An address and port, with the protocol where the struct has one. */
export interface Lb4Address {
  address: number;
  port: number;
}

export interface Lb4Key extends Lb4Address {
  protocol: number;
  /** 0: the service; 1..count: a backend. */
  slot: number;
  /** LB_SCOPE_* */
  scope: number;
}

export interface Lb4Service {
  /** Slots 1..count: the backend; slot 0: the affinity timeout in seconds. */
  backendId: number;
  /** Slot 0: the number of backend slots. */
  count: number;
  revNatIndex: number;
  /** SVC_FLAG_* */
  flags: number;
  /** SVC_FLAG2_* */
  flags2: number;
}

export interface Lb4Backend extends Lb4Address {
  protocol: number;
  terminating: boolean;
}

/** A Maglev table's entry: a backend's ID, address and port. */
export interface Lb4BackendRef extends Lb4Address {
  backendId: number;
}

/** Entries per Maglev table (LB_MAGLEV_TABLE_SIZE), from the table's size in BTF. */
export const MAGLEV_TABLE_SIZE = Lb4MaglevTableLayout.fields.entries.size / Lb4BackendRefLayout.size;

/** `struct lb4_key`. */
export function encodeServiceKey(key: Lb4Key): Uint8Array {
  return new StructBytes(Lb4KeyLayout)
    .setAddress("address", key.address)
    .setPort("dport", key.port)
    .set("backend_slot", key.slot)
    .set("proto", key.protocol)
    .set("scope", key.scope).bytes;
}

export function decodeServiceKey(bytes: Uint8Array): Lb4Key {
  const key = new StructBytes(Lb4KeyLayout, bytes);
  return { address: key.getAddress("address"), port: key.getPort("dport"), slot: key.get("backend_slot"), protocol: key.get("proto"), scope: key.get("scope") };
}

/** `struct lb4_service`. */
export function encodeServiceValue(service: Lb4Service): Uint8Array {
  return new StructBytes(Lb4ServiceLayout)
    .set("backend_id", service.backendId)
    .set("count", service.count)
    .set("rev_nat_index", service.revNatIndex)
    .set("flags", service.flags)
    .set("flags2", service.flags2).bytes;
}

export function decodeServiceValue(bytes: Uint8Array): Lb4Service {
  const value = new StructBytes(Lb4ServiceLayout, bytes);
  return { backendId: value.get("backend_id"), count: value.get("count"), revNatIndex: value.get("rev_nat_index"), flags: value.get("flags"), flags2: value.get("flags2") };
}

/** `struct lb4_backend`. */
export function encodeBackend(backend: Lb4Backend): Uint8Array {
  return new StructBytes(Lb4BackendLayout)
    .setAddress("address", backend.address)
    .setPort("port", backend.port)
    .set("proto", backend.protocol)
    .set("flags", backend.terminating ? BACKEND_TERMINATING : BACKEND_ACTIVE).bytes;
}

export function decodeBackend(bytes: Uint8Array): Lb4Backend {
  const value = new StructBytes(Lb4BackendLayout, bytes);
  return { address: value.getAddress("address"), port: value.getPort("port"), protocol: value.get("proto"), terminating: value.get("flags") === BACKEND_TERMINATING };
}

/** `struct lb4_maglev_table`: one entry per slot, in slot order. */
export function encodeMaglevTable(entries: readonly Lb4BackendRef[]): Uint8Array {
  if (entries.length > MAGLEV_TABLE_SIZE) throw new RangeError(`a Maglev table holds ${MAGLEV_TABLE_SIZE} entries, not ${entries.length}`);
  const table = new Uint8Array(Lb4MaglevTableLayout.size);
  entries.forEach((entry, slot) => {
    const at = Lb4MaglevTableLayout.fields.entries.offset + slot * Lb4BackendRefLayout.size;
    new StructBytes(Lb4BackendRefLayout, table.subarray(at, at + Lb4BackendRefLayout.size))
      .set("backend_id", entry.backendId)
      .setAddress("address", entry.address)
      .setPort("port", entry.port);
  });
  return table;
}

export function decodeMaglevTable(bytes: Uint8Array): Lb4BackendRef[] {
  if (bytes.length !== Lb4MaglevTableLayout.size) throw new RangeError(`a Maglev table has ${Lb4MaglevTableLayout.size} bytes, not ${bytes.length}`);
  return Array.from({ length: MAGLEV_TABLE_SIZE }, (_, slot) => {
    const at = Lb4MaglevTableLayout.fields.entries.offset + slot * Lb4BackendRefLayout.size;
    const entry = new StructBytes(Lb4BackendRefLayout, bytes.subarray(at, at + Lb4BackendRefLayout.size));
    return { backendId: entry.get("backend_id"), address: entry.getAddress("address"), port: entry.getPort("port") };
  });
}

/** `struct lb4_reverse_nat`: what a reply's source is translated back to. */
export function encodeReverseNat(frontend: Lb4Address): Uint8Array {
  return new StructBytes(Lb4ReverseNatLayout).setAddress("address", frontend.address).setPort("port", frontend.port).bytes;
}

export function decodeReverseNat(bytes: Uint8Array): Lb4Address {
  const value = new StructBytes(Lb4ReverseNatLayout, bytes);
  return { address: value.getAddress("address"), port: value.getPort("port") };
}

/** The key of eb_lb4_reverse_nat and eb_lb4_maglev: a service ID (__u16). */
export function encodeServiceId(id: number): Uint8Array {
  return scalarKey(id, Maps.eb_lb4_reverse_nat.keySize);
}

/** The key of eb_lb4_backends: a backend ID (__u32). */
export function encodeBackendId(id: number): Uint8Array {
  return scalarKey(id, Maps.eb_lb4_backends.keySize);
}

function scalarKey(value: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  if (size === 2) view.setUint16(0, value, true);
  else view.setUint32(0, value, true);
  return bytes;
}
