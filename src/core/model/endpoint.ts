// The `from:` / `to:` / `at:` syntax of scenario files: what a name refers to,
// before it is resolved against a cluster.

import { parseIPv4 } from "../../util/ipv4.ts";
import { dnsLabelProblem, dnsSubdomainProblem } from "./names.ts";

export type Endpoint =
  | { readonly kind: "pod" | "deployment" | "service"; readonly namespace: string; readonly name: string }
  | { readonly kind: "node"; readonly name: string }
  | { readonly kind: "world" | "ip"; readonly ip: string }
  | { readonly kind: "fqdn"; readonly name: string };

export type EndpointKind = Endpoint["kind"];

export const endpointSyntax: Record<EndpointKind, string> = {
  pod: "pod:NS/NAME",
  deployment: "deployment:NS/NAME",
  service: "service:NS/NAME",
  node: "node:NAME",
  world: "world:IP",
  ip: "ip:IP",
  fqdn: "fqdn:NAME",
};

/** Parses `kind:value`; returns a problem when the text does not follow the syntax. */
export function parseEndpoint(text: string): Endpoint | { readonly problem: string } {
  const colon = text.indexOf(":");
  const kind = text.slice(0, colon) as EndpointKind;
  const value = text.slice(colon + 1);
  if (colon < 0 || !Object.hasOwn(endpointSyntax, kind)) {
    return { problem: `"${text}" is not one of ${Object.values(endpointSyntax).join(", ")}` };
  }
  switch (kind) {
    case "pod":
    case "deployment":
    case "service": {
      const parts = value.split("/");
      if (parts.length !== 2) return { problem: `"${text}" must be written ${endpointSyntax[kind]}` };
      const [namespace, name] = parts;
      const problem = dnsLabelProblem(namespace) ?? dnsSubdomainProblem(name);
      if (problem) return { problem: `in "${text}": ${problem}` };
      return { kind, namespace, name };
    }
    case "node": {
      const problem = dnsSubdomainProblem(value);
      return problem ? { problem: `in "${text}": ${problem}` } : { kind, name: value };
    }
    case "world":
    case "ip":
      if (value.includes(":")) return { problem: `"${text}": IPv6 addresses are not supported` };
      if (parseIPv4(value) === undefined) return { problem: `"${value}" in "${text}" is not an IPv4 address` };
      return { kind, ip: value };
    case "fqdn": {
      const name = value.endsWith(".") ? value.slice(0, -1) : value;
      const problem = dnsSubdomainProblem(name.toLowerCase());
      return problem ? { problem: `in "${text}": ${problem}` } : { kind, name };
    }
  }
}

export function formatEndpoint(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case "pod":
    case "deployment":
    case "service":
      return `${endpoint.kind}:${endpoint.namespace}/${endpoint.name}`;
    case "node":
    case "fqdn":
      return `${endpoint.kind}:${endpoint.name}`;
    case "world":
    case "ip":
      return `${endpoint.kind}:${endpoint.ip}`;
  }
}
