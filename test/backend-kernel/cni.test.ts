// ebbflow-cni called as a container runtime calls a CNI plugin: spawned with
// the CNI_* environment and the network configuration on stdin, its stdout
// and exit code read back. The runtime runs in the node's namespace (here a
// namespace of the test, entered with `ip netns exec`, so that the machine's
// own namespace is never touched); each pod's namespace is made by the test,
// as a runtime makes the sandbox's, and removed by it afterwards.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { hostInterfaceName } from "../../backend-kernel/cni/pod.ts";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { KernelMap, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { Peer } from "../../backend-kernel/peer.ts";
import { NETNS_ROOT, topologyUnavailable } from "../../backend-kernel/run.ts";
import { NODE_SYSCTLS } from "../../backend-kernel/topology.ts";
import type { EndpointConfig } from "../../src/core/datapath/datapath.ts";
import { encodeIpcacheKey, encodeIpcacheValue } from "../../src/core/identity/ipcache.ts";
import { decodeEvent, type DatapathEvent } from "../../src/core/observe/event.ts";
import { encodePolicyKey, encodePolicyValue } from "../../src/core/policy/entry.ts";
import { hostPrefix, requireIPv4 } from "../../src/util/ipv4.ts";
import { podInterfaceName } from "../../src/core/datapath/interface-name.ts";
import { STACK_LINE } from "../support/cli.ts";
import { commandUnavailable, describeWhen, kernelRequired } from "../support/requirements.ts";
import { attachedConstants } from "./attached.ts";
import { TemporaryBpffs } from "./support.ts";

const plugin = join(import.meta.dirname, "../../bin/ebbflow-cni.js");
const PREFIX = `ebbcni-${process.pid}-`;
const IPPROTO_TCP = 6;
const DROP_POLICY = 133;

interface PluginRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout as JSON, when there was any. */
  output: Record<string, unknown> | undefined;
}

/** Runs the plugin with CNI_* variables and stdin; inside `nodeNetns` when given, as a runtime on that node would. */
function callPlugin(cniEnv: Record<string, string>, stdin: string, nodeNetns?: string): Promise<PluginRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("CNI_")));
  const [command, args] = nodeNetns ? ["ip", ["netns", "exec", nodeNetns, process.execPath, plugin]] : [process.execPath, [plugin]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...env, CNI_PATH: join(import.meta.dirname, "../../bin"), ...cniEnv }, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      const text = Buffer.concat(stdout).toString("utf8");
      resolve({ status, stdout: text, stderr: Buffer.concat(stderr).toString("utf8"), output: text.trim() ? JSON.parse(text) : undefined });
    });
    child.stdin.end(stdin);
  });
}

interface Pod {
  containerId: string;
  netns: string;
  endpoint: { id: number; ip: string; ifindex: number; identity: number; ingressEnforced: boolean; egressEnforced: boolean };
}

const networkConfig = (pinRoot: string, pod: Pod, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: "1.0.0", name: "ebbflow", type: "ebbflow-cni", node: { pinRoot, hashSeed: 7 }, endpoint: pod.endpoint, ...extra });

const podEnv = (command: string, pod: Pod) => ({ CNI_COMMAND: command, CNI_CONTAINERID: pod.containerId, CNI_IFNAME: "eth0", CNI_NETNS: pod.netns });

/** The specification's error object, exactly, and no stack trace anywhere. */
function expectSpecError(run: PluginRun, code: number, ...mentions: string[]) {
  expect(run.status).not.toBe(0);
  expect(run.stdout.trim().split("\n")).toHaveLength(1);
  expect(Object.keys(run.output!).sort()).toEqual(expect.arrayContaining(["cniVersion", "code", "msg"]));
  expect(run.output).toMatchObject({ cniVersion: "1.0.0", code });
  for (const mention of mentions) expect(run.output!.msg).toContain(mention);
  expect(run.stdout + run.stderr).not.toMatch(STACK_LINE);
}

