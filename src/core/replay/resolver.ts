// The control plane's answers to the flow builder (observe/resolver.ts):
// pods by address, identities' labels, interface names, policies by the
// cookie of their policy map entries. One resolver per observing node, since
// an endpoint id is only known on the endpoint's own node.

import { podInterfaceName } from "../datapath/interface-name.ts";
import type { Cluster } from "../model/index.ts";
import { formatLabel } from "../identity/index.ts";
import type { EndpointDetails, FlowResolver, PolicyDetails } from "../observe/resolver.ts";
import type { PolicyRef } from "../policy/index.ts";
import type { ClusterState } from "./control-plane.ts";

/** The node's device, as backend-wasm and backend-kernel name it. */
export const DEVICE = { ifindex: 2, name: "eth0" };

function policyDetails(ref: PolicyRef): PolicyDetails {
  const labels = [
    `k8s:io.cilium.k8s.policy.derived-from=${ref.kind}`,
    `k8s:io.cilium.k8s.policy.name=${ref.name}`,
    ...(ref.namespace ? [`k8s:io.cilium.k8s.policy.namespace=${ref.namespace}`] : []),
  ];
  return { name: ref.name, namespace: ref.namespace ?? "", labels, kind: ref.kind };
}

/** A resolver that answers from the cluster and the control plane's state as they are when asked. */
export function resolverFor(node: string, cluster: Cluster, currentState: () => ClusterState): FlowResolver {
  let seen: ClusterState | undefined;
  let pods = new Map<string, Cluster["pods"][number]>();
  let state: ClusterState;
  const refresh = (): void => {
    state = currentState();
    if (state !== seen) {
      seen = state;
      pods = new Map(cluster.pods.map((pod) => [pod.ip, pod]));
    }
  };
  return {
    endpointByIp(ip: string): EndpointDetails | undefined {
      refresh();
      const pod = pods.get(ip);
      if (!pod) return undefined;
      const key = `${pod.namespace}/${pod.name}`;
      const endpoint = state.endpoints.get(key);
      return {
        id: endpoint && pod.nodeName === node ? endpoint.endpointId : 0,
        identity: state.identities.byEndpoint.get(key) ?? 0,
        namespace: pod.namespace,
        podName: pod.name,
        workloads: pod.owner.kind === "Pod" ? undefined : [{ name: pod.owner.name, kind: pod.owner.kind }],
      };
    },
    identityLabels(identity: number): readonly string[] | undefined {
      refresh();
      return state.identities.byId.get(identity)?.labels.map(formatLabel);
    },
    interfaceName(ifindex: number): string | undefined {
      refresh();
      if (ifindex === DEVICE.ifindex) return DEVICE.name;
      for (const endpoint of state.endpoints.values()) {
        if (endpoint.node === node && endpoint.ifindex === ifindex) return podInterfaceName(endpoint.key);
      }
      return undefined;
    },
    policiesByCookie(cookie: number): readonly PolicyDetails[] {
      refresh();
      return (state.policies.cookies.get(cookie) ?? []).map(policyDetails);
    },
  };
}
