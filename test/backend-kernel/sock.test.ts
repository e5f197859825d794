// bpf_sock through real connect() calls: a peer inside a node's cgroup
// connects UDP sockets to service addresses, and the VM runs the same
// program (runSockAddr) on the same service maps with the socket's own
// cookie: the kernel's translation and refusals must be the VM's.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import type { MapEntry } from "../../src/core/datapath/datapath.ts";
import { loadObject } from "../../emu/loader/object.ts";
import { loadIntoVm, type VmObject } from "../../emu/vm/object.ts";
import { runSockAddr } from "../../emu/vm/test-run.ts";
import { Vm } from "../../emu/vm/vm.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable } from "./support-cluster.ts";

const root = join(import.meta.dirname, "../..");
const HASH_SEED = 7;
const UDP = 17;
const EPERM = 1;
/** Entries of a Maglev table (bpf/lib/lb.h LB_MAGLEV_TABLE_SIZE). */
const MAGLEV_SIZE = 251;

const word = (address: string) => new DataView(Uint8Array.from(address.split(".").map(Number)).buffer).getUint32(0, true);
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());
const addressOf = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24].join(".");
const bePort = (port: number) => ((port & 0xff) << 8) | (port >> 8);

/** Three services: two with backends taking turns in their Maglev tables, one with none. */
const services = [
  { address: "10.96.0.10", port: 53, revNat: 1, backends: ["10.244.1.5", "10.244.2.5", "10.244.3.5"] },
  { address: "10.96.0.20", port: 8080, revNat: 2, backends: ["10.244.1.6", "10.244.2.6"] },
  { address: "10.96.0.30", port: 9000, revNat: 3, backends: [] },
];

function serviceMaps(): Record<"eb_lb4_services" | "eb_lb4_backends" | "eb_lb4_maglev", MapEntry[]> {
  const maps = { eb_lb4_services: [] as MapEntry[], eb_lb4_backends: [] as MapEntry[], eb_lb4_maglev: [] as MapEntry[] };
  let nextBackend = 100;
  for (const service of services) {
    const key = (slot: number) => bytes(le32(word(service.address)), be16(service.port), le16(slot), [UDP, 0, 0, 0]);
    const ids = service.backends.map(() => nextBackend++);
    maps.eb_lb4_services.push({ key: key(0), value: bytes(le32(0), le16(ids.length), le16(service.revNat), [0, 0, 0, 0]) });
    service.backends.forEach((backend, i) => {
      maps.eb_lb4_services.push({ key: key(i + 1), value: bytes(le32(ids[i]), le16(0), le16(service.revNat), [0, 0, 0, 0]) });
      maps.eb_lb4_backends.push({ key: bytes(le32(ids[i])), value: bytes(le32(word(backend)), be16(service.port + 1000), [UDP, 0, 0, 0, 0, 0]) });
    });
    if (ids.length > 0) {
      // struct lb4_backend_ref: backend_id, address, port, pad.
      const entry = (i: number) => [...le32(ids[i]), ...le32(word(service.backends[i])), ...be16(service.port + 1000), 0, 0];
      maps.eb_lb4_maglev.push({
        key: bytes(le16(service.revNat)),
        value: bytes(...Array.from({ length: MAGLEV_SIZE }, (_, slot) => entry(slot % ids.length))),
      });
    }
  }
  return maps;
}

describeWhen(clusterUnavailable(), "bpf_sock in the kernel and in the VM", () => {
  let kernel: KernelDatapath;
  let vm: Vm;
  let sock: VmObject;

  beforeAll(async () => {
    kernel = await KernelDatapath.create();
    await kernel.addNode({
      name: "node-1",
      internalIP: "192.168.10.1",
      podCIDR: "10.244.1.0/24",
      loadBalancer: { socketLB: true, hashSeed: HASH_SEED, dsr: false },
    });
    await kernel.setEndpoint({
      key: "demo/client",
      node: "node-1",
      endpointId: 1,
      ip: "10.244.1.2",
      identity: 1000,
      ifindex: 10,
      ingressEnforced: false,
      egressEnforced: false,
    });
    vm = await Vm.create();
    sock = loadIntoVm(vm, loadObject(readFileSync(join(root, "bpf/bpf_sock.o")), "bpf_sock.o"), { variables: { hash_seed: HASH_SEED } });
    for (const [name, entries] of Object.entries(serviceMaps())) {
      await kernel.syncMap({ node: "node-1" }, name, entries);
      for (const { key, value } of entries) sock.map(name).update(key, value);
    }
  });

  afterAll(async () => {
    await kernel?.close();
  });

  test("connect() from a pod's cgroup goes where the VM's run of cil_sock4_connect sends it, socket by socket", async () => {
    let compared = 0;
    for (const service of services) {
      for (let n = 0; n < 20; n++) {
        const real = await kernel.socketConnect({ kind: "pod", endpoint: "demo/client" }, service.address, service.port);
        const emulated = runSockAddr(vm, sock.program("cil_sock4_connect"), {
          hook: "connect4",
          userIp4: word(service.address),
          userPort: bePort(service.port),
          type: 2,
          protocol: UDP,
          cookie: real.cookie,
        });
        const expected = emulated.retval === 0 ? { errno: EPERM } : { ip: addressOf(emulated.userIp4), port: bePort(emulated.userPort) };
        expect({ ...real, cookie: undefined }).toEqual({ ...expected, cookie: undefined });
        compared++;
      }
    }
    console.log(`bpf_sock: ${compared} connect() calls compared with the VM`);
  });

  test("an address that is no service is left as it is", async () => {
    expect(await kernel.socketConnect({ kind: "pod", endpoint: "demo/client" }, "10.244.1.77", 80)).toMatchObject({ ip: "10.244.1.77", port: 80 });
  });
});
