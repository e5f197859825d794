// The kernel datapath's attachments: the node's programs on its device and
// cgroup, an endpoint's on the host side of its veth, replaced in place by
// a reload (the previous copy's links then detach nothing), taken off when
// the endpoint is removed.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { KernelDatapath } from "../../backend-kernel/datapath.ts";
import { cgroupPrograms } from "../../backend-kernel/libbpf.ts";
import { DEVICE } from "../../backend-kernel/topology.ts";
import type { EndpointConfig } from "../../src/core/datapath/datapath.ts";
import { podInterfaceName } from "../../src/core/datapath/interface-name.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcProgramIds } from "./attached.ts";
import { clusterUnavailable } from "./support-cluster.ts";

const endpoint: EndpointConfig = {
  key: "default/a",
  node: "n1",
  endpointId: 5,
  ip: "10.0.1.5",
  identity: 1000,
  ifindex: 30,
  ingressEnforced: false,
  egressEnforced: false,
};

describeWhen(clusterUnavailable(), "the kernel datapath's attachments", () => {
  let datapath: KernelDatapath;
  let netns: string;

  beforeAll(async () => {
    datapath = await KernelDatapath.create();
    await datapath.addNode({ name: "n1", internalIP: "192.168.0.1", podCIDR: "10.0.1.0/24", loadBalancer: { socketLB: true, hashSeed: 0, dsr: false } });
    netns = datapath.run.netnsName("n0");
  });

  afterAll(async () => {
    await datapath?.close();
  });

  test("a node has bpf_host at tc ingress and egress of its device, bpf_xdp on it, and with socket LB bpf_sock on its cgroup", () => {
    expect(tcProgramIds(netns, DEVICE, "ingress")).toHaveLength(1);
    expect(tcProgramIds(netns, DEVICE, "egress")).toHaveLength(1);
    const [link] = JSON.parse(execFileSync("ip", ["-n", netns, "-j", "-d", "link", "show", "dev", DEVICE], { encoding: "utf8" }));
    expect(link.xdp?.prog?.id).toBeGreaterThan(0);
    for (const hook of ["cgroup_inet4_connect", "cgroup_udp4_sendmsg", "cgroup_udp4_recvmsg"])
      expect(cgroupPrograms(join(datapath.run.cgroup, "n0"), hook)).toHaveLength(1);
  });

  test("a reloaded endpoint's new programs replace the old in place and stay attached once the old copy's links are closed; removal takes them off", async () => {
    await datapath.setEndpoint(endpoint);
    const hostSide = podInterfaceName(endpoint.key);
    const [first] = tcProgramIds(netns, hostSide, "ingress");
    const [firstEgress] = tcProgramIds(netns, hostSide, "egress");

    await datapath.setEndpoint({ ...endpoint, ingressEnforced: true });
    const reloaded = [tcProgramIds(netns, hostSide, "ingress"), tcProgramIds(netns, hostSide, "egress")];
    expect(reloaded[0]).toHaveLength(1);
    expect(reloaded[1]).toHaveLength(1);
    expect(reloaded[0][0]).not.toBe(first);
    expect(reloaded[1][0]).not.toBe(firstEgress);

    await datapath.removeEndpoint(endpoint.key);
    const links = JSON.parse(execFileSync("ip", ["-n", netns, "-j", "link", "show"], { encoding: "utf8" })).map((link: { ifname: string }) => link.ifname);
    expect(links).not.toContain(hostSide);
  });
});
