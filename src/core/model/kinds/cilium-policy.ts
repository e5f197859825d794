// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2),
// checked with Cilium's own rule validation (pkg/policy/api/rule_validation.go):
// one L3 peer kind per rule, icmps apart from toPorts, ports and CIDRs well
// formed. Features ebbflow does not have yet are refused (refused-features.ts).

import { FieldPath, MappingReader, readString } from "../fields.ts";
import { readLabelSelector } from "../selector.ts";
import { refuse, refusedFeatures } from "../refused-features.ts";
import { checkEndPort, checkExcept, readCidr } from "./policy-fields.ts";
import { readPortOrName } from "../port.ts";

/** The entities of fromEntities / toEntities (pkg/policy/api/entity.go). */
export const ciliumEntities = [
  "all",
  "world",
  "world-ipv4",
  "world-ipv6",
  "cluster",
  "host",
  "remote-node",
  "kube-apiserver",
  "init",
  "health",
  "unmanaged",
  "ingress",
  "none",
] as const;

const directions = {
  ingress: { peer: "from", deny: false },
  ingressDeny: { peer: "from", deny: true },
  egress: { peer: "to", deny: false },
  egressDeny: { peer: "to", deny: true },
} as const;

/** Checks `spec` and `specs` of a Cilium policy object; at least one must hold a rule. */
export function checkCiliumPolicy(object: MappingReader): void {
  if (!object.has("spec") && !object.has("specs")) object.path.fail(`needs "spec" or "specs"`);
  if (object.has("spec")) checkRule(object.requireMapping("spec"));
  for (const { value, path } of object.list("specs")) checkRule(MappingReader.of(value, path));
}

function checkRule(rule: MappingReader): void {
  rule.allow("endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny", "labels", "description", "enableDefaultDeny", "log");
  if (rule.has("nodeSelector")) refuse(rule.at("nodeSelector"), refusedFeatures.hostPolicies);
  readLabelSelector(rule.require("endpointSelector"), rule.at("endpointSelector"), "cilium");
  rule.string("description");
  const defaultDeny = rule.mapping("enableDefaultDeny");
  if (defaultDeny) {
    defaultDeny.allow("ingress", "egress");
    defaultDeny.boolean("ingress");
    defaultDeny.boolean("egress");
  }
  const log = rule.mapping("log");
  if (log) log.allow("value").string("value");
  for (const { value, path } of rule.list("labels")) {
    MappingReader.of(value, path).allow("key", "value", "source").requireString("key");
  }
  const present = (Object.keys(directions) as (keyof typeof directions)[]).filter((direction) => rule.get(direction) !== undefined);
  if (present.length === 0) rule.path.fail("a rule needs at least one of ingress, ingressDeny, egress, egressDeny");
  for (const direction of present) {
    const { peer, deny } = directions[direction];
    for (const { value, path } of rule.list(direction)) checkDirectionRule(MappingReader.of(value, path), peer, deny);
  }
}

