// The cluster model: nodes, namespaces, pods (written as Pods or expanded
// from Deployments and StatefulSets), and the Services, EndpointSlices and
// policies as checked objects. `apply` and `delete` change it as kubectl
// would; pods keep their node and IP while they exist, and an IP is never
// handed out twice in a run.

import { FieldPath, type Item } from "./fields.ts";
import { formatIPv4, parseIPv4, prefixHolds } from "../../util/ipv4.ts";
import { objectKey, type ManifestObject, type PolicyKind } from "./manifest.ts";
import { alwaysPresentNamespaces, implicitFile, kubeDnsObjects } from "./implicit-objects.ts";
import { planNodes, type Node, type NodeInput, type PlannedNode } from "./nodes.ts";
import { canonicalJson, nameSuffix, podTemplateHash } from "./seeded-names.ts";
import type { ContainerPort } from "./kinds/pod-spec.ts";
import type { Labels } from "./selector.ts";
import { formatEndpoint, type Endpoint } from "./endpoint.ts";
import { locationOf, type SourceLocation } from "./source.ts";
import { ChangeRecorder, type ClusterChanges } from "./changes.ts";

export interface Namespace {
  readonly name: string;
  /** The labels written, plus `kubernetes.io/metadata.name` as the API server adds it. */
  readonly labels: Labels;
  /** True when no Namespace object declares it (referenced by an object, or always present). */
  readonly implicit: boolean;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nodeName: string;
  readonly ip: string;
  readonly serviceAccountName: string;
  readonly ports: readonly ContainerPort[];
  /** The object that made it: the Pod itself, or its Deployment or StatefulSet. */
  readonly owner: { readonly kind: "Pod" | "Deployment" | "StatefulSet"; readonly name: string };
  readonly source: SourceLocation;
}

export type PolicyObject = ManifestObject & { readonly kind: PolicyKind };

/** An object named in a `delete` step; `path` names where for errors. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly path?: FieldPath;
}

export type ResolvedEndpoint =
  | { readonly kind: "pod"; readonly pod: Pod; readonly ip: string }
  | { readonly kind: "node"; readonly node: Node; readonly ip: string }
  | { readonly kind: "world"; readonly ip: string }
  /** Its addresses (ClusterIP, NodePorts, ...) are the services layer's: src/core/services. */
  | { readonly kind: "service"; readonly service: ManifestObject; readonly ip?: undefined };

/** An endpoint that names nothing in the cluster; `problem` says why. */
export class UnresolvedEndpoint extends Error {
  override name = "UnresolvedEndpoint";
}

export interface ClusterInput {
  readonly nodes: readonly NodeInput[];
  readonly objects: readonly ManifestObject[];
  /** Seeds the names Kubernetes would generate at random. */
  readonly seed: number;
}

interface NodeAddressing {
  readonly node: PlannedNode;
  /** Next host number to try inside the podCIDR (2 skips the network address and the router's .1). */
  next: number;
}

export class Cluster {
  readonly nodes: readonly Node[];
  private readonly addressing: NodeAddressing[];
  private readonly objectsByKey = new Map<string, ManifestObject>();
  /** The same objects by kind, in the same order: a pod's change asks for the Services without a scan of every object. */
  private readonly objectsByKind = new Map<string, Map<string, ManifestObject>>();
  private readonly namespacesByName = new Map<string, Namespace>();
  private readonly podsByKey = new Map<string, Pod>();
  /** The keys of the pods each Pod, Deployment or StatefulSet made (ownerKey), so that reconciling one never scans every pod. */
  private readonly podsByOwner = new Map<string, Set<string>>();
  /** What the apply or delete under way changed. */
  private changes = new ChangeRecorder();
  /** Every IP a pod has held in this run: never reused, so that stale conntrack never meets a new pod. */
  private readonly usedAddresses = new Map<number, string>();
  private readonly ignored: string[] = [];
  private placed = 0;

