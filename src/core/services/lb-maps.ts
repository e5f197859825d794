// A node's load-balancing maps (bpf/README.md, "eb_lb4_*"), byte for byte:
// every frontend of every service port is its own service (Cilium's service
// ID = rev_nat_index), with slot 0, one slot per selectable backend, a
// Maglev table and a reverse NAT entry. Traffic policies make the maps
// differ by node: externalTrafficPolicy Local keeps, for traffic from
// outside, only the backends on the node owning the frontend (the NodePort's
// node, or the receiving node); internalTrafficPolicy Local keeps, for pods,
// only their own node's. A frontend whose two sets differ gets two scopes.

import {
  backendId,
  backendValue,
  type Lb4Service,
  maglevTable as maglevTableCodec,
  reverseNat as reverseNatValue,
  serviceId as serviceIdKey,
  serviceKey,
  serviceValue,
} from "../../abi/lb4.ts";
import { LbScope, ServiceFlags, ServiceFlags2 } from "../../abi/generated.ts";
import { PROTOCOL_NUMBERS } from "../../abi/protocols.ts";
import { parseIPv4 } from "../../util/ipv4.ts";
import type { MapEntry } from "../datapath/datapath.ts";
import type { ServiceAllocator } from "./allocator.ts";
import { maglevTable } from "./maglev.ts";
import { type Backend, type Frontend, formatFrontend, selectableBackends, type ServicePort } from "./types.ts";

export const SERVICE_FLAGS = {
  externalIP: ServiceFlags.SVC_FLAG_EXTERNAL_IP,
  nodePort: ServiceFlags.SVC_FLAG_NODEPORT,
  externalLocalScope: ServiceFlags.SVC_FLAG_EXT_LOCAL_SCOPE,
  affinity: ServiceFlags.SVC_FLAG_AFFINITY,
  loadBalancer: ServiceFlags.SVC_FLAG_LOADBALANCER,
  routable: ServiceFlags.SVC_FLAG_ROUTABLE,
} as const;
export const SERVICE_FLAGS2 = { internalLocalScope: ServiceFlags2.SVC_FLAG2_INT_LOCAL_SCOPE, twoScopes: ServiceFlags2.SVC_FLAG2_TWO_SCOPES } as const;
export const SCOPE = { external: LbScope.LB_SCOPE_EXTERNAL, internal: LbScope.LB_SCOPE_INTERNAL } as const;

/** One row of the services map as cilium-dbg lists it: a frontend in one scope and its slots. */
export interface ServiceEntry {
  readonly frontend: Frontend;
  readonly scope: number;
  readonly serviceId: number;
  readonly flags: number;
  readonly flags2: number;
  /** Slot 0's backend_id: the affinity timeout. */
  readonly affinityTimeout: number;
  /** Slots 1..count. */
  readonly slots: readonly Backend[];
  readonly maglev: readonly number[];
}

export interface NodeLoadBalancer {
  readonly services: readonly ServiceEntry[];
  readonly backends: readonly Backend[];
}

function kindFlags(frontend: Frontend): number {
  switch (frontend.kind) {
    case "ClusterIP":
      return 0;
    case "NodePort":
      return SERVICE_FLAGS.nodePort | SERVICE_FLAGS.routable;
    case "LoadBalancer":
      return SERVICE_FLAGS.loadBalancer | SERVICE_FLAGS.routable;
    case "ExternalIP":
      return SERVICE_FLAGS.externalIP | SERVICE_FLAGS.routable;
  }
}

/**
 * Encodings already made, reused across nodes and syncs: a Maglev table per
 * backend set, a frontend's entries per frontend, scope and slots (Cilium's
 * pkg/maglev and pkg/loadbalancer build them once per backend set too).
 */
export class LoadBalancerCache {
  readonly maglev = new Map<string, readonly number[]>();
  readonly entries = new Map<string, EncodedService>();
  readonly backends = new Map<string, MapEntry>();
  readonly maglevBytes = new Map<string, Uint8Array>();
  /** A port without Local traffic policies has the same entries on every node: made once per sync's ports. */
  readonly nodeIndependent = new WeakMap<ServicePort, ServiceEntry[]>();
  readonly encoded = new WeakMap<ServiceEntry, EncodedService>();
}

interface EncodedService {
  services: MapEntry[];
  reverseNat: MapEntry;
  maglev: MapEntry | undefined;
}

const backendName = (b: Backend) => `${b.address}:${b.port}/${b.protocol}`;
const slotsKey = (slots: readonly Backend[]) => slots.map((b) => `${b.id}@${backendName(b)}${b.terminating ? "~" : ""}`).join(",");

