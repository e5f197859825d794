import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { addNamespace, inNamespace, kubeProxyUnavailable, NODE_SYSCTLS, restoreRules } from "../../../backend-kernel/kube-proxy/node.ts";
import { kubeProxyRules } from "../../../backend-kernel/kube-proxy/rules.ts";
import { KernelRun } from "../../../backend-kernel/run.ts";
import { ip } from "../../../backend-kernel/topology.ts";
import type { ServicePort } from "../../../src/core/services/index.ts";
import { describeWhen } from "../../support/requirements.ts";

// Three namespaces: a client (a pod's address 10.244.1.5 and an address
// outside the cluster, 192.168.50.5), a node holding kube-proxy's rules and
// routing between them, and the backends (every backend address, one TCP
// server on port 8080 that answers with the address it was reached on and the
// peer's). A connection completes only when the node DNATs the SYN to a
// backend and un-DNATs the reply back to the ClusterIP.

const BACKEND_PORT = 8080;

function servicePort(name: string, portName: string, clusterIP: string, port: number, backends: string[]): ServicePort {
  return {
    service: name,
    portName,
    frontends: [{ kind: "ClusterIP", address: clusterIP, port, protocol: "TCP" }],
    backends: backends.map((address, i) => ({
      id: i + 1,
      pod: `${name}-${i}`,
      node: "node-1",
      address,
      port: BACKEND_PORT,
      protocol: "TCP",
      terminating: false,
    })),
    affinityTimeout: undefined,
    externalLocal: false,
    internalLocal: false,
  };
}

const PORTS = [
  servicePort("default/web", "", "10.96.0.10", 80, ["10.200.0.1", "10.200.0.2", "10.200.0.3"]),
  servicePort("default/api", "https", "10.96.0.11", 443, ["10.200.0.4", "10.200.0.5"]),
  servicePort("default/one", "", "10.96.0.12", 80, ["10.200.0.6"]),
  servicePort("default/empty", "", "10.96.0.13", 80, []),
];
const POD = "10.244.1.5";
const OUTSIDE = "192.168.50.5";
const NODE_TOWARDS_BACKENDS = "192.168.1.1";
const CONNECTIONS = 60;

const SERVER = `
const net = require("node:net");
net.createServer((socket) => socket.end(JSON.stringify({ local: socket.localAddress, remote: socket.remoteAddress })))
  .listen(${BACKEND_PORT}, "0.0.0.0", () => console.log("listening"));
`;

/** Connects in turn to each [source, ClusterIP, port] given as JSON argument; prints what each got: the server's answer or the error code. */
const CLIENT = `
const net = require("node:net");
const attempt = ([source, host, port]) => new Promise((resolve) => {
  let data = "";
  const socket = net.connect({ host, port, localAddress: source, timeout: 3000 });
  socket.on("data", (chunk) => (data += chunk));
  socket.on("end", () => resolve(JSON.parse(data)));
  socket.on("timeout", () => { socket.destroy(); resolve({ error: "timeout" }); });
  socket.on("error", (error) => resolve({ error: error.code }));
});
(async () => {
  const results = [];
  for (const target of JSON.parse(process.argv[1])) results.push(await attempt(target));
  console.log(JSON.stringify(results));
})();
`;

let run: KernelRun;
let nodeNetns: string;
let clientNetns: string;
let server: ChildProcess;
let hostRulesBefore: string;