  constructor(private readonly input: ClusterInput) {
    const planned = planNodes(input.nodes);
    this.nodes = planned.map(({ cidr: _cidr, address: _address, ...node }) => node);
    this.addressing = planned.map((node) => ({ node, next: 2 }));
    for (const name of alwaysPresentNamespaces) this.ensureNamespace(name);
    // Written pod IPs are reserved first, so that allocation never hands one out before its pod is seen.
    for (const object of input.objects) {
      if (object.kind === "Pod" && object.podIP !== undefined) this.reserveWrittenIP(object, object.podIP);
    }
    this.apply(input.objects);
    if (!this.objectsByKey.has(objectKey("Service", "kube-system", "kube-dns"))) this.apply(kubeDnsObjects());
  }

  get namespaces(): Namespace[] {
    return [...this.namespacesByName.values()];
  }

  get pods(): Pod[] {
    return [...this.podsByKey.values()];
  }

  get services(): ManifestObject[] {
    return this.objectsOf("Service");
  }

  get endpointSlices(): ManifestObject[] {
    return this.objectsOf("EndpointSlice");
  }

  get policies(): PolicyObject[] {
    return [...this.objectsByKey.values()].filter(
      (object): object is PolicyObject =>
        object.kind === "NetworkPolicy" || object.kind === "CiliumNetworkPolicy" || object.kind === "CiliumClusterwideNetworkPolicy",
    );
  }

  /** Kinds seen and ignored, each once, in the order first seen. */
  get ignoredKinds(): string[] {
    return [...this.ignored];
  }

  /** All objects currently applied, in the order first applied. */
  get objects(): ManifestObject[] {
    return [...this.objectsByKey.values()];
  }

  namespace(name: string): Namespace | undefined {
    return this.namespacesByName.get(name);
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.podsByKey.get(`${namespace}/${name}`);
  }

  node(name: string): Node | undefined {
    return this.nodes.find((node) => node.name === name);
  }

  noteIgnored(kind: string): void {
    if (!this.ignored.includes(kind)) this.ignored.push(kind);
  }

  /** Creates or replaces each object by kind, namespace and name, in order, as `kubectl apply`; returns what changed. */
  apply(objects: readonly ManifestObject[]): ClusterChanges {
    const changes = (this.changes = new ChangeRecorder());
    for (const object of objects) {
      if (object.namespace !== undefined) this.ensureNamespace(object.namespace);
      const key = objectKey(object.kind, object.namespace, object.name);
      this.objectsByKey.set(key, object);
      let ofKind = this.objectsByKind.get(object.kind);
      if (!ofKind) this.objectsByKind.set(object.kind, (ofKind = new Map()));
      ofKind.set(key, object);
      changes.object(object.kind, key);
      if (object.kind === "Namespace") this.declareNamespace(object);
      if (object.kind === "Pod" || object.kind === "Deployment" || object.kind === "StatefulSet") this.reconcilePods(object);
    }
    return changes;
  }

  /** Deletes each object; deleting a Namespace deletes what is in it. A missing object is an error, as with kubectl. */
  delete(refs: readonly ObjectRef[]): ClusterChanges {
    const changes = (this.changes = new ChangeRecorder());
    for (const ref of refs) {
      const key = objectKey(ref.kind, ref.namespace, ref.name);
      const object = this.objectsByKey.get(key);
      const implicitNamespace = ref.kind === "Namespace" && this.namespacesByName.has(ref.name);
      if (!object && !implicitNamespace) {
        const problem = `${ref.kind} ${ref.namespace === undefined ? "" : `${ref.namespace}/`}${ref.name} does not exist`;
        throw ref.path ? ref.path.error(problem) : new Error(problem);
      }
      if (ref.kind === "Namespace") {
        if ((alwaysPresentNamespaces as readonly string[]).includes(ref.name)) {
          const problem = `namespace "${ref.name}" cannot be deleted`;
          throw ref.path ? ref.path.error(problem) : new Error(problem);
        }
        for (const [otherKey, other] of this.objectsByKey) {
          if (other.namespace === ref.name) this.removeObject(otherKey, other);
        }
        this.namespacesByName.delete(ref.name);
        changes.namespaces.add(ref.name);
      }
      if (object) this.removeObject(key, object);
    }
    return changes;
  }

