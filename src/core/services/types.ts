// What the services layer computes from Services and EndpointSlices: each
// service port's frontends and backends, as the datapath's maps will hold
// them (lb-maps.ts encodes them per node).

export type ServiceProtocol = "TCP" | "UDP" | "SCTP";

/** How a frontend is reached (CILIUM-FACTS 6.1). */
export type FrontendKind = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalIP";

export interface Frontend {
  readonly kind: FrontendKind;
  readonly address: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  /** NodePort: the node whose address it is. */
  readonly node?: string;
}

export interface Backend {
  /** Cilium's backend ID: kept for the backend's life. */
  readonly id: number;
  /** "NAMESPACE/NAME" of the pod. */
  readonly pod: string;
  readonly node: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  /** Terminating backends keep their connections but take no new ones. */
  readonly terminating: boolean;
}

export interface ServicePort {
  /** "NAMESPACE/NAME" of the Service. */
  readonly service: string;
  /** The port's name, "" when unnamed. */
  readonly portName: string;
  readonly frontends: readonly Frontend[];
  /** Every backend, terminating ones included. */
  readonly backends: readonly Backend[];
  /** sessionAffinity ClientIP: its timeout in seconds. */
  readonly affinityTimeout: number | undefined;
  /** externalTrafficPolicy Local: traffic from outside only to the receiving node's backends. */
  readonly externalLocal: boolean;
  /** internalTrafficPolicy Local: pods only to their own node's backends. */
  readonly internalLocal: boolean;
}

/** The backends new connections may take: ready ones, else serving terminating ones (Kubernetes' fallback). */
export function selectableBackends(backends: readonly Backend[]): Backend[] {
  const active = backends.filter((backend) => !backend.terminating);
  return active.length > 0 ? active : [...backends];
}

export function formatFrontend(frontend: Pick<Frontend, "address" | "port" | "protocol">): string {
  return `${frontend.address}:${frontend.port}/${frontend.protocol}`;
}