function checkDirectionRule(rule: MappingReader, peer: "from" | "to", deny: boolean): void {
  const l3 = [`${peer}Endpoints`, `${peer}CIDR`, `${peer}CIDRSet`, `${peer}Entities`, ...(peer === "to" ? ["toServices", "toFQDNs"] : [])];
  const refusedFields: Record<string, (typeof refusedFeatures)[keyof typeof refusedFeatures]> = {
    [`${peer}Requires`]: refusedFeatures.requires,
    [`${peer}Groups`]: refusedFeatures.groups,
    [`${peer}Nodes`]: refusedFeatures.nodePeers,
    toServices: refusedFeatures.toServices,
    toFQDNs: refusedFeatures.toFQDNs,
    authentication: refusedFeatures.authentication,
  };
  rule.allow(...l3, `${peer}Requires`, `${peer}Groups`, `${peer}Nodes`, "toPorts", "icmps", ...(deny ? [] : ["authentication"]));
  for (const [field, feature] of Object.entries(refusedFields)) {
    if (rule.get(field) !== undefined) refuse(rule.at(field), feature);
  }
  const l3Present = l3.filter((field) => rule.get(field) !== undefined);
  if (l3Present.length > 1) rule.at(l3Present[1]).fail(`cannot be combined with ${l3Present[0]} in one rule`);
  if (rule.has("toPorts") && rule.has("icmps")) rule.at("icmps").fail("cannot be combined with toPorts in one rule");

  for (const { value, path } of rule.list(`${peer}Endpoints`)) readLabelSelector(value, path, "cilium");
  for (const { value, path } of rule.list(`${peer}CIDR`)) readCidr(value, path, true);
  for (const { value, path } of rule.list(`${peer}CIDRSet`)) checkCidrRule(MappingReader.of(value, path));
  for (const { value, path } of rule.list(`${peer}Entities`)) {
    const entity = readString(value, path);
    if (!(ciliumEntities as readonly string[]).includes(entity)) path.fail(`"${entity}" is not one of ${ciliumEntities.join(", ")}`);
    // Cilium gives the identity to the API server's addresses; no pod, node or world host of a scenario is one.
    if (entity === "kube-apiserver") refuse(path, refusedFeatures.kubeApiserverEntity);
  }
  for (const { value, path } of rule.list("toPorts")) checkPortRule(MappingReader.of(value, path), deny);
  for (const { value, path } of rule.list("icmps")) checkIcmpRule(MappingReader.of(value, path));
}

function checkCidrRule(rule: MappingReader): void {
  rule.allow("cidr", "except", "cidrGroupRef", "cidrGroupSelector");
  if (rule.has("cidrGroupRef")) refuse(rule.at("cidrGroupRef"), refusedFeatures.cidrGroups);
  if (rule.has("cidrGroupSelector")) refuse(rule.at("cidrGroupSelector"), refusedFeatures.cidrGroups);
  const cidr = readCidr(rule.require("cidr"), rule.at("cidr"), false);
  checkExcept(rule, cidr);
}

function checkPortRule(rule: MappingReader, deny: boolean): void {
  // Cilium's deny port rules (PortDenyRule) have ports only: no L7, no TLS.
  if (deny) rule.allow("ports");
  else rule.allow("ports", "rules", "terminatingTLS", "originatingTLS", "serverNames", "listener");
  if (rule.has("rules")) refuse(rule.at("rules"), refusedFeatures.l7Rules);
  for (const field of ["terminatingTLS", "originatingTLS", "serverNames", "listener"]) {
    if (rule.has(field)) refuse(rule.at(field), refusedFeatures.tlsInspection);
  }
  const ports = rule.list("ports");
  if (ports.length > 40) rule.at("ports").fail("at most 40 ports per rule");
  for (const { value, path } of ports) {
    const port = MappingReader.of(value, path).allow("port", "endPort", "protocol");
    if (port.has("port")) readPortOrName(port.get("port"), port.at("port"), 0);
    port.oneOf("protocol", ["TCP", "UDP", "SCTP", "ANY"]);
    checkEndPort(port);
  }
}

const icmpTypeNames = [
  "EchoReply",
  "DestinationUnreachable",
  "Redirect",
  "Echo",
  "EchoRequest",
  "RouterAdvertisement",
  "RouterSelection",
  "TimeExceeded",
  "ParameterProblem",
  "Timestamp",
  "TimestampReply",
  "Photuris",
  "ExtendedEchoRequest",
  "ExtendedEchoReply",
];

function checkIcmpRule(rule: MappingReader): void {
  rule.allow("fields");
  const fields = rule.list("fields");
  if (fields.length > 40) rule.at("fields").fail("at most 40 fields per rule");
  for (const { value, path } of fields) {
    const field = MappingReader.of(value, path).allow("family", "type");
    const family = field.oneOf("family", ["IPv4", "IPv6"]) ?? "IPv4";
    if (family === "IPv6") refuse(field.at("family"), refusedFeatures.ipv6);
    checkIcmpType(field.require("type"), field.at("type"));
  }
}

function checkIcmpType(value: unknown, path: FieldPath): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 255) path.fail(`${value} is out of range 0-255`);
    return;
  }
  if (typeof value !== "string" || !icmpTypeNames.includes(value)) {
    path.fail(`${JSON.stringify(value)} is not an ICMP type number or one of ${icmpTypeNames.join(", ")}`);
  }
}