  /** What an endpoint of a scenario names, now. Throws UnresolvedEndpoint with the reason. */
  resolveEndpoint(endpoint: Endpoint): ResolvedEndpoint {
    switch (endpoint.kind) {
      case "pod": {
        const pod = this.pod(endpoint.namespace, endpoint.name);
        if (!pod) throw new UnresolvedEndpoint(`no pod ${endpoint.namespace}/${endpoint.name}${this.podHint(endpoint.namespace)}`);
        return { kind: "pod", pod, ip: pod.ip };
      }
      case "deployment": {
        const pod = this.pods.find(
          (candidate) => candidate.namespace === endpoint.namespace && candidate.owner.kind === "Deployment" && candidate.owner.name === endpoint.name,
        );
        if (!this.objectsByKey.has(objectKey("Deployment", endpoint.namespace, endpoint.name))) {
          throw new UnresolvedEndpoint(`no Deployment ${endpoint.namespace}/${endpoint.name}`);
        }
        if (!pod) throw new UnresolvedEndpoint(`Deployment ${endpoint.namespace}/${endpoint.name} has no pods (replicas: 0)`);
        return { kind: "pod", pod, ip: pod.ip };
      }
      case "node": {
        const node = this.node(endpoint.name);
        if (!node) throw new UnresolvedEndpoint(`no node "${endpoint.name}" (nodes: ${this.nodes.map((each) => each.name).join(", ")})`);
        return { kind: "node", node, ip: node.internalIP };
      }
      case "world": {
        const inside = this.clusterOwnerOf(endpoint.ip);
        if (inside) throw new UnresolvedEndpoint(`${endpoint.ip} is inside the cluster (${inside}); world: is for addresses outside it`);
        return { kind: "world", ip: endpoint.ip };
      }
      case "ip": {
        const pod = this.pods.find((candidate) => candidate.ip === endpoint.ip);
        if (pod) return { kind: "pod", pod, ip: pod.ip };
        const node = this.nodes.find((candidate) => candidate.internalIP === endpoint.ip);
        if (node) return { kind: "node", node, ip: node.internalIP };
        const inside = this.clusterOwnerOf(endpoint.ip);
        if (inside) throw new UnresolvedEndpoint(`no pod has IP ${endpoint.ip} (${inside})`);
        return { kind: "world", ip: endpoint.ip };
      }
      case "service": {
        const service = this.objectsByKey.get(objectKey("Service", endpoint.namespace, endpoint.name));
        if (!service) {
          const known = this.services.filter((each) => each.namespace === endpoint.namespace).map((each) => each.name);
          throw new UnresolvedEndpoint(`no Service ${endpoint.namespace}/${endpoint.name} (Services in ${endpoint.namespace}: ${known.join(", ") || "none"})`);
        }
        return { kind: "service", service };
      }
      case "fqdn":
        throw new UnresolvedEndpoint(`${formatEndpoint(endpoint)}: ${endpoint.kind} endpoints are not modelled yet`);
    }
  }

  private objectsOf(kind: ManifestObject["kind"]): ManifestObject[] {
    return [...(this.objectsByKind.get(kind)?.values() ?? [])];
  }

  private podHint(namespace: string): string {
    const names = this.pods.filter((pod) => pod.namespace === namespace).map((pod) => pod.name);
    if (!this.namespacesByName.has(namespace)) return ` (no namespace "${namespace}")`;
    return names.length === 0 ? ` (namespace "${namespace}" has no pods)` : ` (pods in ${namespace}: ${names.join(", ")})`;
  }

  private clusterOwnerOf(ip: string): string | undefined {
    const address = parseIPv4(ip) as number;
    const node = this.addressing.find(({ node: each }) => prefixHolds(each.cidr, address) || each.address === address);
    if (!node) return undefined;
    return node.node.address === address ? `node "${node.node.name}"'s internal IP` : `node "${node.node.name}"'s podCIDR ${node.node.podCIDR}`;
  }

  private ensureNamespace(name: string): void {
    if (!this.namespacesByName.has(name)) {
      this.namespacesByName.set(name, { name, labels: { "kubernetes.io/metadata.name": name }, implicit: true });
      this.changes.namespaces.add(name);
    }
  }

  private declareNamespace(object: ManifestObject): void {
    this.changes.namespaces.add(object.name);
    this.namespacesByName.set(object.name, {
      name: object.name,
      labels: { ...object.labels, "kubernetes.io/metadata.name": object.name },
      implicit: false,
    });
  }

