// The kernel backend's peers answer HTTP and DNS as SCENARIOS.md's peers do:
// HTTP 200 with a short body naming the pod, DNS A records from the
// scenario's records (NXDOMAIN for names it does not have).

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Peer } from "../../backend-kernel/peer.ts";
import { describeWhen } from "../support/requirements.ts";
import { clusterUnavailable } from "./support-cluster.ts";

const NETNS = `ebbflow-peer-l7-${process.pid}`;

/** Runs a small Node client inside the namespace and returns what it prints. */
function inNamespace(script: string): string {
  return execFileSync("ip", ["netns", "exec", NETNS, process.execPath, "--input-type=module", "-e", script], { encoding: "utf8" });
}

const DNS_QUERY = (name: string) => `
import { createSocket } from "node:dgram";
const labels = ${JSON.stringify(name)}.split(".").flatMap((l) => [l.length, ...Buffer.from(l)]);
const query = Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
const socket = createSocket("udp4");
socket.on("message", (answer) => {
  const rcode = answer[3] & 15;
  const count = answer.readUInt16BE(6);
  const addresses = [];
  for (let i = 0, at = query.length; i < count; i++, at += 16) addresses.push([...answer.subarray(at + 12, at + 16)].join("."));
  console.log(JSON.stringify({ id: answer.readUInt16BE(0), rcode, addresses }));
  socket.close();
});
socket.send(query, 5353, "127.0.0.1");`;

describeWhen(clusterUnavailable(), "the kernel backend's peers", () => {
  let peer: Peer;
  beforeAll(async () => {
    execFileSync("ip", ["netns", "add", NETNS]);
    execFileSync("ip", ["-n", NETNS, "link", "set", "lo", "up"]);
    peer = await Peer.start(`/run/netns/${NETNS}`);
    await peer.serveHttp(8080, "shop/web-0");
    await peer.serveDns(5353, { "api.example.com": ["203.0.113.10", "203.0.113.11"], "*.partner.example": ["198.51.100.7"] });
  });
  afterAll(async () => {
    await peer?.stop();
    execFileSync("ip", ["netns", "del", NETNS]);
  });

  test("answer HTTP with 200 and the pod's name", () => {
    const body = inNamespace(`const r = await fetch("http://127.0.0.1:8080/api/v1/users"); console.log(r.status, (await r.text()).trim());`);
    expect(body.trim()).toBe("200 shop/web-0");
  });

  test("answer DNS A queries from their records, wildcards too, NXDOMAIN otherwise", () => {
    expect(JSON.parse(inNamespace(DNS_QUERY("api.example.com")))).toEqual({ id: 0x1234, rcode: 0, addresses: ["203.0.113.10", "203.0.113.11"] });
    expect(JSON.parse(inNamespace(DNS_QUERY("shop.partner.example")))).toEqual({ id: 0x1234, rcode: 0, addresses: ["198.51.100.7"] });
    expect(JSON.parse(inNamespace(DNS_QUERY("nothing.example.org")))).toEqual({ id: 0x1234, rcode: 3, addresses: [] });
  });
});
