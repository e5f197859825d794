// Each node's load-balancing maps, byte for byte as bpf/README.md lays them
// out, and read back by the datapath itself: bpf_sock in the VM picks the
// backend the Maglev table holds at the seeded hash of the socket.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadObject } from "../../../emu/loader/object.ts";
import { loadIntoVm } from "../../../emu/vm/object.ts";
import { runSockAddr } from "../../../emu/vm/test-run.ts";
import { Vm } from "../../../emu/vm/vm.ts";
import {
  encodeLoadBalancer,
  encodeServiceKey,
  encodeServiceValue,
  hash3Words,
  MAGLEV_TABLE_SIZE,
  nodeLoadBalancer,
  readServicePorts,
  SCOPE,
  SERVICE_FLAGS,
  SERVICE_FLAGS2,
  ServiceAllocator,
} from "../../../src/core/services/index.ts";
import { clusterOf, webPods } from "./cluster.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const SEED = 7;

function loadBalancerOf(service: string, node = "node-1") {
  const allocator = new ServiceAllocator(SEED);
  const ports = readServicePorts(clusterOf(webPods + service), allocator).filter((port) => port.service.startsWith("shop/"));
  return nodeLoadBalancer(ports, node, allocator, SEED);
}

describe("encoding", () => {
  test("lb4_key and lb4_service", () => {
    const key = encodeServiceKey({ kind: "ClusterIP", address: "10.96.0.10", port: 53, protocol: "UDP" }, 2, SCOPE.internal);
    expect(hex(key)).toBe("0a60000a" + "0035" + "0200" + "11" + "01" + "0000");
    const value = encodeServiceValue({ backendId: 300, count: 2, revNatIndex: 7, flags: 0x10, flags2: 0x20 });
    expect(hex(value)).toBe("2c010000" + "0200" + "0700" + "10" + "20" + "0000");
  });

  test("a frontend is a service: slot 0, one slot per backend, reverse NAT and a Maglev table", () => {
    const lb = loadBalancerOf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, clusterIP: 10.96.5.5, ports: [{port: 80, targetPort: 8080}]}`);
    const maps = encodeLoadBalancer(lb);
    expect(maps.eb_lb4_services).toHaveLength(3);
    expect(maps.eb_lb4_backends.map((e) => hex(e.value))).toEqual(["0af4010a1f90060000000000", "0af4020a1f90060000000000"]);
    const [reverse] = maps.eb_lb4_reverse_nat;
    expect(hex(reverse.value)).toBe("0a6005050050" + "0000");
    // Each slot: the backend's ID, address and port (struct lb4_backend_ref, 12 bytes).
    const table = maps.eb_lb4_maglev[0].value;
    expect(table).toHaveLength(MAGLEV_TABLE_SIZE * 12);
    const entries = new Set(Array.from({ length: MAGLEV_TABLE_SIZE }, (_, slot) => hex(table.subarray(slot * 12, slot * 12 + 12))));
    const backendIds = lb.backends.map((backend) => backend.id);
    expect([...entries].sort()).toEqual(
      [
        hex(Uint8Array.from([...new Uint8Array(new Uint32Array([backendIds[0]]).buffer), 0x0a, 0xf4, 0x01, 0x0a, 0x1f, 0x90, 0, 0])),
        hex(Uint8Array.from([...new Uint8Array(new Uint32Array([backendIds[1]]).buffer), 0x0a, 0xf4, 0x02, 0x0a, 0x1f, 0x90, 0, 0])),
      ].sort(),
    );
  });

  test("externalTrafficPolicy Local: the NodePort of each node keeps that node's backends, pods keep all", () => {
    const lb = loadBalancerOf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, externalTrafficPolicy: Local, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}`);
    const nodePort2 = lb.services.filter((s) => s.frontend.kind === "NodePort" && s.frontend.address === "192.168.10.12");
    expect(nodePort2.map((s) => [s.scope, s.slots.map((b) => b.pod)])).toEqual([
      [SCOPE.external, ["shop/web-1"]],
      [SCOPE.internal, ["shop/web-0", "shop/web-1"]],
    ]);
    expect(nodePort2[0].flags & SERVICE_FLAGS.externalLocalScope).toBeTruthy();
    expect(nodePort2[0].flags2 & SERVICE_FLAGS2.twoScopes).toBeTruthy();
  });
});

describe("read back by bpf_sock", () => {
  test("connect() gets the backend at the Maglev slot of hash_3words(source address, source port, rev_nat_index)", async () => {
    const lb = loadBalancerOf(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, clusterIP: 10.96.5.5, ports: [{port: 80, targetPort: 8080}]}`);
    const vm = await Vm.create();
    const sock = loadIntoVm(vm, loadObject(readFileSync("bpf/bpf_sock.o"), "bpf_sock.o"), { variables: { hash_seed: SEED } });
    for (const [name, entries] of Object.entries(encodeLoadBalancer(lb))) for (const { key, value } of entries) sock.map(name).update(key, value);
    const [service] = lb.services;
    const addressOf = (id: number) => lb.backends.find((b) => b.id === id)!.address;
    for (const [sourceIp4, sourcePort] of [
      [0, 0],
      [0x0a01f40a, 40000],
      [0x0a01f40a, 40001],
      [0x0b02f40a, 32768],
    ]) {
      const result = runSockAddr(vm, sock.program("cil_sock4_connect"), {
        hook: "connect4",
        userIp4: 0x05_05_60_0a,
        userPort: 0x5000,
        type: 1,
        protocol: 6,
        sourceIp4,
        sourcePort,
        cookie: 7n,
      });
      const slot = hash3Words(SEED, sourceIp4, sourcePort, service.serviceId) % MAGLEV_TABLE_SIZE;
      const expected = addressOf(service.maglev[slot]).split(".").map(Number);
      expect([result.userIp4 & 0xff, (result.userIp4 >>> 8) & 0xff, (result.userIp4 >>> 16) & 0xff, result.userIp4 >>> 24]).toEqual(expected);
      expect(result.userPort).toBe(0x901f);
    }
  });
});