  private removeObject(key: string, object: ManifestObject): void {
    this.objectsByKey.delete(key);
    this.objectsByKind.get(object.kind)?.delete(key);
    this.changes.object(object.kind, key);
    const owner = ownerKey(object.kind, object.namespace, object.name);
    for (const podKey of this.podsByOwner.get(owner) ?? []) this.removePod(podKey);
    this.podsByOwner.delete(owner);
  }

  private removePod(key: string): void {
    this.podsByKey.delete(key);
    this.changes.pods.add(key);
  }

  /** The pods an object asks for, by name; existing ones keep their node and IP. */
  private reconcilePods(object: ManifestObject & { kind: "Pod" | "Deployment" | "StatefulSet" }): void {
    const namespace = object.namespace as string;
    const wanted = this.desiredPods(object);
    const wantedNames = new Set(wanted.map((each) => each.name));
    const owner = ownerKey(object.kind, namespace, object.name);
    let owned = this.podsByOwner.get(owner);
    if (owned === undefined) this.podsByOwner.set(owner, (owned = new Set()));
    for (const podKey of owned) {
      if (wantedNames.has((this.podsByKey.get(podKey) as Pod).name)) continue;
      this.removePod(podKey);
      owned.delete(podKey);
    }
    for (const { name, labels } of wanted) {
      const key = `${namespace}/${name}`;
      const existing = this.podsByKey.get(key);
      if (existing && (existing.owner.kind !== object.kind || existing.owner.name !== object.name)) {
        throw this.field(object, ["metadata", "name"]).error(`pod ${key} already exists (made by ${existing.owner.kind} ${namespace}/${existing.owner.name})`);
      }
      const placement = existing ? this.keepPlacement(object, existing) : this.place(object);
      owned.add(key);
      this.changes.pods.add(key);
      this.podsByKey.set(key, {
        namespace,
        name,
        labels,
        nodeName: placement.nodeName,
        ip: placement.ip,
        serviceAccountName: object.template.spec.serviceAccountName,
        ports: object.template.spec.ports,
        owner: { kind: object.kind, name: object.name },
        source: object.source,
      });
    }
  }

  private desiredPods(object: ManifestObject & { kind: "Pod" | "Deployment" | "StatefulSet" }): { name: string; labels: Labels }[] {
    const { seed } = this.input;
    const template = object.template;
    if (object.kind === "Pod") return [{ name: object.name, labels: object.labels }];
    const templateText = canonicalJson((object.body.spec as Record<string, unknown>).template);
    const hash = podTemplateHash(seed, `${object.namespace}/${object.name}/${templateText}`);
    if (object.kind === "StatefulSet") {
      return Array.from({ length: object.replicas }, (_, index) => ({
        name: `${object.name}-${index}`,
        labels: {
          ...template.labels,
          "apps.kubernetes.io/pod-index": String(index),
          "controller-revision-hash": `${object.name}-${hash}`,
          "statefulset.kubernetes.io/pod-name": `${object.name}-${index}`,
        },
      }));
    }
    const names = new Set<string>();
    return Array.from({ length: object.replicas }, (_, index) => {
      let attempt = 0;
      let name: string;
      do {
        name = `${object.name}-${hash}-${nameSuffix(seed, `${object.namespace}/${object.name}/${hash}/${index}/${attempt++}`)}`;
      } while (names.has(name));
      names.add(name);
      return { name, labels: { ...template.labels, "pod-template-hash": hash } };
    });
  }

  /** A replaced Pod stays where it is: its node and IP cannot change, as the API server says. */
  private keepPlacement(object: ManifestObject & { kind: "Pod" | "Deployment" | "StatefulSet" }, pod: Pod): { nodeName: string; ip: string } {
    const spec = object.template.spec;
    if (spec.nodeName !== undefined && spec.nodeName !== pod.nodeName) {
      throw this.field(object, pathToNodeName(object)).error(
        `cannot move pod ${pod.namespace}/${pod.name} from ${pod.nodeName} to ${spec.nodeName} (spec.nodeName is immutable)`,
      );
    }
    if (object.kind === "Pod" && object.podIP !== undefined && formatIPv4(object.podIP) !== pod.ip) {
      throw this.field(object, ["status", "podIP"]).error(`cannot change pod ${pod.namespace}/${pod.name}'s IP from ${pod.ip}`);
    }
    return { nodeName: pod.nodeName, ip: pod.ip };
  }

