// A scenario file, read and checked: plain data, every item with the place
// it was written.

import type { Endpoint } from "../model/endpoint.ts";
import type { ObjectRef } from "../model/cluster.ts";
import type { IgnoredObject, ManifestObject } from "../model/manifest.ts";
import type { NodeInput } from "../model/nodes.ts";
import type { SourceLocation } from "../model/source.ts";

export const attemptProtocols = ["TCP", "UDP", "ICMP", "SCTP"] as const;
export type AttemptProtocol = (typeof attemptProtocols)[number];

export const verdicts = ["FORWARDED", "DROPPED"] as const;
export type Verdict = (typeof verdicts)[number];

export const hooks = ["pod-egress", "pod-ingress", "host-ingress", "host-egress", "xdp", "socket", "proxy"] as const;
export type Hook = (typeof hooks)[number];

/** A policy named by `expect.policy`: NS/NAME, KIND/NS/NAME, or NAME (clusterwide). */
export interface PolicyReference {
  readonly text: string;
  readonly kind: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string;
}

export interface Expectation {
  readonly verdict: Verdict;
  readonly dropReason?: string;
  readonly policy?: PolicyReference;
  readonly hook?: Hook;
  /** `pod:NS/NAME`: the service backend that answered. */
  readonly backend?: Endpoint & { readonly kind: "pod" };
}

export interface Attempt {
  readonly kind: "attempt";
  readonly name: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly protocol: AttemptProtocol;
  /** Destination port; undefined for ICMP (echo request). */
  readonly port: number | undefined;
  /** How many connections to open, each from a new source port. */
  readonly repeat: number;
  readonly expect: Expectation;
  readonly source: SourceLocation;
  /** Lines of the fields checked against the cluster later (from, to, port, expect.policy, expect.backend). */
  readonly fieldLines: Readonly<Record<string, number>>;
}

export interface ApplyStep {
  readonly kind: "apply";
  readonly objects: readonly ManifestObject[];
  readonly ignored: readonly IgnoredObject[];
  readonly source: SourceLocation;
}

export interface DeleteStep {
  readonly kind: "delete";
  readonly refs: readonly ObjectRef[];
  readonly source: SourceLocation;
}

export interface WaitStep {
  readonly kind: "wait";
  /** As written, e.g. "45s". */
  readonly text: string;
  readonly nanoseconds: number;
  readonly source: SourceLocation;
}

export type TrafficItem = Attempt | ApplyStep | DeleteStep | WaitStep;

/** How a raw packet is given: one frame in hex, every frame of a capture, or built from headers. */
export type PacketFrames =
  | { readonly kind: "hex"; readonly bytes: Uint8Array }
  | { readonly kind: "pcap"; readonly path: string; readonly frames: readonly Uint8Array[] }
  | { readonly kind: "build"; readonly build: PacketBuild };

export interface PacketBuild {
  readonly ipv4: { readonly src: string; readonly dst: string; readonly ttl: number };
  readonly l4:
    | { readonly protocol: "TCP"; readonly sport: number; readonly dport: number; readonly flags: string }
    | { readonly protocol: "UDP" | "SCTP"; readonly sport: number; readonly dport: number }
    | { readonly protocol: "ICMP"; readonly type: number; readonly code: number };
  readonly payload: Uint8Array;
}

export interface PacketInjection {
  readonly name: string;
  /** The pod whose interface sends or receives it. */
  readonly at: Endpoint & { readonly kind: "pod" };
  readonly direction: "egress" | "ingress";
  readonly frames: PacketFrames;
  readonly expect: Expectation;
  readonly source: SourceLocation;
  /** Lines of the fields checked against the cluster later (at, expect.policy). */
  readonly fieldLines: Readonly<Record<string, number>>;
}

/** The Helm values of `cilium:` (helm-values.ts), with their defaults; kubeProxyReplacement is always true (false is refused). */
export interface CiliumConfig {
  readonly routingMode: "native";
  /** cilium `loadBalancer.mode`: NodePort, LoadBalancer and externalIPs traffic to a remote backend is SNATed, or answered directly (DSR). */
  readonly loadBalancerMode: "snat" | "dsr";
  readonly socketLB: boolean;
  /** cilium `socketLB.hostNamespaceOnly`: socket LB for the nodes' own processes only, pods' sockets untranslated. */
  readonly socketLBHostNamespaceOnly: boolean;
  readonly policyEnforcementMode: "default" | "always" | "never";
  /** Values given that a scenario does not use (`cilium.k8sServiceHost`, ...), for the summary. */
  readonly unused: readonly string[];
}

export interface DnsConfig {
  /** Name (or `*.` wildcard) to IPv4 addresses. */
  readonly records: Readonly<Record<string, readonly string[]>>;
  readonly ttl: number;
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly nodes: readonly NodeInput[];
  /** The manifests of `files:` then `objects:`, in order. */
  readonly objects: readonly ManifestObject[];
  /** Objects of kinds ebbflow ignores, for the summary. */
  readonly ignored: readonly IgnoredObject[];
  readonly cilium: CiliumConfig;
  readonly dns: DnsConfig;
  readonly traffic: readonly TrafficItem[];
  readonly packets: readonly PacketInjection[];
}
