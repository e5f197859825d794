// The context layouts take every offset and size from the layouts generated
// from the objects' BTF; the few fields those lack are written by hand, and
// must fit among the generated ones.

import { describe, expect, test } from "vitest";
import { BpfSockAddrLayout, SkBuffLayout, type StructLayout, XdpMdLayout } from "../../../../src/abi/generated.ts";
import { BPF_SOCK, type ContextLayout, SK_BUFF_TC, sockAddrLayout, XDP_MD } from "../../../../emu/vm/context/layout.ts";

const layouts: [string, ContextLayout, StructLayout, string[]][] = [
  ["__sk_buff for tc", SK_BUFF_TC, SkBuffLayout, []],
  ["xdp_md", XDP_MD, XdpMdLayout, []],
  ["bpf_sock_addr for sendmsg4", sockAddrLayout(true), BpfSockAddrLayout, ["sk"]],
  ["bpf_sock_addr for connect4 and recvmsg4", sockAddrLayout(false), BpfSockAddrLayout, ["sk"]],
];

describe.each(layouts)("struct %s", (_, context, generated, byHand) => {
  test("has the generated layout's size", () => {
    expect(context.size).toBe(generated.size);
  });

  test("puts each field where the generated layout does (an array's elements are its __u32s)", () => {
    for (const field of context.fields) {
      if (byHand.includes(field.name)) continue;
      const element = /^(\w+)\[(\d+)\]$/.exec(field.name);
      const struct = generated.fields[element ? element[1] : field.name];
      expect(struct, field.name).toBeDefined();
      if (element) expect([field.offset, field.size]).toEqual([struct.offset + 4 * Number(element[2]), 4]);
      else expect([field.offset, field.size]).toEqual([struct.offset, struct.size]);
    }
  });

  test("writes by hand only the fields the generated layout lacks, inside the struct and clear of every generated field", () => {
    for (const name of byHand) {
      expect(generated.fields[name], name).toBeUndefined();
      const field = context.fields.find((f) => f.name === name)!;
      expect(field.offset % field.size).toBe(0);
      expect(field.offset + field.size).toBeLessThanOrEqual(generated.size);
      for (const other of Object.values(generated.fields)) {
        expect(field.offset >= other.offset + other.size || field.offset + field.size <= other.offset, name).toBe(true);
      }
    }
  });
});

test("struct bpf_sock, which the generated layouts lack, has no two fields overlapping", () => {
  const fields = [...BPF_SOCK.fields].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < fields.length; i++) expect(fields[i].offset).toBeGreaterThanOrEqual(fields[i - 1].offset + fields[i - 1].size);
  expect(fields.at(-1)!.offset + fields.at(-1)!.size).toBeLessThanOrEqual(BPF_SOCK.size);
});