/** What `node`'s maps hold for every service port. */
export function nodeLoadBalancer(
  ports: readonly ServicePort[],
  node: string,
  allocator: ServiceAllocator,
  seed: number,
  cache: LoadBalancerCache = new LoadBalancerCache(),
): NodeLoadBalancer {
  const services: ServiceEntry[] = [];
  const backends = new Map<number, Backend>();
  for (const port of ports) {
    for (const backend of port.backends) backends.set(backend.id, backend);
    const shared = !port.internalLocal && !port.externalLocal;
    const known = shared ? cache.nodeIndependent.get(port) : undefined;
    if (known) {
      services.push(...known);
      continue;
    }
    const first = services.length;
    const local = (owner: string) => port.backends.filter((backend) => backend.node === owner);
    const internal = port.internalLocal ? local(node) : port.backends;
    const affinity = port.affinityTimeout !== undefined ? SERVICE_FLAGS.affinity : 0;
    const entry = (frontend: Frontend, scope: number, pool: readonly Backend[], flags: number, flags2: number): ServiceEntry => {
      const slots = selectableBackends(pool);
      const id = allocatorId(allocator, frontend, scope);
      const key = slotsKey(slots);
      let maglev = cache.maglev.get(key);
      if (maglev === undefined) {
        maglev = maglevTable(
          slots.map((b) => ({ name: backendName(b), id: b.id })),
          seed,
        );
        cache.maglev.set(key, maglev);
      }
      return { frontend, scope, serviceId: id, flags: flags | affinity, flags2, affinityTimeout: port.affinityTimeout ?? 0, slots, maglev };
    };
    for (const frontend of port.frontends) {
      const flags2 = port.internalLocal ? SERVICE_FLAGS2.internalLocalScope : 0;
      if (frontend.kind === "ClusterIP" || !port.externalLocal) {
        services.push(entry(frontend, SCOPE.external, internal, kindFlags(frontend), flags2));
        continue;
      }
      const external = local(frontend.node ?? node);
      services.push(entry(frontend, SCOPE.external, external, kindFlags(frontend) | SERVICE_FLAGS.externalLocalScope, flags2 | SERVICE_FLAGS2.twoScopes));
      services.push(entry(frontend, SCOPE.internal, internal, kindFlags(frontend) | SERVICE_FLAGS.externalLocalScope, flags2 | SERVICE_FLAGS2.twoScopes));
    }
    if (shared) cache.nodeIndependent.set(port, services.slice(first));
  }
  return { services, backends: [...backends.values()].sort((a, b) => a.id - b.id) };
}

function allocatorId(allocator: ServiceAllocator, frontend: Frontend, scope: number): number {
  return allocator.serviceId(`${formatFrontend(frontend)}${scope === SCOPE.internal ? "/i" : ""}`);
}

function address(text: string): number {
  const value = parseIPv4(text);
  if (value === undefined) throw new Error(`${text} is not an IPv4 address`);
  return value;
}

/** `struct lb4_key`. */
export function encodeServiceKey(frontend: Frontend, slot: number, scope: number): Uint8Array {
  return serviceKey.encode({ address: address(frontend.address), port: frontend.port, protocol: PROTOCOL_NUMBERS[frontend.protocol], slot, scope });
}

/** `struct lb4_service`. */
export function encodeServiceValue(fields: Lb4Service): Uint8Array {
  return serviceValue.encode(fields);
}

/** `struct lb4_backend`. */
export function encodeBackendValue(backend: Backend): Uint8Array {
  return backendValue.encode({
    address: address(backend.address),
    port: backend.port,
    protocol: PROTOCOL_NUMBERS[backend.protocol],
    terminating: backend.terminating,
  });
}

/** `struct lb4_maglev_table`: each slot's backend, its ID with its address and port. */
export function encodeMaglevTable(backendIds: readonly number[], backends: ReadonlyMap<number, Backend>): Uint8Array {
  return maglevTableCodec.encode(
    backendIds.map((id, slot) => {
      const backend = backends.get(id);
      if (!backend) throw new Error(`Maglev slot ${slot} names backend ${id}, which the node does not hold`);
      return { backendId: id, address: address(backend.address), port: backend.port };
    }),
  );
}

