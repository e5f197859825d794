// bpf_lxc in the kernel: what happens to the packets of one endpoint, its
// policy and its connections, read from return codes, conntrack and metrics.
// (Events are read by the VM's tests; bpftool cannot read a ring buffer.)

import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { commandUnavailable, describeWhen, kernelUnavailable } from "../support/requirements.ts";
import { bpfDirectory } from "./datapath.ts";
import {
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IPV6,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_SYN,
  ethernet,
  icmpEcho,
  ipv4Address,
  ipv4Frame,
  tcpHeader,
  udpHeader,
} from "./frames.ts";
import { type FormattedEntry, type KernelRunResult, type KernelStep, metricCounts, runInKernel } from "./kernel-run.ts";

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const EGRESS = 2;
const INGRESS = 1;

const little32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const big16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

/** An eb_ipcache entry: CIDR -> identity (layout in bpf/README.md). */
function ipcache(cidr: string, identity: number): KernelStep {
  const [address, length] = cidr.split("/");
  const key = Uint8Array.from([...little32(32 + Number(length)), 0, 0, 0, 1, ...ipv4Address(address), ...new Array(12).fill(0)]);
  const value = Uint8Array.from([...little32(identity), ...new Array(8).fill(0)]);
  return { update: "eb_ipcache", key, value };
}

interface PolicyRule {
  identity: number;
  egress: boolean;
  protocol: number;
  port: number;
  /** Bits of protocol+port the entry fixes: 0 any protocol, 8 any port, 24 one port. */
  portPrefixLength: number;
  deny?: boolean;
}

/** An eb_policy entry (layout in bpf/README.md). */
function policy(rule: PolicyRule): KernelStep {
  const key = Uint8Array.from([...little32(40 + rule.portPrefixLength), ...little32(rule.identity), rule.egress ? 1 : 0, rule.protocol, ...big16(rule.port)]);
  const value = Uint8Array.from([0, 0, rule.deny ? 1 : 0, rule.portPrefixLength, 0, 0, 0, 0]);
  return { update: "eb_policy", key, value };
}

const pod = "10.0.1.5";
const web = "10.0.2.9"; // identity 2002
const admin = "10.0.3.7"; // identity 3003
const outside = "10.9.9.9"; // not in the ipcache: world

const tcp = (src: string, dst: string, sport: number, dport: number, flags: number): Uint8Array =>
  ipv4Frame({ src, dst, protocol: IPPROTO_TCP }, tcpHeader(sport, dport, flags));

// Each packet with the return code the endpoint's program must give it.
const egressPackets: [string, Uint8Array, number][] = [
  ["TCP to web:80, allowed for web's identity", tcp(pod, web, 40000, 80, TCP_SYN), TC_ACT_OK],
  ["TCP to admin:443, denied for any peer although admin may use TCP", tcp(pod, admin, 40001, 443, TCP_SYN), TC_ACT_SHOT],
  ["TCP to admin:22, allowed by admin's any-port TCP entry", tcp(pod, admin, 40002, 22, TCP_SYN), TC_ACT_OK],
  ["UDP to web:53, denied for web's identity", ipv4Frame({ src: pod, dst: web, protocol: IPPROTO_UDP }, udpHeader(5353, 53)), TC_ACT_SHOT],
  ["TCP to web:8085, in any peer's 8080-8087 range", tcp(pod, web, 40003, 8085, TCP_SYN), TC_ACT_OK],
  ["TCP to web:8088, beyond the range: no entry", tcp(pod, web, 40004, 8088, TCP_SYN), TC_ACT_SHOT],
  ["a source address that is not the pod's", tcp("10.0.1.6", web, 40000, 80, TCP_SYN), TC_ACT_SHOT],
  ["a fragment", ipv4Frame({ src: pod, dst: web, protocol: IPPROTO_TCP, fragment: 0x2000 }, tcpHeader(1, 80, TCP_SYN)), TC_ACT_SHOT],
  ["an IHL below 5", ipv4Frame({ src: pod, dst: web, protocol: IPPROTO_TCP, ihl: 4 }, tcpHeader(1, 80, TCP_SYN)), TC_ACT_SHOT],
  ["GRE, not tracked", ipv4Frame({ src: pod, dst: web, protocol: IPPROTO_GRE }, new Uint8Array(8)), TC_ACT_SHOT],
  ["a TCP header cut short", ipv4Frame({ src: pod, dst: web, protocol: IPPROTO_TCP }, tcpHeader(1, 80, TCP_SYN).subarray(0, 10)), TC_ACT_SHOT],
  ["a VLAN-tagged frame", ethernet(ETH_P_8021Q, new Uint8Array(46)), TC_ACT_SHOT],
  ["IPv6", ethernet(ETH_P_IPV6, Uint8Array.from([0x60, ...new Array(39).fill(0), ...new Array(20).fill(0)])), TC_ACT_SHOT],
  ["ARP", ethernet(ETH_P_ARP, new Uint8Array(28)), TC_ACT_OK],
  ["web:80 again, established", tcp(pod, web, 40000, 80, TCP_ACK), TC_ACT_OK],
];

const ingressPackets: [string, Uint8Array, number][] = [
  ["web's SYN-ACK: a reply, ingress policy not asked", tcp(web, pod, 80, 40000, TCP_SYN | TCP_ACK), TC_ACT_OK],
  ["a new TCP connection from web: no ingress entry", tcp(web, pod, 1234, 22, TCP_SYN), TC_ACT_SHOT],
  ["a ping from the world: any peer may ping", ipv4Frame({ src: outside, dst: pod, protocol: IPPROTO_ICMP }, icmpEcho(ICMP_ECHO_REQUEST, 77)), TC_ACT_OK],
];