describe("ebbflow-cni reports mistakes as the specification's error object", () => {
  const pod: Pod = {
    containerId: "c0ffee",
    netns: "/run/netns/ebbcni-no-such-namespace",
    endpoint: { id: 1, ip: "10.0.1.1", ifindex: 41, identity: 1001, ingressEnforced: false, egressEnforced: false },
  };
  const config = networkConfig("/sys/fs/bpf", pod);

  test("VERSION lists the versions it speaks", async () => {
    const run = await callPlugin({ CNI_COMMAND: "VERSION" }, JSON.stringify({ cniVersion: "1.0.0" }));
    expect(run.status).toBe(0);
    expect(run.output).toEqual({ cniVersion: "1.0.0", supportedVersions: ["1.0.0"] });
  });

  test("stdin that is not JSON: code 6", async () => {
    expectSpecError(await callPlugin(podEnv("ADD", pod), "{ not json"), 6, "not JSON");
  });

  test("an unknown CNI_COMMAND: code 4, naming the variable", async () => {
    expectSpecError(await callPlugin({ ...podEnv("ADD", pod), CNI_COMMAND: "UPDATE" }, config), 4, "CNI_COMMAND=UPDATE");
  });

  test("ADD without CNI_NETNS: code 4, naming the variable", async () => {
    const { CNI_NETNS: _, ...env } = podEnv("ADD", pod);
    expectSpecError(await callPlugin(env, config), 4, "CNI_NETNS");
  });

  test("an unsupported cniVersion: code 1", async () => {
    expectSpecError(await callPlugin(podEnv("ADD", pod), config.replace('"1.0.0"', '"0.4.0"')), 1, "0.4.0");
  });

  test("a field the plugin does not know: code 2, with its key and value", async () => {
    const unknown = JSON.stringify({ ...JSON.parse(config), endpoint: { ...pod.endpoint, mtu: 9000 } });
    expectSpecError(await callPlugin(podEnv("ADD", pod), unknown), 2, "endpoint.mtu", "9000");
  });

  test("a field with a bad value: code 7, naming it", async () => {
    const bad = JSON.stringify({ ...JSON.parse(config), endpoint: { ...pod.endpoint, ip: "10.0.1" } });
    expectSpecError(await callPlugin(podEnv("ADD", pod), bad), 7, "endpoint.ip", "10.0.1");
    const missing = JSON.stringify({ ...JSON.parse(config), node: { hashSeed: 0 } });
    expectSpecError(await callPlugin(podEnv("ADD", pod), missing), 7, "node.pinRoot", "missing");
  });

  test("a node.dsr that is not true or false: code 7, naming it", async () => {
    const bad = JSON.stringify({ ...JSON.parse(config), node: { pinRoot: "/sys/fs/bpf", hashSeed: 0, dsr: "yes" } });
    expectSpecError(await callPlugin(podEnv("ADD", pod), bad), 7, "node.dsr");
  });

  test("a CNI_NETNS that does not exist: code 3, the container is unknown", async () => {
    expectSpecError(await callPlugin(podEnv("ADD", pod), config), 3, pod.netns);
  });
});

/** Our namespaces and mounts on the machine: what a test must leave at zero. */
function footprint() {
  return {
    // /run/netns appears with the machine's first `ip netns add`.
    namespaces: existsSync(NETNS_ROOT) ? readdirSync(NETNS_ROOT).filter((name) => name.startsWith(PREFIX)) : [],
    mounts: readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .filter((line) => line.includes(PREFIX) || line.includes("ebbflow-bpffs-")).length,
  };
}

/** Reading constants back needs bpftool; without it (and unless CI requires the kernel tests) that test alone skips. */
const withBpftool = commandUnavailable("bpftool", ["version"]) && !kernelRequired ? test.skip : test;

