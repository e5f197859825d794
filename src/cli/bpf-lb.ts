// `ebbflow bpf lb list SCENARIO [--node NAME]`: a node's service and backend
// maps for the scenario's cluster as it stands before its traffic, printed
// as `cilium-dbg bpf lb list` prints them.

import { buildCluster, readScenario } from "../core/scenario/index.ts";
import { encodeLoadBalancer, formatLbList, nodeLoadBalancer, readServicePorts, ServiceAllocator } from "../core/services/index.ts";
import { UserError } from "../util/errors.ts";

export interface BpfLbListOptions {
  node?: string;
  seed: string;
}

export function bpfLbListCommand(file: string, options: BpfLbListOptions): number {
  if (!/^\d+$/.test(options.seed)) throw new UserError(`--seed: "${options.seed}" is not a whole number`);
  const seed = Number(options.seed);
  const cluster = buildCluster(readScenario(file), seed);
  const node = options.node ?? cluster.nodes[0].name;
  if (!cluster.node(node)) throw new UserError(`--node: no node "${node}" in ${file} (nodes: ${cluster.nodes.map((each) => each.name).join(", ")})`);
  const allocator = new ServiceAllocator(seed);
  const maps = encodeLoadBalancer(nodeLoadBalancer(readServicePorts(cluster, allocator), node, allocator, seed));
  process.stdout.write(formatLbList(maps.eb_lb4_services, maps.eb_lb4_backends));
  return 0;
}
