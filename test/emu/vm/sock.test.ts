// bpf_sock's cgroup hooks in the VM (the kernel has no test run for them; the
// kernel backend compares them through real connect() calls): service
// addresses become a backend at connect and sendmsg, replies get the service
// address back at recvmsg, and a service without backends refuses the call.

import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, test } from "vitest";
import { loadObject } from "../../../emu/loader/object.ts";
import { loadIntoVm, type VmObject } from "../../../emu/vm/object.ts";
import { runSockAddr } from "../../../emu/vm/test-run.ts";
import { Vm } from "../../../emu/vm/vm.ts";

const SOCK = loadObject(readFileSync("bpf/bpf_sock.o"), "bpf_sock.o");
const ip = (text: string) => new DataView(Uint8Array.from(text.split(".").map(Number)).buffer).getUint32(0, true);
const bePort = (port: number) => ((port & 0xff) << 8) | (port >> 8);
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());

const SERVICE = "10.96.0.10";
const BACKENDS = ["10.244.1.5", "10.244.2.5"];
const UDP = 17;

let vm: Vm;
let sock: VmObject;

/** Entries of a Maglev table (bpf/lib/lb.h LB_MAGLEV_TABLE_SIZE). */
const MAGLEV_SIZE = 251;

/** lb4_service.flags (bpf/lib/lb.h). */
const SVC_FLAG_EXTERNAL_IP = 0x1;
const IDENTITY_HOST = 1;

function addService(address: string, port: number, backends: string[], firstId: number, flags = 0): void {
  const services = sock.map("eb_lb4_services");
  // Backends take turns in the table: enough to show that the slot is the hash's.
  if (backends.length > 0) {
    // struct lb4_backend_ref: backend_id, address, port, pad.
    const table = Array.from({ length: MAGLEV_SIZE }, (_, slot) => {
      const i = slot % backends.length;
      return [...le32(firstId + i), ...le32(ip(backends[i])), ...be16(port), 0, 0];
    });
    sock.map("eb_lb4_maglev").update(bytes(le16(7)), bytes(...table));
  }
  const key = (slot: number) => bytes(le32(ip(address)), be16(port), le16(slot), [UDP, 0, 0, 0]);
  services.update(key(0), bytes(le32(0), le16(backends.length), le16(7), [flags, 0, 0, 0]));
  backends.forEach((backend, i) => {
    services.update(key(i + 1), bytes(le32(firstId + i), le16(0), le16(7), [flags, 0, 0, 0]));
    sock.map("eb_lb4_backends").update(bytes(le32(firstId + i)), bytes(le32(ip(backend)), be16(port), [UDP, 0, 0, 0, 0, 0]));
  });
}

const connect = (address: string, port: number, hook: "connect4" | "sendmsg4" = "connect4") =>
  runSockAddr(vm, sock.program(hook === "connect4" ? "cil_sock4_connect" : "cil_sock4_sendmsg"), {
    hook,
    userIp4: ip(address),
    userPort: bePort(port),
    type: 2,
    protocol: UDP,
    cookie: 4242n,
  });

beforeEach(async () => {
  vm = await Vm.create();
  sock = loadIntoVm(vm, SOCK, { variables: { hash_seed: 1 } });
  addService(SERVICE, 53, BACKENDS, 100);
});

describe("bpf_sock in the VM", () => {
  test("connect4 to a service goes to one of its backends, recorded for the replies", () => {
    const result = connect(SERVICE, 53);
    expect(result.retval).toBe(1);
    expect(BACKENDS.map(ip)).toContain(result.userIp4);
    expect(result.userPort).toBe(bePort(53));
    expect(sock.map("eb_lb4_rev_sk").keys()).toHaveLength(1);
  });

  test("recvmsg4 shows the application the service's address for a backend's reply", () => {
    const backend = connect(SERVICE, 53).userIp4;
    const reply = runSockAddr(vm, sock.program("cil_sock4_recvmsg"), {
      hook: "recvmsg4",
      userIp4: backend,
      userPort: bePort(53),
      type: 2,
      protocol: UDP,
      cookie: 4242n,
    });
    expect(reply.retval).toBe(1);
    expect(reply.userIp4).toBe(ip(SERVICE));
  });

  test("an address that is no service passes untouched", () => {
    const result = connect("10.244.9.9", 53, "sendmsg4");
    expect(result).toMatchObject({ retval: 1, userIp4: ip("10.244.9.9"), userPort: bePort(53) });
  });

  test("a service without backends refuses the call with a drop event and a count", () => {
    addService("10.96.0.20", 80, [], 200);
    expect(connect("10.96.0.20", 80).retval).toBe(0);
    const [event] = sock.map("eb_events").drain();
    expect(event[8]).toBe(1); // drop
    expect(event[12]).toBe(158); // SERVICE_BACKEND_NOT_FOUND
    expect(event[11]).toBe(255); // the socket hook
    const metrics = sock
      .map("eb_metrics")
      .entries()
      .map(([key]) => [key[0], key[1]]);
    expect(metrics).toContainEqual([158, 3]);
  });

  test("an externalIP is translated only when it is an address of this node (ipcache identity host)", () => {
    const NODE_ADDRESS = "192.168.10.11";
    const ELSEWHERE = "198.51.100.20";
    addService(NODE_ADDRESS, 80, BACKENDS, 300, SVC_FLAG_EXTERNAL_IP);
    addService(ELSEWHERE, 80, BACKENDS, 400, SVC_FLAG_EXTERNAL_IP);
    const hostKey = bytes(le32(64), [0, 0, 0, 1], NODE_ADDRESS.split(".").map(Number), new Array(12).fill(0));
    sock.map("eb_ipcache").update(hostKey, bytes(le32(IDENTITY_HOST), le32(0), [0, 0, 0, 0]));

    expect(BACKENDS.map(ip)).toContain(connect(NODE_ADDRESS, 80).userIp4);
    // Elsewhere, the packets are translated on their way (bpf_lxc), as Cilium's socket LB leaves them.
    expect(connect(ELSEWHERE, 80)).toMatchObject({ retval: 1, userIp4: ip(ELSEWHERE), userPort: bePort(80) });
  });

  test("the same seed and socket choose the same backend", async () => {
    const first = connect(SERVICE, 53).userIp4;
    for (let i = 0; i < 5; i++) expect(connect(SERVICE, 53).userIp4).toBe(first);
  });
});