  private place(object: ManifestObject & { kind: "Pod" | "Deployment" | "StatefulSet" }): { nodeName: string; ip: string } {
    const spec = object.template.spec;
    const written = object.kind === "Pod" ? object.podIP : undefined;
    let node: NodeAddressing | undefined;
    if (spec.nodeName !== undefined) {
      node = this.addressing.find((each) => each.node.name === spec.nodeName);
      if (!node) {
        throw this.field(object, pathToNodeName(object)).error(`no node "${spec.nodeName}" (nodes: ${this.nodes.map((each) => each.name).join(", ")})`);
      }
    } else if (written !== undefined) {
      // A pod with an IP but no node goes where its IP belongs.
      node = this.addressing.find((each) => prefixHolds(each.node.cidr, written));
    } else {
      node = this.addressing[this.placed++ % this.addressing.length];
    }
    if (written !== undefined) {
      const address = this.reserveWrittenIP(object as ManifestObject & { kind: "Pod" }, written, node);
      return { nodeName: (node as NodeAddressing).node.name, ip: address };
    }
    return { nodeName: (node as NodeAddressing).node.name, ip: this.allocate(node as NodeAddressing, object) };
  }

  private reserveWrittenIP(object: ManifestObject & { kind: "Pod" }, address: number, node?: NodeAddressing): string {
    const key = `${object.namespace}/${object.name}`;
    const path = this.field(object, ["status", "podIP"]);
    const text = formatIPv4(address);
    const holder = this.usedAddresses.get(address);
    if (holder !== undefined && holder !== key) throw path.error(`${text} is already pod ${holder}'s IP`);
    const owner = node ?? this.addressing.find((each) => prefixHolds(each.node.cidr, address));
    if (!owner)
      throw path.error(`${text} is not inside any node's podCIDR (${this.addressing.map((each) => `${each.node.name} ${each.node.podCIDR}`).join(", ")})`);
    if (!prefixHolds(owner.node.cidr, address)) {
      throw path.error(`${text} is not inside node "${owner.node.name}"'s podCIDR ${owner.node.podCIDR}`);
    }
    const host = address - owner.node.cidr.address;
    const size = 2 ** (32 - owner.node.cidr.length);
    if (host < 2 || host === size - 1) throw path.error(`${text} is the network, router (.1) or broadcast address of ${owner.node.podCIDR}`);
    this.usedAddresses.set(address, key);
    return text;
  }

  private allocate(addressing: NodeAddressing, object: ManifestObject): string {
    const { cidr } = addressing.node;
    const size = 2 ** (32 - cidr.length);
    while (addressing.next < size - 1) {
      const address = cidr.address + addressing.next++;
      if (!this.usedAddresses.has(address)) {
        this.usedAddresses.set(address, `${object.namespace}/${object.name}`);
        return formatIPv4(address);
      }
    }
    throw this.field(object, ["metadata", "name"]).error(`node "${addressing.node.name}"'s podCIDR ${addressing.node.podCIDR} has no free address left`);
  }

  /** The path of a field of an object, for errors that name its line. */
  private field(object: ManifestObject, keys: readonly string[]): FieldPath {
    const item: Item = { file: object.source.file, name: object.item, line: object.source.line };
    let path = FieldPath.root(item, object.body);
    let container: unknown = object.body;
    for (const key of keys) {
      if (typeof container !== "object" || container === null || locationOf(container) === undefined) break;
      path = path.child(container, key);
      container = (container as Record<string, unknown>)[key];
    }
    return path;
  }
}

/** Who made a pod: its Pod, Deployment or StatefulSet. */
function ownerKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function pathToNodeName(object: ManifestObject & { kind: "Pod" | "Deployment" | "StatefulSet" }): string[] {
  return object.kind === "Pod" ? ["spec", "nodeName"] : ["spec", "template", "spec", "nodeName"];
}

export function isImplicit(object: ManifestObject): boolean {
  return object.source.file === implicitFile;
}