const pingReply = ipv4Frame({ src: pod, dst: outside, protocol: IPPROTO_ICMP }, icmpEcho(ICMP_ECHO_REPLY, 77));

const requirement =
  kernelUnavailable() ?? commandUnavailable("bpftool", ["version"]) ?? commandUnavailable("unshare", ["--version"]) ?? commandUnavailable("llvm-objcopy-14");

describeWhen(requirement, "bpf_lxc in the kernel", () => {
  let result: KernelRunResult;

  beforeAll(() => {
    result = runInKernel(
      join(bpfDirectory, "bpf_lxc.o"),
      {
        endpoint_id: 7,
        endpoint_ipv4: ipv4Address(pod),
        endpoint_ifindex: 11,
        endpoint_identity: 1001,
        policy_ingress_enforced: 1,
        policy_egress_enforced: 1,
      },
      [
        { run: "cil_from_container", frame: tcp(pod, web, 40000, 80, TCP_SYN) }, // before the calls map is filled
        { tailCall: { map: "eb_calls", slot: 1, program: "tail_ipv4_from_container" } },
        { tailCall: { map: "eb_calls", slot: 2, program: "tail_ipv4_to_container" } },
        ipcache("10.0.2.0/24", 2002),
        ipcache("10.0.3.0/24", 3003),
        policy({ identity: 2002, egress: true, protocol: IPPROTO_TCP, port: 80, portPrefixLength: 24 }),
        policy({ identity: 2002, egress: true, protocol: IPPROTO_UDP, port: 0, portPrefixLength: 8, deny: true }),
        policy({ identity: 3003, egress: true, protocol: IPPROTO_TCP, port: 0, portPrefixLength: 8 }),
        policy({ identity: 0, egress: true, protocol: IPPROTO_TCP, port: 443, portPrefixLength: 24, deny: true }),
        policy({ identity: 0, egress: true, protocol: IPPROTO_TCP, port: 8080, portPrefixLength: 8 + 13 }),
        policy({ identity: 0, egress: false, protocol: IPPROTO_ICMP, port: 0, portPrefixLength: 8 }),
        ...egressPackets.map(([, frame]) => ({ run: "cil_from_container", frame })),
        ...ingressPackets.map(([, frame]) => ({ run: "cil_to_container", frame })),
        { run: "cil_from_container", frame: pingReply },
      ],
      ["eb_ct4", "eb_metrics"],
    );
  });

  test("without its tail call the IPv4 stage is missed and the packet dropped", () => {
    expect(result.retvals[0]).toBe(TC_ACT_SHOT);
  });

  test.each(egressPackets.map(([name], index) => [name, index]))("from the pod: %s", (_name, index) => {
    expect(result.retvals[1 + index]).toBe(egressPackets[index][2]);
  });

  test.each(ingressPackets.map(([name], index) => [name, index]))("to the pod: %s", (_name, index) => {
    expect(result.retvals[1 + egressPackets.length + index]).toBe(ingressPackets[index][2]);
  });

  test("the pod's echo reply passes as a reply although egress allows no ICMP", () => {
    expect(result.retvals.at(-1)).toBe(TC_ACT_OK);
  });

  test("metrics count every verdict by drop reason and direction", () => {
    expect(metricCounts(result)).toEqual({
      [`0/${EGRESS}`]: 5, // web:80 twice, admin:22, web:8085, the echo reply
      [`140/${EGRESS}`]: 1, // missed tail call
      [`181/${EGRESS}`]: 2, // deny entries: admin:443, web UDP
      [`133/${EGRESS}`]: 1, // web:8088
      [`132/${EGRESS}`]: 1, // spoofed source
      [`157/${EGRESS}`]: 1, // fragment
      [`134/${EGRESS}`]: 1, // IHL
      [`137/${EGRESS}`]: 1, // GRE
      [`135/${EGRESS}`]: 1, // short TCP header
      [`139/${EGRESS}`]: 2, // VLAN, IPv6
      [`0/${INGRESS}`]: 2, // SYN-ACK, ping
      [`133/${INGRESS}`]: 1, // new TCP from web
    });
  });

  test("conntrack holds the allowed connections, keyed as their first packet was seen", () => {
    const swap16 = (port: number): number => ((port & 0xff) << 8) | (port >> 8);
    const entries = result.maps.eb_ct4.map((entry: FormattedEntry) => ({
      key: entry.key as { dport: number; sport: number; nexthdr: number; flags: number },
      value: entry.value as { packets: number; tx_flags_seen: number; rx_flags_seen: number; src_sec_id: number },
    }));
    const summary = entries.map(({ key }) => `${key.nexthdr} ${swap16(key.sport)}->${swap16(key.dport)} ${key.flags === 0 ? "out" : "in"}`).sort();
    expect(summary).toEqual(["1 77->0 in", "6 40000->80 out", "6 40002->22 out", "6 40003->8085 out"].sort());

    const web80 = entries.find(({ key }) => swap16(key.dport) === 80)?.value;
    expect(web80).toMatchObject({ packets: 3, tx_flags_seen: TCP_SYN | TCP_ACK, rx_flags_seen: TCP_SYN | TCP_ACK, src_sec_id: 1001 });
    const ping = entries.find(({ key }) => key.nexthdr === IPPROTO_ICMP)?.value;
    expect(ping).toMatchObject({ packets: 2, src_sec_id: 2 });
  });
});