const hostRules = () =>
  execFileSync("iptables-save", [], { encoding: "utf8" })
    .replace(/^#.*$/gm, "")
    .replace(/\[\d+:\d+\]/g, "");

async function connect(targets: [string, string, number][]): Promise<({ local: string; remote: string } | { error: string })[]> {
  return JSON.parse(await inNamespace(clientNetns, process.execPath, ["-e", CLIENT, JSON.stringify(targets)]));
}

describeWhen(kubeProxyUnavailable(), "kube-proxy's iptables chains in a namespace", () => {
  beforeAll(async () => {
    hostRulesBefore = hostRules();
    run = new KernelRun();
    clientNetns = await addNamespace(run, "kp-client", { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" });
    nodeNetns = await addNamespace(run, "kp-node", NODE_SYSCTLS);
    const backendsNetns = await addNamespace(run, "kp-backends", { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" });
    await ip(nodeNetns, [
      "link set lo up",
      `link add to-client type veth peer name eth0 netns ${clientNetns}`,
      `link add to-backends type veth peer name eth0 netns ${backendsNetns}`,
      "addr add 192.168.0.1/24 dev to-client",
      `addr add ${NODE_TOWARDS_BACKENDS}/24 dev to-backends`,
      "link set to-client up",
      "link set to-backends up",
      `route add ${POD}/32 via 192.168.0.2`,
      `route add ${OUTSIDE}/32 via 192.168.0.2`,
      "route add 10.200.0.0/14 via 192.168.1.2",
      // As a node's default route would: what is not translated goes on, to the backends' namespace, which forwards nothing and drops it.
      "route add 10.96.0.0/12 via 192.168.1.2",
    ]);
    await ip(clientNetns, [
      "link set lo up",
      "link set eth0 up",
      "addr add 192.168.0.2/24 dev eth0",
      `addr add ${POD}/32 dev eth0`,
      `addr add ${OUTSIDE}/32 dev eth0`,
      "route add default via 192.168.0.1",
    ]);
    const backendAddresses = PORTS.flatMap((port) => port.backends.map((backend) => `addr add ${backend.address}/32 dev eth0`));
    await ip(backendsNetns, [
      "link set lo up",
      "link set eth0 up",
      "addr add 192.168.1.2/24 dev eth0",
      ...backendAddresses,
      `route add default via ${NODE_TOWARDS_BACKENDS}`,
    ]);
    server = spawn("ip", ["netns", "exec", backendsNetns, process.execPath, "-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
      server.once("exit", (code) => reject(new Error(`the backends' server exited (${code})`)));
    });
    await restoreRules(nodeNetns, kubeProxyRules(PORTS, { clusterCIDR: "10.244.0.0/16" }).restoreInput);
  });

  afterAll(() => {
    server?.kill();
    run?.close();
  });

  test("one iptables-restore loads every rule into the node's namespace and none into the host's", async () => {
    const rules = kubeProxyRules(PORTS, { clusterCIDR: "10.244.0.0/16" });
    const saved = await inNamespace(nodeNetns, "iptables-save", []);
    expect(saved.split("\n").filter((line) => line.startsWith("-A ")).length).toBe(rules.natRules + rules.filterRules);
    expect(hostRules()).toBe(hostRulesBefore);
  });

  test("connections to each ClusterIP reach one of that service's backends, spread over all of them, the pod's address kept", async () => {
    for (const port of PORTS.filter((p) => p.backends.length > 0)) {
      const frontend = port.frontends[0];
      const answers = await connect(Array.from({ length: CONNECTIONS }, () => [POD, frontend.address, frontend.port]));
      const reached = new Map<string, number>();
      for (const answer of answers) {
        expect(answer, `${port.service}`).not.toHaveProperty("error");
        const { local, remote } = answer as { local: string; remote: string };
        reached.set(local, (reached.get(local) ?? 0) + 1);
        expect(remote).toBe(POD);
      }
      // 60 connections over three backends miss one with a probability of 3 (2/3)^60, about 1e-10.
      expect([...reached.keys()].sort(), port.service).toEqual(port.backends.map((backend) => backend.address).sort());
    }
  });

  test("a connection from outside the cluster CIDR is masqueraded to the node's address", async () => {
    const answers = await connect([[OUTSIDE, "10.96.0.10", 80]]);
    expect(answers[0]).toMatchObject({ remote: NODE_TOWARDS_BACKENDS });
    expect(["10.200.0.1", "10.200.0.2", "10.200.0.3"]).toContain((answers[0] as { local: string }).local);
  });

  test("a service without backends is rejected; a port no service has is not translated (it goes unanswered)", async () => {
    const answers = await connect([
      [POD, "10.96.0.13", 80],
      [POD, "10.96.0.10", 81],
    ]);
    expect(answers[0]).toEqual({ error: "ECONNREFUSED" });
    expect(answers[1]).toEqual({ error: "timeout" });
  });
});