describeWhen(kernelBackendUnavailable() ?? topologyUnavailable(), "ebbflow-cni wires pods on a node as a runtime asks it", () => {
  let bpffs: TemporaryBpffs;
  let node: string;
  let namespaces: string[];
  let peers: Peer[] = [];
  let count = 0;
  let before: ReturnType<typeof footprint>;

  /** A pod's namespace, made as a runtime makes a sandbox's. */
  function sandbox(index: number, ingressEnforced = false): Pod {
    const name = `${PREFIX}${count}-pod${index}`;
    execFileSync("ip", ["netns", "add", name]);
    namespaces.push(name);
    return {
      containerId: `container-${count}-${index}`,
      netns: join(NETNS_ROOT, name),
      endpoint: { id: 10 + index, ip: `10.0.1.${10 + index}`, ifindex: 40 + index, identity: 1000 + index, ingressEnforced, egressEnforced: false },
    };
  }

  const call = (command: string, pod: Pod, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
    callPlugin({ ...podEnv(command, pod), ...env }, networkConfig(bpffs.path, pod, extra), node);

  async function add(pod: Pod): Promise<Record<string, unknown>> {
    const run = await call("ADD", pod);
    expect(run.stderr).toBe("");
    expect(run.status, run.stdout).toBe(0);
    return run.output!;
  }

  beforeEach(() => {
    before = footprint();
    count++;
    peers = [];
    namespaces = [];
    node = `${PREFIX}${count}-node`;
    execFileSync("ip", ["netns", "add", node]);
    namespaces.push(node);
    // What a node has before any pod: lo up (without any local address the
    // kernel takes every neighbour for a broadcast one), forwarding, no IPv6.
    execFileSync("ip", ["-n", node, "link", "set", "lo", "up"]);
    execFileSync("ip", ["netns", "exec", node, "sysctl", "-q", "-w", ...Object.entries(NODE_SYSCTLS).map(([key, value]) => `${key}=${value}`)]);
    bpffs = new TemporaryBpffs();
  });

  afterEach(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    for (const name of namespaces) execFileSync("ip", ["netns", "del", name]);
    for (const entry of bpffs.entries()) rmSync(join(bpffs.path, entry));
    bpffs.remove();
    expect(footprint()).toEqual(before);
  });

  test("ADD returns a CNI 1.0 result and wires the pod's eth0, address and route, and the host side with bpf_lxc", async () => {
    const pod = sandbox(1);
    const result = await add(pod);
    const hostName = hostInterfaceName(pod.containerId, "eth0");
    expect(result).toEqual({
      cniVersion: "1.0.0",
      interfaces: [
        { name: hostName, mac: "02:eb:00:00:00:29" },
        { name: "eth0", mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/), sandbox: pod.netns },
      ],
      ips: [{ address: "10.0.1.11/32", gateway: "169.254.1.1", interface: 1 }],
      routes: [{ dst: "0.0.0.0/0", gw: "169.254.1.1" }],
    });
    const ip = (netns: string, ...args: string[]) => JSON.parse(execFileSync("ip", ["-n", netns, "-j", ...args], { encoding: "utf8" }));
    const podName = namespaces[1];
    expect(ip(podName, "-4", "addr", "show", "dev", "eth0")[0].addr_info[0]).toMatchObject({ local: "10.0.1.11", prefixlen: 32 });
    expect(ip(podName, "route", "show")).toEqual([expect.objectContaining({ dst: "default", gateway: "169.254.1.1", dev: "eth0" })]);
    expect(ip(node, "link", "show", "dev", hostName)[0]).toMatchObject({ ifindex: 41, address: "02:eb:00:00:00:29" });
    expect(bpffs.entries()).toEqual(expect.arrayContaining(["eb_calls_11", "eb_policy_11", "eb_events", "eb_ipcache", "eb_ct4"]));
  });

  withBpftool("ADD on a DSR node loads bpf_lxc with lb_mode_dsr = 1 and every constant the kernel backend's endpoint of the same config has", async () => {
    const pod = sandbox(1, true);
    const run = await call("ADD", pod, { node: { pinRoot: bpffs.path, hashSeed: 7, dsr: true } });
    expect(run.status, run.stdout).toBe(0);
    const plugin = attachedConstants(node, hostInterfaceName(pod.containerId, "eth0"));

    const datapath = await KernelDatapath.create();
    try {
      await datapath.addNode({ name: "n1", internalIP: "192.168.0.1", podCIDR: "10.0.1.0/24", loadBalancer: { socketLB: false, hashSeed: 7, dsr: true } });
      const { id, ...endpoint } = pod.endpoint;
      const config: EndpointConfig = { key: "default/dsr", node: "n1", endpointId: id, ...endpoint };
      await datapath.setEndpoint(config);
      const backend = attachedConstants(datapath.run.netnsName("n0"), podInterfaceName(config.key));
      expect(plugin).toMatchObject({ lb_mode_dsr: 1, hash_seed: 7, endpoint_id: 11, endpoint_ifindex: 41, policy_ingress_enforced: 1 });
      expect(plugin).toEqual(backend);
    } finally {
      await datapath.close();
    }
  });

  test("a pod reaches a peer its policy allows, and a denied packet is a drop event in the node's ring buffer", async () => {
    const client = sandbox(1);
    const server = sandbox(2, true);
    await add(client);
    await add(server);

    // The node agent's part: identities in the node's ipcache, the server's policy in its pinned map.
    const ipcache = KernelMap.openPinned(join(bpffs.path, "eb_ipcache"));
    const policy = KernelMap.openPinned(join(bpffs.path, "eb_policy_12"));
    const events = KernelMap.openPinned(join(bpffs.path, "eb_events"));
    try {
      for (const pod of [client, server])
        ipcache.update(encodeIpcacheKey(hostPrefix(requireIPv4(pod.endpoint.ip))), encodeIpcacheValue({ identity: pod.endpoint.identity, tunnelEndpoint: 0 }));
      const allow = { peer: client.endpoint.identity, direction: "ingress", protocol: IPPROTO_TCP, port: 8080, portPrefixLength: 24 } as const;
      policy.update(encodePolicyKey(allow), encodePolicyValue({ proxyPort: 0, deny: false, portPrefixLength: 24, cookie: 5 }));

      const [from, to] = await Promise.all([Peer.start(client.netns), Peer.start(server.netns)]);
      peers.push(from, to);
      await to.listen("tcp", 8080);
      await to.listen("tcp", 8081);
      const attempt = (destinationPort: number, sourcePort: number) =>
        from.connect({ protocol: "tcp", sourceIP: client.endpoint.ip, sourcePort, destinationIP: server.endpoint.ip, destinationPort, timeoutMs: 3000 });

      expect(await attempt(8080, 40001).answer).toBe(server.endpoint.ip);
      const forwarded = events.drainRingbuf().map((record) => decodeEvent(record));
      expect(
        forwarded.some((event) => event.type === "policy-verdict" && event.verdict === "FORWARDED" && event.endpointId === 12 && event.policyPort === 8080),
      ).toBe(true);

      const denied = attempt(8081, 40002);
      let drop: DatapathEvent | undefined;
      for (const deadline = Date.now() + 3000; !drop && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 5))) {
        drop = events
          .drainRingbuf()
          .map((record) => decodeEvent(record))
          .find((event) => event.type === "drop");
      }
      denied.cancel();
      expect(drop).toMatchObject({
        verdict: "DROPPED",
        dropReason: DROP_POLICY,
        endpointId: 12,
        ifindex: 42,
        srcIdentity: 1001,
        dstIdentity: 1002,
        direction: "INGRESS",
      });
    } finally {
      for (const map of [ipcache, policy, events]) map.close();
    }
  });

  test("ADDs at the same time on a new node share its maps, as a runtime starting pods at once calls them", async () => {
    const pods = [1, 2, 3, 4].map((index) => sandbox(index));
    const runs = await Promise.all(pods.map((pod) => call("ADD", pod)));
    for (const run of runs) expect(run.status, run.stdout).toBe(0);
    for (const pod of pods) expect((await call("CHECK", pod)).status).toBe(0);
  });

  test("CHECK passes after ADD, and fails with the specification's error once the host side is deleted by hand", async () => {
    const pod = sandbox(1);
    const prevResult = await add(pod);
    const check = await call("CHECK", pod, { prevResult });
    expect(check.status, check.stdout).toBe(0);
    expect(check.stdout).toBe("");

    const hostName = hostInterfaceName(pod.containerId, "eth0");
    execFileSync("ip", ["-n", node, "link", "del", hostName]);
    expectSpecError(await call("CHECK", pod, { prevResult }), 104, hostName, "missing");
  });

  test("CHECK fails when a tail-call slot is emptied or the programs are taken off the host side", async () => {
    const pod = sandbox(1);
    const prevResult = await add(pod);
    const calls = KernelMap.openPinned(join(bpffs.path, "eb_calls_11"));
    try {
      calls.delete(new Uint8Array(new Uint32Array([1]).buffer));
    } finally {
      calls.close();
    }
    expectSpecError(await call("CHECK", pod, { prevResult }), 104, "slot 1", "eb_calls_11");

    execFileSync("ip", ["netns", "exec", node, "tc", "qdisc", "del", "dev", hostInterfaceName(pod.containerId, "eth0"), "clsact"]);
    expectSpecError(await call("CHECK", pod, { prevResult }), 104, "cil_from_container is not attached");
  });

  test("DEL removes the veth and the endpoint's pins, and succeeds again when nothing is there", async () => {
    const pod = sandbox(1);
    await add(pod);
    const links = (netns: string) =>
      JSON.parse(execFileSync("ip", ["-n", netns, "-j", "link", "show"], { encoding: "utf8" })).map((link: { ifname: string }) => link.ifname);
    expect(links(node)).toContain(hostInterfaceName(pod.containerId, "eth0"));

    for (let time = 0; time < 2; time++) {
      const run = await call("DEL", pod);
      expect(run.status, run.stdout).toBe(0);
      expect(run.stdout).toBe("");
    }
    expect(links(node)).toEqual(["lo"]);
    expect(links(namespaces[1])).toEqual(["lo"]);
    expect(bpffs.entries().filter((entry) => entry.endsWith("_11"))).toEqual([]);
    // A runtime may delete after the sandbox is gone: DEL needs no CNI_NETNS.
    expect((await call("DEL", pod, {}, { CNI_NETNS: "" })).status).toBe(0);
  });

  test("ADD of an interface already wired is refused, and leaves the first one as it was", async () => {
    const pod = sandbox(1);
    const prevResult = await add(pod);
    expectSpecError(await call("ADD", pod), 103, "already");
    expect((await call("CHECK", pod, { prevResult })).status).toBe(0);
    expectSpecError(await call("ADD", { ...pod, containerId: "another" }), 103, "endpoint.id 11");
    expect((await call("CHECK", pod, { prevResult })).status).toBe(0);
  });
});
