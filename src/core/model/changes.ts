// What one apply or delete changed in the cluster, as a Kubernetes watch
// reports it: the control plane's input after the initial load
// (ControlPlane.apply), whether the change came from a scenario step or,
// later, from a node agent's watch events.

export interface ClusterChanges {
  /** `NAMESPACE/NAME` of each pod added, changed or removed. */
  readonly pods: ReadonlySet<string>;
  /** Each namespace added, relabelled or removed. */
  readonly namespaces: ReadonlySet<string>;
  /** `KIND/NAMESPACE/NAME` of each policy added, changed or removed. */
  readonly policies: ReadonlySet<string>;
  /** `KIND/NAMESPACE/NAME` of each Service or EndpointSlice added, changed or removed. */
  readonly services: ReadonlySet<string>;
}

/** Collects the changes of one apply or delete. */
export class ChangeRecorder implements ClusterChanges {
  readonly pods = new Set<string>();
  readonly namespaces = new Set<string>();
  readonly policies = new Set<string>();
  readonly services = new Set<string>();

  object(kind: string, key: string): void {
    if (kind === "NetworkPolicy" || kind === "CiliumNetworkPolicy" || kind === "CiliumClusterwideNetworkPolicy") this.policies.add(key);
    if (kind === "Service" || kind === "EndpointSlice") this.services.add(key);
  }
}
