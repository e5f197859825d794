import { describe, expect, it } from "vitest";
import { formatIpv6, icmpv4TypeCodeText, parseFrame } from "../../../src/core/observe/index.ts";
import { BACKEND_IP, ethernet, FRONTEND_IP, icmp, ipv4, sctp, tcp, udp } from "./records.ts";

describe("parseFrame reads headers as Hubble's parser does", () => {
  it("TCP: addresses, ports, the set flags, and the Summary listing them SYN, ACK, RST, FIN, PSH, ...", () => {
    const frame = parseFrame(ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(40000, 8080, 0x19))));
    expect(frame).toEqual({
      ethernet: { source: "0a:00:00:00:00:01", destination: "0a:00:00:00:00:02" },
      ip: { source: "10.0.1.10", destination: "10.0.1.20", ipVersion: "IPv4" },
      l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { FIN: true, PSH: true, ACK: true } } },
      summary: "TCP Flags: ACK, FIN, PSH",
    });
  });

  it("UDP and SCTP are summarised by their layer's name", () => {
    expect(parseFrame(ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 17, udp(5353, 53)))).summary).toBe("UDP");
    const sctpFrame = parseFrame(ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 132, sctp(5000, 9999))));
    expect(sctpFrame.l4).toEqual({ SCTP: { source_port: 5000, destination_port: 9999 } });
    expect(sctpFrame.summary).toBe("SCTP");
  });

  it("ICMPv4: type and code (zeros left out, as proto3 JSON does) and gopacket's names", () => {
    const request = parseFrame(ethernet(0x0800, ipv4(FRONTEND_IP, BACKEND_IP, 1, icmp(8, 0))));
    expect(request.l4).toEqual({ ICMPv4: { type: 8 } });
    expect(request.summary).toBe("ICMPv4 EchoRequest");
    const reply = parseFrame(ethernet(0x0800, ipv4(BACKEND_IP, FRONTEND_IP, 1, icmp(0, 0))));
    expect(reply.l4).toEqual({ ICMPv4: {} });
    expect(reply.summary).toBe("ICMPv4 EchoReply");
    expect(icmpv4TypeCodeText(3, 3)).toBe("DestinationUnreachable(Port)");
    expect(icmpv4TypeCodeText(3, 99)).toBe("DestinationUnreachable(Code: 99)");
    expect(icmpv4TypeCodeText(8, 1)).toBe("EchoRequest(Code: 1)");
    expect(icmpv4TypeCodeText(42, 1)).toBe("42(1)");
  });

  it("IPv4 options move L4 to IHL×4", () => {
    const withOptions = ipv4(FRONTEND_IP, BACKEND_IP, 6, [1, 1, 1, 0, ...tcp(1, 2, 0x02)], { ihl: 6 });
    expect(parseFrame(ethernet(0x0800, withOptions)).l4).toEqual({ TCP: { source_port: 1, destination_port: 2, flags: { SYN: true } } });
  });

  it("fragments, unknown protocols and truncated L4 stop at IPv4", () => {
    const cases = [
      ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(1, 2, 0x02), { fragment: 0x2000 }),
      ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(1, 2, 0x02), { fragment: 0x0010 }),
      ipv4(FRONTEND_IP, BACKEND_IP, 47, [0, 0, 0, 0]),
      ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(1, 2, 0x02).slice(0, 12)),
      ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(1, 2, 0x02), { ihl: 4 }),
    ];
    for (const packet of cases) {
      const frame = parseFrame(ethernet(0x0800, packet));
      expect(frame.ip?.source).toBe("10.0.1.10");
      expect(frame.l4).toBeUndefined();
      expect(frame.summary).toBe("IPv4");
    }
  });

  it("IPv6 is read far enough to name it: addresses and L4", () => {
    const header = [0x60, 0, 0, 0, 0, 8, 17, 64, 0xfd, 0, ...new Array(13).fill(0), 1, 0xfd, 0, ...new Array(13).fill(0), 2];
    const frame = parseFrame(ethernet(0x86dd, [...header, ...udp(1000, 53)]));
    expect(frame.ip).toEqual({ source: "fd00::1", destination: "fd00::2", ipVersion: "IPv6" });
    expect(frame.l4).toEqual({ UDP: { source_port: 1000, destination_port: 53 } });
  });

  it("frames without IP: ARP and VLAN stop at Ethernet, runts give nothing", () => {
    const arp = parseFrame(ethernet(0x0806, new Array(28).fill(0)));
    expect(arp.summary).toBe("Ethernet");
    expect(arp.ip).toBeUndefined();
    expect(parseFrame(ethernet(0x8100, [0, 1, 0x08, 0, ...ipv4(FRONTEND_IP, BACKEND_IP, 6, tcp(1, 2, 2))])).summary).toBe("Ethernet");
    expect(parseFrame(new Uint8Array(10))).toEqual({ summary: "" });
  });

  it("formats IPv6 as Go does (RFC 5952)", () => {
    const v6 = (...groups: number[]) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(formatIpv6(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe("2001:db8::1:0:0:1");
    expect(formatIpv6(v6(0, 0, 0, 0, 0, 0, 0, 0))).toBe("::");
    expect(formatIpv6(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).toBe("2001:db8:0:1:1:1:1:1");
    expect(formatIpv6(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001))).toBe("10.0.0.1");
  });
});
