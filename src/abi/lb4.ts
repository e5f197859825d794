// The service maps (bpf/lib/lb.h): eb_lb4_services, eb_lb4_backends,
// eb_lb4_maglev and eb_lb4_reverse_nat, keyed by service slot, backend ID
// and service ID (rev_nat_index).

import { scalarCodec, type StructCodec, structCodec } from "./codec.ts";
import { Lb4BackendLayout, Lb4BackendRefLayout, Lb4KeyLayout, Lb4MaglevTableLayout, Lb4ReverseNatLayout, Lb4ServiceLayout, Maps } from "./generated.ts";

/** `struct lb4_key`: slot 0 is the service, slots 1..count its backends; scope is LB_SCOPE_*. */
export const serviceKey = structCodec(Lb4KeyLayout, {
  address: ["address", "address"],
  port: ["dport", "port"],
  slot: ["backend_slot", "uint"],
  protocol: ["proto", "uint"],
  scope: ["scope", "uint"],
});
export type Lb4Key = ReturnType<typeof serviceKey.decode>;

/**
 * `struct lb4_service`. Slot 0: backendId is the affinity timeout in seconds
 * and count the number of backend slots; slots 1..count: the backend.
 * flags are SVC_FLAG_*, flags2 SVC_FLAG2_*.
 */
export const serviceValue = structCodec(Lb4ServiceLayout, {
  backendId: ["backend_id", "uint"],
  count: ["count", "uint"],
  revNatIndex: ["rev_nat_index", "uint"],
  flags: ["flags", "uint"],
  flags2: ["flags2", "uint"],
});
export type Lb4Service = ReturnType<typeof serviceValue.decode>;

/** `struct lb4_backend`; flags is the backend's state, 0 active or 1 terminating. */
export const backendValue = structCodec(Lb4BackendLayout, {
  address: ["address", "address"],
  port: ["port", "port"],
  protocol: ["proto", "uint"],
  terminating: ["flags", "bool"],
});

/** `struct lb4_backend_ref`: a Maglev table's entry. */
export const backendRef = structCodec(Lb4BackendRefLayout, {
  backendId: ["backend_id", "uint"],
  address: ["address", "address"],
  port: ["port", "port"],
});

/** `struct lb4_reverse_nat`: what a reply's source is translated back to. */
export const reverseNat = structCodec(Lb4ReverseNatLayout, {
  address: ["address", "address"],
  port: ["port", "port"],
});

/** The key of eb_lb4_reverse_nat and eb_lb4_maglev: a service ID (__u16). */
export const serviceId = scalarCodec(Maps.eb_lb4_reverse_nat.keySize);

/** The key of eb_lb4_backends: a backend ID (__u32). */
export const backendId = scalarCodec(Maps.eb_lb4_backends.keySize);

export type Lb4BackendRef = ReturnType<typeof backendRef.decode>;

/** Entries per Maglev table (LB_MAGLEV_TABLE_SIZE), from the table's size in BTF. */
export const MAGLEV_TABLE_SIZE = Lb4MaglevTableLayout.fields.entries.size / Lb4BackendRefLayout.size;

/** `struct lb4_maglev_table`: one backend_ref per slot, in slot order. */
export const maglevTable: StructCodec<Lb4BackendRef[]> = {
  size: Lb4MaglevTableLayout.size,
  encode(entries) {
    if (entries.length > MAGLEV_TABLE_SIZE) throw new RangeError(`a Maglev table holds ${MAGLEV_TABLE_SIZE} entries, not ${entries.length}`);
    const table = new Uint8Array(Lb4MaglevTableLayout.size);
    entries.forEach((entry, slot) => table.set(backendRef.encode(entry), entryOffset(slot)));
    return table;
  },
  decode(bytes) {
    if (bytes.length !== Lb4MaglevTableLayout.size) throw new RangeError(`a Maglev table has ${Lb4MaglevTableLayout.size} bytes, not ${bytes.length}`);
    return Array.from({ length: MAGLEV_TABLE_SIZE }, (_, slot) => backendRef.decode(bytes.subarray(entryOffset(slot), entryOffset(slot) + backendRef.size)));
  },
};

function entryOffset(slot: number): number {
  return Lb4MaglevTableLayout.fields.entries.offset + slot * Lb4BackendRefLayout.size;
}
