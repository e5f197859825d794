// ADD, DEL and CHECK: a pod's interface wired as KernelDatapath wires it
// (topology.ts's podHostCommands and podCommands, bpf_lxc loaded by the same
// endpoint loader, src/core/datapath/endpoint-loader.ts, with the same
// constants), from the node's namespace, which is the plugin's
// own. The endpoint's tail-call and policy maps are pinned beside the node's
// shared maps, as Cilium pins cilium_calls_<id> and cilium_policy_<id>: a
// program array loses its entries when no file descriptor or pin holds it
// any more, and the plugin exits right after ADD; the pinned policy map is
// where the node's agent writes the endpoint's policy.

import { createHash } from "node:crypto";
import { existsSync, rmSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { attachEndpoint, ENDPOINT_ATTACHMENTS, ENDPOINT_TAIL_CALLS, loadEndpoint } from "../../src/core/datapath/endpoint-loader.ts";
import { KernelAttacher, KernelObjects } from "../kernel-objects.ts";
import { KernelMap, kernelBackendUnavailable } from "../libbpf.ts";
import { hostSideMac, type PodInterface, POD_GATEWAY, podCommands, podHostCommands } from "../topology.ts";
import { addresses, ipBatch, link, routes, run, tcPrograms } from "./commands.ts";
import { type CniEnvironment, type NetworkConfig, RESULT_VERSION } from "./config.ts";
import { CniCode, CniError } from "./errors.ts";

/** The result of ADD (CNI 1.0): the host side, the pod side, the pod's address and route. */
export interface CniResult {
  cniVersion: string;
  interfaces: { name: string; mac: string; sandbox?: string }[];
  ips: { address: string; gateway: string; interface: number }[];
  routes: { dst: string; gw: string }[];
}

const BPFFS_MAGIC = 0xcafe4a11;
/** The plugin's own namespace, which is the node's, for the attach calls. */
const NODE_NETNS = "/proc/self/ns/net";

/**
 * The host side's name: lxc and 12 hex digits of a hash of the container and
 * its interface (Cilium's host sides are lxc and a hash too): the same for
 * ADD, CHECK and DEL of one attachment, and 15 characters, the kernel's limit.
 */
export function hostInterfaceName(containerId: string, ifName: string): string {
  return `lxc${createHash("sha256").update(`${containerId}/${ifName}`).digest("hex").slice(0, 12)}`;
}

/** The endpoint's own maps, pinned under the node's pin root. */
export function endpointPins(pinRoot: string, endpointId: number): { calls: string; policy: string } {
  return { calls: join(pinRoot, `eb_calls_${endpointId}`), policy: join(pinRoot, `eb_policy_${endpointId}`) };
}

function podInterface(env: CniEnvironment, config: NetworkConfig): PodInterface {
  return { hostName: hostInterfaceName(env.containerId, env.ifName), hostIfindex: config.endpoint.ifindex, podName: env.ifName, ip: config.endpoint.ip };
}

export async function addPod(env: CniEnvironment, config: NetworkConfig): Promise<CniResult> {
  const netns = existingNetns(env);
  requireKernel(config);
  const pod = podInterface(env, config);
  const pins = endpointPins(config.node.pinRoot, config.endpoint.id);
  if (await link(undefined, pod.hostName))
    throw new CniError(CniCode.endpointInUse, `${pod.hostName} already exists: container ${env.containerId} has ${env.ifName} wired already`);
  for (const pin of Object.values(pins)) {
    if (existsSync(pin)) throw new CniError(CniCode.endpointInUse, `endpoint.id ${config.endpoint.id} is in use: ${pin} is pinned`);
  }
  try {
    await ipBatch(undefined, podHostCommands(netns, pod));
    // bpf_lxc drops IPv6, and a link's own neighbour discovery would be
    // traffic of no workload. Neither side has a carrier before the pod's
    // side is up, so nothing is sent before this. (A kernel without IPv6 has
    // nothing to turn off. Keys with slashes: an interface name may hold dots.)
    if (existsSync("/proc/sys/net/ipv6")) {
      await run(undefined, "sysctl", ["-q", "-w", `net/ipv6/conf/${pod.hostName}/disable_ipv6=1`]);
      await run(netns, "sysctl", ["-q", "-w", `net/ipv6/conf/${pod.podName}/disable_ipv6=1`]);
    }
    loadBpfLxc(config, pins);
    await ipBatch(netns, podCommands(pod));
    const podLink = await link(netns, pod.podName);
    return {
      cniVersion: RESULT_VERSION,
      interfaces: [
        { name: pod.hostName, mac: hostSideMac(pod.hostIfindex) },
        { name: pod.podName, mac: podLink!.address, sandbox: netns },
      ],
      ips: [{ address: `${pod.ip}/32`, gateway: POD_GATEWAY, interface: 1 }],
      routes: [{ dst: "0.0.0.0/0", gw: POD_GATEWAY }],
    };
  } catch (error) {
    await deletePod(env, config);
    throw error;
  }
}

/** Removes the veth (the pod's side and the programs go with it) and the endpoint's pins; what is gone already is fine. */
export async function deletePod(env: CniEnvironment, config: NetworkConfig): Promise<void> {
  const hostName = hostInterfaceName(env.containerId, env.ifName);
  if (await link(undefined, hostName)) await ipBatch(undefined, [`link del ${hostName}`]);
  for (const pin of Object.values(endpointPins(config.node.pinRoot, config.endpoint.id))) rmSync(pin, { force: true });
}

/** Compares what ADD made with what is there; the first difference is a CniError (checkFailed). */
export async function checkPod(env: CniEnvironment, config: NetworkConfig): Promise<void> {
  const netns = existingNetns(env);
  requireKernel(config);
  const pod = podInterface(env, config);
  const fail = (message: string) => new CniError(CniCode.checkFailed, message);

  if (config.prevResult) {
    const names = config.prevResult.interfaces.map((item) => item.name);
    for (const name of [pod.hostName, pod.podName]) if (!names.includes(name)) throw fail(`prevResult.interfaces has no ${name}`);
    if (!config.prevResult.ips.some((item) => item.address === `${pod.ip}/32`)) throw fail(`prevResult.ips has no ${pod.ip}/32`);
  }

  const host = await link(undefined, pod.hostName);
  if (!host) throw fail(`the host side ${pod.hostName} is missing from the node's namespace`);
  if (host.ifindex !== pod.hostIfindex) throw fail(`${pod.hostName} has ifindex ${host.ifindex}, not endpoint.ifindex ${pod.hostIfindex}`);
  if (!host.flags.includes("UP")) throw fail(`${pod.hostName} is down`);
  if (!(await routes(undefined)).some((route) => route.dst === pod.ip && route.dev === pod.hostName))
    throw fail(`the node has no route to ${pod.ip} through ${pod.hostName}`);
  for (const [program, direction] of ENDPOINT_ATTACHMENTS) {
    if (!(await tcPrograms(undefined, pod.hostName, direction)).includes(program.slice(0, 15)))
      throw fail(`${program} is not attached at tc ${direction} of ${pod.hostName}`);
  }
  const pins = endpointPins(config.node.pinRoot, config.endpoint.id);
  if (!existsSync(pins.policy)) throw fail(`the endpoint's policy map is not pinned at ${pins.policy}`);
  if (!existsSync(pins.calls)) throw fail(`the endpoint's tail-call map is not pinned at ${pins.calls}`);
  const calls = KernelMap.openPinned(pins.calls);
  try {
    for (const [slot, program] of ENDPOINT_TAIL_CALLS.slots) if (!calls.lookup(u32(slot))) throw fail(`slot ${slot} of ${pins.calls} (${program}) is empty`);
  } finally {
    calls.close();
  }

  const podLink = await link(netns, pod.podName);
  if (!podLink) throw fail(`${pod.podName} is missing from ${netns}`);
  if (!podLink.flags.includes("UP")) throw fail(`${pod.podName} in ${netns} is down`);
  if (!(await addresses(netns, pod.podName)).includes(`${pod.ip}/32`)) throw fail(`${pod.podName} in ${netns} does not have ${pod.ip}/32`);
  const podRoutes = await routes(netns);
  if (!podRoutes.some((route) => route.dst === "default" && route.gateway === POD_GATEWAY && route.dev === pod.podName)) {
    throw fail(`${netns} has no default route via ${POD_GATEWAY} on ${pod.podName}`);
  }
}

/** bpf_lxc loaded and attached to the host side as KernelDatapath.setEndpoint loads it, for the same node and endpoint. */
function loadBpfLxc(config: NetworkConfig, pins: { calls: string; policy: string }): void {
  const { node, endpoint } = config;
  const objects = new KernelObjects({ pinRoot: node.pinRoot, pinPaths: { eb_calls: pins.calls, eb_policy: pins.policy } });
  const lxc = loadEndpoint(objects, {
    node: { loadBalancer: { hashSeed: node.hashSeed, dsr: node.dsr } },
    endpoint: { ...endpoint, endpointId: endpoint.id },
  });
  try {
    // The links are left open: the plugin exits after ADD, and DEL takes the programs off with the veth.
    attachEndpoint(new KernelAttacher({ netns: NODE_NETNS }), lxc, endpoint.ifindex);
  } finally {
    // The pins hold the maps, tc holds the programs.
    lxc.close();
  }
}

/** CNI_NETNS, which ADD and CHECK need to exist (else: the container is unknown, nothing to clean up). */
function existingNetns(env: CniEnvironment): string {
  if (!existsSync(env.netns!)) throw new CniError(CniCode.unknownContainer, `CNI_NETNS=${env.netns} does not exist`);
  return env.netns!;
}

/** The kernel datapath's requirements: root and the libbpf addon, and a bpffs pin root. */
function requireKernel(config: NetworkConfig): void {
  const problem = kernelBackendUnavailable();
  if (problem) throw new CniError(CniCode.kernelUnavailable, `the kernel datapath is unavailable: ${problem}`);
  const { pinRoot } = config.node;
  let type: number;
  try {
    type = statfsSync(pinRoot).type;
  } catch {
    throw new CniError(CniCode.invalidConfig, `node.pinRoot: ${pinRoot} does not exist`);
  }
  if (type !== BPFFS_MAGIC) throw new CniError(CniCode.invalidConfig, `node.pinRoot: ${pinRoot} is not on a bpf filesystem (mount -t bpf bpf ${pinRoot})`);
}

const u32 = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);
