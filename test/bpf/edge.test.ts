// bpf_host and bpf_xdp in the kernel: the node device's programs pass what
// is well-formed, drop what they must, and count it.

import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { commandUnavailable, describeWhen, kernelUnavailable } from "../support/requirements.ts";
import { bpfDirectory } from "./datapath.ts";
import { ETH_P_8021Q, ETH_P_ARP, IPPROTO_UDP, ethernet, ipv4Address, ipv4Frame, udpHeader } from "./frames.ts";
import { type KernelRunResult, metricCounts, runInKernel } from "./kernel-run.ts";

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const XDP_DROP = 1;
const XDP_PASS = 2;

const udp = (src: string, dst: string): Uint8Array => ipv4Frame({ src, dst, protocol: IPPROTO_UDP }, udpHeader(1000, 53));

const requirement =
  kernelUnavailable() ?? commandUnavailable("bpftool", ["version"]) ?? commandUnavailable("unshare", ["--version"]) ?? commandUnavailable("llvm-objcopy-14");

describeWhen(requirement, "bpf_host in the kernel", () => {
  const packets: [string, string, Uint8Array, number][] = [
    ["from the network: IPv4", "cil_from_netdev", udp("192.168.0.9", "10.0.1.5"), TC_ACT_OK],
    ["from the network: a VLAN-tagged frame", "cil_from_netdev", ethernet(ETH_P_8021Q, new Uint8Array(46)), TC_ACT_SHOT],
    ["from the network: ARP, untouched", "cil_from_netdev", ethernet(ETH_P_ARP, new Uint8Array(28)), TC_ACT_OK],
    [
      "from the network: IPv4 with an IHL below 5",
      "cil_from_netdev",
      ipv4Frame({ src: "192.168.0.9", dst: "10.0.1.5", protocol: IPPROTO_UDP, ihl: 3 }, udpHeader(1, 2)),
      TC_ACT_SHOT,
    ],
    ["to the network: IPv4 from the node", "cil_to_netdev", udp("192.168.0.1", "192.168.0.9"), TC_ACT_OK],
    [
      "to the network: a fragment passes (no L4 needed)",
      "cil_to_netdev",
      ipv4Frame({ src: "192.168.0.1", dst: "192.168.0.9", protocol: IPPROTO_UDP, fragment: 0x2000 }, udpHeader(1, 2)),
      TC_ACT_OK,
    ],
  ];
  let result: KernelRunResult;

  beforeAll(() => {
    result = runInKernel(
      join(bpfDirectory, "bpf_host.o"),
      { node_ipv4: ipv4Address("192.168.0.1") },
      packets.map(([, run, frame]) => ({ run, frame })),
      ["eb_metrics"],
    );
  });

  test.each(packets.map(([name], index) => [name, index]))("%s", (_name, index) => {
    expect(result.retvals[index]).toBe(packets[index][3]);
  });

  test("IPv4 is counted as forwarded, drops by reason; ARP is not counted", () => {
    expect(metricCounts(result)).toEqual({ "0/1": 1, "182/1": 1, "134/1": 1, "0/2": 2 });
  });
});

describeWhen(requirement, "bpf_xdp in the kernel", () => {
  const packets: [string, Uint8Array, number][] = [
    ["a source inside a denied CIDR", udp("203.0.113.77", "10.0.1.5"), XDP_DROP],
    ["a source outside it", udp("203.0.114.1", "10.0.1.5"), XDP_PASS],
    ["a malformed IPv4 header, left for tc", ipv4Frame({ src: "203.0.113.77", dst: "10.0.1.5", protocol: IPPROTO_UDP, ihl: 2 }, udpHeader(1, 2)), XDP_PASS],
  ];
  let result: KernelRunResult;

  beforeAll(() => {
    result = runInKernel(
      join(bpfDirectory, "bpf_xdp.o"),
      {},
      [
        { update: "eb_prefilter4", key: Uint8Array.from([24, 0, 0, 0, 203, 0, 113, 0]), value: Uint8Array.from([0]) },
        ...packets.map(([, frame]) => ({ run: "cil_xdp_entry", frame })),
      ],
      ["eb_metrics"],
    );
  });

  test.each(packets.map(([name], index) => [name, index]))("%s", (_name, index) => {
    expect(result.retvals[index]).toBe(packets[index][2]);
  });

  test("only the deny-list drop is counted, as POLICY_DENY at ingress", () => {
    expect(metricCounts(result)).toEqual({ "181/1": 1 });
  });
});
