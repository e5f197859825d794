// The objects hold what bpf/README.md documents: map types, key and value
// sizes, sharing, the .rodata constants, and the program types the loaders
// derive from the section names. Other engineers decode maps from the README.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadObject } from "../../emu/loader/object.ts";
import { bpfDirectory, datapathObjects } from "./datapath.ts";

const load = (file: string) => loadObject(new Uint8Array(readFileSync(join(bpfDirectory, file))), `bpf/${file}`);

// name: [type, key size, value size, pinned by name]
const documentedMaps: Record<string, [string, number, number, boolean]> = {
  eb_ipcache: ["LPM_TRIE", 24, 12, true],
  eb_policy: ["LPM_TRIE", 12, 8, false],
  eb_ct4: ["LRU_HASH", 16, 48, true],
  eb_metrics: ["PERCPU_HASH", 8, 16, true],
  eb_events: ["RINGBUF", 0, 0, true],
  eb_calls: ["PROG_ARRAY", 4, 4, false],
  eb_prefilter4: ["LPM_TRIE", 8, 1, true],
  eb_lb4_services: ["HASH", 12, 12, true],
  eb_lb4_backends: ["HASH", 4, 12, true],
  eb_lb4_rev_sk: ["LRU_HASH", 16, 8, true],
  eb_lb4_reverse_nat: ["HASH", 2, 8, true],
  eb_lb4_maglev: ["HASH", 2, 3012, true],
  eb_lb4_affinity: ["LRU_HASH", 8, 8, true],
};

const documentedConstants: Record<string, [string, number][]> = {
  "bpf_lxc.o": [
    ["endpoint_id", 2],
    ["endpoint_ipv4", 4],
    ["endpoint_ifindex", 4],
    ["endpoint_identity", 4],
    ["policy_ingress_enforced", 1],
    ["policy_egress_enforced", 1],
    ["hash_seed", 4],
    ["lb_mode_dsr", 1],
  ],
  "bpf_host.o": [
    ["node_ipv4", 4],
    ["hash_seed", 4],
    ["lb_mode_dsr", 1],
  ],
  "bpf_xdp.o": [],
  "bpf_sock.o": [["hash_seed", 4]],
};

describe.each(datapathObjects)("$file", ({ file, programs, maps }) => {
  const object = load(file);

  test("declares the documented maps, shared by name where the README says so", () => {
    const declared = object.maps.filter((map) => map.section === ".maps");
    expect(declared.map((map) => map.name).sort()).toEqual([...maps].sort());
    for (const map of declared) {
      const { typeName, keySize, valueSize, pinning } = map;
      expect([typeName, keySize, valueSize, pinning === "by-name"], map.name).toEqual(documentedMaps[map.name]);
    }
  });

  test("has exactly the documented .rodata constants", () => {
    const variables = object.maps.find((map) => map.name === ".rodata")?.variables ?? [];
    expect(variables.map(({ name, size }) => [name, size])).toEqual(documentedConstants[file]);
  });

  test("has the documented programs, with a GPL-compatible license", () => {
    expect(object.programs.map((program) => program.name).sort()).toEqual([...programs].sort());
    expect(object.license).toBe("Dual BSD/GPL");
  });
});

test("the program types follow the attachment points", () => {
  const types = datapathObjects.flatMap(({ file }) =>
    load(file).programs.map((program) => `${program.name} ${program.typeName} ${program.attachTypeName ?? "-"}`),
  );
  expect(types.sort()).toEqual(
    [
      "cil_from_container SCHED_CLS -",
      "tail_ipv4_from_container SCHED_CLS -",
      "cil_to_container SCHED_CLS -",
      "tail_ipv4_to_container SCHED_CLS -",
      "cil_from_netdev SCHED_CLS -",
      "cil_to_netdev SCHED_CLS -",
      "cil_xdp_entry XDP XDP",
      "cil_sock4_connect CGROUP_SOCK_ADDR CGROUP_INET4_CONNECT",
      "cil_sock4_sendmsg CGROUP_SOCK_ADDR CGROUP_UDP4_SENDMSG",
      "cil_sock4_recvmsg CGROUP_SOCK_ADDR CGROUP_UDP4_RECVMSG",
    ].sort(),
  );
});

test("bpf_sock's backend hash is a bpf-to-bpf subprogram", () => {
  const connect = load("bpf_sock.o").programs.find((program) => program.name === "cil_sock4_connect");
  expect(connect?.functions.map((f) => f.name)).toEqual(["cil_sock4_connect", "hash_3words"]);
});