/** One frontend's entries in one scope: its slots, its reverse NAT, its Maglev table. */
function encodeService(entry: ServiceEntry, backendsById: ReadonlyMap<number, Backend>, cache: LoadBalancerCache): EncodedService {
  const { frontend, scope, serviceId } = entry;
  const services: MapEntry[] = [];
  services.push({
    key: encodeServiceKey(frontend, 0, scope),
    value: encodeServiceValue({
      backendId: entry.affinityTimeout,
      count: entry.slots.length,
      revNatIndex: serviceId,
      flags: entry.flags,
      flags2: entry.flags2,
    }),
  });
  entry.slots.forEach((backend, index) => {
    services.push({
      key: encodeServiceKey(frontend, index + 1, scope),
      value: encodeServiceValue({ backendId: backend.id, count: 0, revNatIndex: serviceId, flags: entry.flags, flags2: entry.flags2 }),
    });
  });
  return {
    services,
    reverseNat: { key: serviceIdKey.encode(serviceId), value: reverseNatValue.encode({ address: address(frontend.address), port: frontend.port }) },
    maglev: entry.maglev.length > 0 ? { key: serviceIdKey.encode(serviceId), value: maglevBytes(entry, backendsById, cache) } : undefined,
  };
}

/** A Maglev table's bytes, made once per slots (the table is a function of them and the seed). */
function maglevBytes(entry: ServiceEntry, backendsById: ReadonlyMap<number, Backend>, cache: LoadBalancerCache): Uint8Array {
  const key = slotsKey(entry.slots);
  let bytes = cache.maglevBytes.get(key);
  if (bytes === undefined) cache.maglevBytes.set(key, (bytes = encodeMaglevTable(entry.maglev, backendsById)));
  return bytes;
}

/** The entries of each eb_lb4_* map for one node. */
export function encodeLoadBalancer(
  lb: NodeLoadBalancer,
  cache: LoadBalancerCache = new LoadBalancerCache(),
): Record<"eb_lb4_services" | "eb_lb4_backends" | "eb_lb4_reverse_nat" | "eb_lb4_maglev", MapEntry[]> {
  const services: MapEntry[] = [];
  const reverseNat: MapEntry[] = [];
  const maglev: MapEntry[] = [];
  const backendsById = new Map(lb.backends.map((backend) => [backend.id, backend]));
  for (const entry of lb.services) {
    let encoded = cache.encoded.get(entry);
    if (encoded === undefined) {
      // The Maglev table's bytes name the slots' backends, so the slots key covers them.
      const key = `${formatFrontend(entry.frontend)}|${entry.scope}|${entry.serviceId}|${entry.flags}|${entry.flags2}|${entry.affinityTimeout}|${slotsKey(entry.slots)}|${entry.maglev.length}`;
      encoded = cache.entries.get(key);
      if (encoded === undefined) cache.entries.set(key, (encoded = encodeService(entry, backendsById, cache)));
      cache.encoded.set(entry, encoded);
    }
    services.push(...encoded.services);
    reverseNat.push(encoded.reverseNat);
    if (encoded.maglev) maglev.push(encoded.maglev);
  }
  const backends = lb.backends.map((backend) => {
    const key = slotsKey([backend]);
    let encoded = cache.backends.get(key);
    if (encoded === undefined) cache.backends.set(key, (encoded = { key: backendId.encode(backend.id), value: encodeBackendValue(backend) }));
    return encoded;
  });
  return { eb_lb4_services: services, eb_lb4_backends: backends, eb_lb4_reverse_nat: reverseNat, eb_lb4_maglev: maglev };
}

export type LoadBalancerMap = keyof ReturnType<typeof encodeLoadBalancer>;

/**
 * A node's load-balancing maps in parts, one per Service ("NAMESPACE/NAME"),
 * in the order of `ports`: what an added or removed backend of one Service
 * changes is that Service's part (a backend two Services share is in both).
 */
export function loadBalancerParts(
  ports: readonly ServicePort[],
  node: string,
  allocator: ServiceAllocator,
  seed: number,
  cache: LoadBalancerCache,
): Record<LoadBalancerMap, Map<string, MapEntry[]>> {
  const byService = new Map<string, ServicePort[]>();
  for (const port of ports) {
    const list = byService.get(port.service);
    if (list) list.push(port);
    else byService.set(port.service, [port]);
  }
  const parts: Record<LoadBalancerMap, Map<string, MapEntry[]>> = {
    eb_lb4_services: new Map(),
    eb_lb4_backends: new Map(),
    eb_lb4_reverse_nat: new Map(),
    eb_lb4_maglev: new Map(),
  };
  for (const [service, servicePorts] of byService) {
    const encoded = encodeLoadBalancer(nodeLoadBalancer(servicePorts, node, allocator, seed, cache), cache);
    for (const map of Object.keys(parts) as LoadBalancerMap[]) parts[map].set(service, encoded[map]);
  }
  return parts;
}

/** eb_lb4_backends in backend ID order, as a whole node's maps list them. */
export function byBackendId(a: MapEntry, b: MapEntry): number {
  const id = (entry: MapEntry) => (entry.key[0] | (entry.key[1] << 8) | (entry.key[2] << 16)) + entry.key[3] * 2 ** 24;
  return id(a) - id(b);
}
