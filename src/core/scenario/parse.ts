// A scenario file's text to a checked Scenario (see ../shared/SCENARIOS.md,
// the contract). Every field is read explicitly; unknown fields, wrong types
// and features ebbflow does not have yet are InputErrors naming the file, the
// line, the item and the field.

import { parseEndpoint, endpointSyntax, type Endpoint, type EndpointKind } from "../model/endpoint.ts";
import { FieldPath, isMapping, MappingReader, readList, readString, show, type Item } from "../model/fields.ts";
import { parseIPv4, parseIPv4Prefix } from "../../util/ipv4.ts";
import { supportedKinds, type SupportedKind } from "../model/manifest.ts";
import { dnsLabelProblem, dnsSubdomainProblem } from "../model/names.ts";
import { readPortNumber } from "../model/port.ts";
import type { NodeInput } from "../model/nodes.ts";
import type { ObjectRef } from "../model/cluster.ts";
import { InputError } from "../model/source.ts";
import { readYamlDocuments } from "../model/yaml-documents.ts";
import { PcapError, readPcapFrames } from "../packets/pcap.ts";
import { FileAccess, scenarioPath } from "./file-access.ts";
import { dropReasons } from "./drop-reasons.ts";
import { parseDuration } from "./duration.ts";
import { checkFrameSizes } from "./frame-size.ts";
import { add, readManifestFiles, type Manifests } from "./manifest-files.ts";
import { refuse, refusedFeatures } from "../model/refused-features.ts";
import { helmValues } from "./helm-values.ts";
import {
  attemptProtocols,
  hooks,
  verdicts,
  type ApplyStep,
  type Attempt,
  type CiliumConfig,
  type DeleteStep,
  type DnsConfig,
  type Expectation,
  type PacketBuild,
  type PacketFrames,
  type PacketInjection,
  type PolicyReference,
  type Scenario,
  type TrafficItem,
  type WaitStep,
} from "./types.ts";

export const scenarioApiVersion = "ebbflow.io/v1alpha1";

export function parseScenario(text: string, file: string, access: FileAccess = FileAccess.forScenario(file)): Scenario {
  const documents = readYamlDocuments(text, file);
  if (documents.length !== 1) {
    throw new InputError(file, documents[1]?.line, "", "", `a scenario file holds exactly one YAML document, found ${documents.length}`);
  }
  const [document] = documents;
  if (!isMapping(document.value)) throw new InputError(file, document.line, "", "", `a scenario must be a mapping, got ${show(document.value)}`);
  const top = MappingReader.of(document.value, FieldPath.root({ file, name: "", line: document.line }, document.value));
  top.allow("apiVersion", "kind", "metadata", "spec");
  const apiVersion = top.requireString("apiVersion");
  if (apiVersion !== scenarioApiVersion) top.at("apiVersion").fail(`"${apiVersion}" is not ${scenarioApiVersion}`);
  const kind = top.requireString("kind");
  if (kind !== "Scenario") top.at("kind").fail(`"${kind}" is not Scenario`);
  const metadata = top.requireMapping("metadata").allow("name", "description");
  const name = metadata.requireString("name");
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) metadata.at("name").fail(nameProblem);
  const description = metadata.string("description");

  const spec = top.requireMapping("spec").allow("nodes", "files", "objects", "cilium", "dns", "traffic", "packets");
  const nodes = readNodes(spec, file);
  const manifests: Manifests = { objects: [], ignored: [] };
  for (const { value, path } of spec.list("files")) readManifestFiles(value, path, file, access, manifests);
  spec.list("objects").forEach(({ value, path }, index) => add(value, file, `objects[${index}]`, path.line, manifests));
  const cilium = readCilium(spec.mapping("cilium"), file);
  const dns = readDns(spec.mapping("dns"), file);
  const names = new Map<string, number>();
  const traffic = spec.list("traffic").map(({ value, path }, index) => readTrafficItem(value, path, index, file, names, access));
  const packets = spec.list("packets").map(({ value, path }, index) => readPacket(value, path, index, file, names, access));
  return { file, name, description, nodes, objects: manifests.objects, ignored: manifests.ignored, cilium, dns, traffic, packets };
}

function section(file: string, name: string, value: unknown, line: number): FieldPath {
  return FieldPath.root({ file, name, line }, value);
}

function readNodes(spec: MappingReader, file: string): NodeInput[] {
  if (!spec.has("nodes")) return [{ name: "node-1" }];
  const items = spec.list("nodes");
  if (items.length === 0) spec.at("nodes").fail("needs at least one node (or leave it out for the default node-1)");
  return items.map(({ value, path }, index) => {
    const rawName = isMapping(value) && typeof value.name === "string" ? ` "${value.name}"` : "";
    const item: Item = { file, name: `nodes[${index}]${rawName}`, line: path.line };
    const node = MappingReader.of(value, FieldPath.root(item, value)).allow("name", "podCIDR", "internalIP");
    const name = node.requireString("name");
    const problem = dnsSubdomainProblem(name);
    if (problem) node.at("name").fail(problem);
    const podCIDR = node.string("podCIDR");
    if (podCIDR !== undefined) {
      if (podCIDR.includes(":")) refuse(node.at("podCIDR"), refusedFeatures.ipv6);
      const cidr = parseIPv4Prefix(podCIDR);
      if (typeof cidr === "string") throw node.at("podCIDR").error(`"${podCIDR}": ${cidr}`);
      if (cidr.length > 30) node.at("podCIDR").fail(`"${podCIDR}" is too small for pods (at most /30)`);
    }
    const internalIP = node.string("internalIP");
    if (internalIP !== undefined) {
      if (internalIP.includes(":")) refuse(node.at("internalIP"), refusedFeatures.ipv6);
      if (parseIPv4(internalIP) === undefined) node.at("internalIP").fail(`"${internalIP}" is not an IPv4 address`);
    }
    return { name, podCIDR, internalIP, paths: { name: node.at("name"), podCIDR: node.at("podCIDR"), internalIP: node.at("internalIP") } };
  });
}

function readCilium(reader: MappingReader | undefined, file: string): CiliumConfig {
  const defaults: CiliumConfig = {
    routingMode: "native",
    loadBalancerMode: "snat",
    socketLB: true,
    socketLBHostNamespaceOnly: false,
    policyEnforcementMode: "default",
    unused: [],
  };
  if (!reader) return defaults;
  const cilium = MappingReader.of(reader.value, section(file, "spec.cilium", reader.value, reader.path.line));
  const unused: string[] = [];
  checkHelmKeys(cilium, "", unused);
  const kubeProxyReplacement = cilium.get("kubeProxyReplacement");
  // Helm's chart takes the setting as a boolean or as the agent's string (false and "false" are refused by name above).
  if (kubeProxyReplacement !== undefined && kubeProxyReplacement !== true && kubeProxyReplacement !== "true") {
    cilium.at("kubeProxyReplacement").fail(`${show(kubeProxyReplacement)} is not one of true, false, "true", "false"`);
  }
  cilium.oneOf("routingMode", ["native", "tunnel"]);
  if (cilium.has("tunnelProtocol")) {
    cilium.oneOf("tunnelProtocol", ["vxlan", "geneve"]);
    cilium.at("tunnelProtocol").fail("only applies with routingMode: tunnel");
  }
  const mode = cilium.mapping("loadBalancer")?.oneOf("mode", ["snat", "dsr", "hybrid"]) as CiliumConfig["loadBalancerMode"] | undefined;
  const socketLB = cilium.mapping("socketLB");
  cilium.mapping("egressGateway")?.boolean("enabled");
  const encryption = cilium.mapping("encryption");
  encryption?.boolean("enabled");
  encryption?.oneOf("type", ["wireguard", "ipsec"]);
  cilium.mapping("ipv6")?.boolean("enabled");
  return {
    routingMode: "native",
    loadBalancerMode: mode ?? defaults.loadBalancerMode,
    socketLB: socketLB?.boolean("enabled") ?? defaults.socketLB,
    socketLBHostNamespaceOnly: socketLB?.boolean("hostNamespaceOnly") ?? defaults.socketLBHostNamespaceOnly,
    policyEnforcementMode: cilium.oneOf("policyEnforcementMode", ["default", "always", "never"]) ?? defaults.policyEnforcementMode,
    unused,
  };
}

/**
 * Checks the keys of the `cilium:` block (at `prefix`) against the table of
 * Helm values: refuses unknown keys and settings refused by name, and
 * collects the values a scenario does not use.
 */
function checkHelmKeys(values: MappingReader, prefix: string, unused: string[]): void {
  const known = [...new Set(Object.keys(helmValues).flatMap((key) => (key.startsWith(prefix) ? [key.slice(prefix.length).split(".")[0]] : [])))];
  for (const [key, value] of Object.entries(values.value)) {
    const path = prefix + key;
    const at = values.at(key);
    const entry = Object.hasOwn(helmValues, path) ? helmValues[path] : undefined;
    if (entry?.use === "refused") refuse(at, entry.feature);
    else if (entry?.use === "unused") {
      if (entry.only && !entry.only.includes(value)) at.fail(`${show(value)} is not ${entry.only.map(show).join(" or ")}: ${entry.why}`);
      unused.push(`cilium.${path}`);
    } else if (entry?.use === "read") {
      const refusal = entry.refused?.find((each) => each.values.includes(value));
      if (refusal) refuse(at, refusal.feature);
    } else if (known.includes(key)) checkHelmKeys(MappingReader.of(value, at), `${path}.`, unused);
    else at.fail(`unknown field (expected one of: ${known.join(", ")})`);
  }
}

function readDns(reader: MappingReader | undefined, file: string): DnsConfig {
  if (!reader) return { records: {}, ttl: 30 };
  const dns = MappingReader.of(reader.value, section(file, "spec.dns", reader.value, reader.path.line)).allow("records", "ttl");
  const records: Record<string, string[]> = {};
  const table = dns.mapping("records");
  for (const [name, addresses] of Object.entries(table?.value ?? {})) {
    const path = (table as MappingReader).at(name);
    const bare = name.replace(/^\*\./, "").replace(/\.$/, "");
    const problem = dnsSubdomainProblem(bare.toLowerCase());
    if (problem) path.fail(problem);
    records[name] = readList(addresses, path).map(({ value, path: addressPath }) => {
      const address = readString(value, addressPath);
      if (address.includes(":")) refuse(addressPath, refusedFeatures.ipv6);
      if (parseIPv4(address) === undefined) addressPath.fail(`"${address}" is not an IPv4 address`);
      return address;
    });
  }
  return { records, ttl: dns.integer("ttl", 0, 604800) ?? 30 };
}

function itemName(base: string, value: unknown): string {
  return isMapping(value) && typeof value.name === "string" ? `${base} ${JSON.stringify(value.name)}` : base;
}

function claimName(name: string, path: FieldPath, names: Map<string, number>): void {
  const first = names.get(name);
  if (first !== undefined) path.fail(`"${name}" is already the name of the item at line ${first}`);
  names.set(name, path.line);
}

function readTrafficItem(value: unknown, path: FieldPath, index: number, file: string, names: Map<string, number>, access: FileAccess): TrafficItem {
  if (!isMapping(value)) path.fail(`expected a mapping (an attempt, or an apply, delete or wait step), got ${show(value)}`);
  const steps = ["apply", "delete", "wait"].filter((key) => key in value);
  if (steps.length > 0) {
    const item: Item = { file, name: `traffic[${index}] (${steps[0]})`, line: path.line };
    const step = MappingReader.of(value, FieldPath.root(item, value)).allow(steps[0]);
    return readStep(step, steps[0] as "apply" | "delete" | "wait", file, access);
  }
  const item: Item = { file, name: itemName(`traffic[${index}]`, value), line: path.line };
  return readAttempt(MappingReader.of(value, FieldPath.root(item, value)), names);
}

function readAttempt(attempt: MappingReader, names: Map<string, number>): Attempt {
  attempt.allow("name", "from", "to", "protocol", "port", "http", "dns", "repeat", "expect");
  if (!attempt.has("name")) attempt.path.fail(`needs a "name" (an attempt) or one of apply, delete, wait (a step)`);
  const name = attempt.requireString("name");
  claimName(name, attempt.at("name"), names);
  if (attempt.has("http")) refuse(attempt.at("http"), refusedFeatures.httpAttempts);
  if (attempt.has("dns")) refuse(attempt.at("dns"), refusedFeatures.dnsAttempts);
  const from = readEndpoint(attempt, "from", ["pod", "deployment", "node", "world"]);
  const to = readEndpoint(attempt, "to", ["pod", "deployment", "node", "service", "ip", "world", "fqdn"]);
  const protocol = attempt.oneOf("protocol", attemptProtocols) ?? "TCP";
  let port: number | undefined;
  if (protocol === "ICMP") {
    if (attempt.has("port")) attempt.at("port").fail("ICMP has no port (leave it out: the attempt is an echo request)");
  } else {
    port = readPortNumber(attempt.require("port"), attempt.at("port"), 1);
  }
  const repeat = attempt.integer("repeat", 1, 10000) ?? 1;
  const expect = readExpectation(attempt.requireMapping("expect"));
  const expectReader = attempt.requireMapping("expect");
  const fieldLines = {
    from: attempt.at("from").line,
    to: attempt.at("to").line,
    port: attempt.has("port") ? attempt.at("port").line : attempt.path.line,
    "expect.policy": expect.policy ? expectReader.at("policy").line : 0,
    "expect.backend": expect.backend ? expectReader.at("backend").line : 0,
  };
  return {
    kind: "attempt",
    name,
    from,
    to,
    protocol,
    port,
    repeat,
    expect,
    source: { file: attempt.path.item.file, line: attempt.path.item.line },
    fieldLines,
  };
}

function readEndpoint(reader: MappingReader, field: string, allowed: readonly EndpointKind[]): Endpoint {
  const text = reader.requireString(field);
  const endpoint = parseEndpoint(text);
  if ("problem" in endpoint) throw reader.at(field).error(endpoint.problem);
  if (!allowed.includes(endpoint.kind)) {
    reader.at(field).fail(`"${text}": ${endpoint.kind}: cannot be used here (use ${allowed.map((kind) => endpointSyntax[kind]).join(", ")})`);
  }
  if (endpoint.kind === "fqdn") refuse(reader.at(field), refusedFeatures.fqdnTargets);
  return endpoint;
}

function readExpectation(expect: MappingReader): Expectation {
  expect.allow("verdict", "dropReason", "httpStatus", "dnsRcode", "backend", "policy", "hook");
  if (expect.has("httpStatus")) refuse(expect.at("httpStatus"), refusedFeatures.httpStatus);
  if (expect.has("dnsRcode")) refuse(expect.at("dnsRcode"), refusedFeatures.dnsRcode);
  const verdict = expect.oneOf("verdict", verdicts);
  if (verdict === undefined) throw expect.at("verdict").error("is required");
  const dropReason = expect.string("dropReason");
  if (dropReason !== undefined) {
    if (!Object.hasOwn(dropReasons, dropReason))
      expect.at("dropReason").fail(`"${dropReason}" is not one of Hubble's DropReason names (e.g. POLICY_DENIED, POLICY_DENY, CT_TRUNCATED_OR_INVALID_HEADER)`);
    if (verdict !== "DROPPED") expect.at("dropReason").fail("only applies to verdict DROPPED");
  }
  const policyText = expect.string("policy");
  const policy = policyText === undefined ? undefined : readPolicyReference(policyText, expect.at("policy"));
  const hook = expect.oneOf("hook", hooks);
  const backend = expect.has("backend") ? readEndpoint(expect, "backend", ["pod"]) : undefined;
  if (backend && verdict !== "FORWARDED") expect.at("backend").fail("only applies to verdict FORWARDED (a backend answered)");
  const expectation: Expectation = { verdict, ...(dropReason && { dropReason }), ...(policy && { policy }), ...(hook && { hook }) };
  return backend?.kind === "pod" ? { ...expectation, backend: { kind: "pod", namespace: backend.namespace, name: backend.name } } : expectation;
}

const policyKinds = ["NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"];

/** NS/NAME, KIND/NS/NAME, KIND/NAME (clusterwide kinds) or NAME (clusterwide). */
function readPolicyReference(text: string, path: FieldPath): PolicyReference {
  const parts = text.split("/");
  const syntax = `"${text}" is not a policy reference (NS/NAME, KIND/NS/NAME, or NAME and KIND/NAME for clusterwide policies)`;
  let reference: PolicyReference;
  if (parts.length === 1) reference = { text, kind: undefined, namespace: undefined, name: parts[0] };
  else if (parts.length === 2 && policyKinds.includes(parts[0])) {
    if (parts[0] !== "CiliumClusterwideNetworkPolicy") path.fail(`"${text}": ${parts[0]} is namespaced: write ${parts[0]}/NS/NAME`);
    reference = { text, kind: parts[0], namespace: undefined, name: parts[1] };
  } else if (parts.length === 2) reference = { text, kind: undefined, namespace: parts[0], name: parts[1] };
  else if (parts.length === 3) {
    if (!policyKinds.includes(parts[0])) path.fail(`"${parts[0]}" in "${text}" is not one of ${policyKinds.join(", ")}`);
    if (parts[0] === "CiliumClusterwideNetworkPolicy") path.fail(`"${text}": CiliumClusterwideNetworkPolicy has no namespace: write ${parts[0]}/NAME`);
    reference = { text, kind: parts[0], namespace: parts[1], name: parts[2] };
  } else throw path.error(syntax);
  if (reference.namespace !== undefined && dnsLabelProblem(reference.namespace)) path.fail(syntax);
  if (dnsSubdomainProblem(reference.name)) path.fail(syntax);
  return reference;
}

function readStep(step: MappingReader, kind: "apply" | "delete" | "wait", file: string, access: FileAccess): ApplyStep | DeleteStep | WaitStep {
  const source = { file, line: step.path.item.line };
  if (kind === "wait") {
    const value = step.get("wait");
    if (typeof value === "number") step.at("wait").fail(`${value} has no unit (write e.g. ${value}s)`);
    const text = step.requireString("wait");
    const nanoseconds = parseDuration(text);
    if (typeof nanoseconds !== "number") throw step.at("wait").error(nanoseconds.problem);
    if (nanoseconds <= 0) step.at("wait").fail("must be longer than 0s");
    return { kind: "wait", text, nanoseconds, source };
  }
  if (kind === "apply") {
    const apply = step.requireMapping("apply").allow("files", "objects");
    if (!apply.has("files") && !apply.has("objects")) apply.path.fail("needs files or objects");
    const manifests: Manifests = { objects: [], ignored: [] };
    for (const { value, path } of apply.list("files")) readManifestFiles(value, path, file, access, manifests);
    for (const { value, path } of apply.list("objects")) add(value, file, `${step.path.item.name} ${path.field}`, path.line, manifests);
    return { kind: "apply", objects: manifests.objects, ignored: manifests.ignored, source };
  }
  const refs = step.list("delete").map(({ value, path }): ObjectRef => {
    const ref = MappingReader.of(value, path).allow("apiVersion", "kind", "namespace", "name");
    const kind = ref.requireString("kind");
    if (!Object.hasOwn(supportedKinds, kind)) ref.at("kind").fail(`"${kind}" is not one of ${Object.keys(supportedKinds).join(", ")}`);
    const entry = supportedKinds[kind as SupportedKind];
    const apiVersion = ref.string("apiVersion");
    if (apiVersion !== undefined && apiVersion !== entry.apiVersion) ref.at("apiVersion").fail(`${kind} is ${entry.apiVersion}, not "${apiVersion}"`);
    const name = ref.requireString("name");
    if (!entry.namespaced && ref.has("namespace")) ref.at("namespace").fail(`${kind} is cluster-scoped and has no namespace`);
    const namespace = entry.namespaced ? (ref.string("namespace") ?? "default") : undefined;
    return { kind, namespace, name, path };
  });
  if (refs.length === 0) step.at("delete").fail("names no object");
  return { kind: "delete", refs, source };
}

function readPacket(value: unknown, path: FieldPath, index: number, file: string, names: Map<string, number>, access: FileAccess): PacketInjection {
  const item: Item = { file, name: itemName(`packets[${index}]`, value), line: path.line };
  const packet = MappingReader.of(value, FieldPath.root(item, value)).allow("name", "at", "direction", "hex", "pcap", "build", "expect");
  const name = packet.requireString("name");
  claimName(name, packet.at("name"), names);
  const at = readEndpoint(packet, "at", ["pod"]) as PacketInjection["at"];
  const direction = packet.oneOf("direction", ["egress", "ingress"]);
  if (direction === undefined) throw packet.at("direction").error("is required (egress or ingress)");
  const given = ["hex", "pcap", "build"].filter((key) => packet.has(key));
  if (given.length !== 1) packet.path.fail(given.length === 0 ? "needs one of hex, pcap, build" : `give only one of ${given.join(", ")}`);
  let frames: PacketFrames;
  if (packet.has("hex")) frames = { kind: "hex", bytes: readHex(packet.requireString("hex"), packet.at("hex")) };
  else if (packet.has("pcap")) {
    const capture = scenarioPath(file, packet.requireString("pcap"));
    const field = packet.at("pcap");
    frames = {
      kind: "pcap",
      path: capture,
      frames: readCapture(
        access.read(capture, (problem) => field.fail(`${capture} ${problem}`)),
        capture,
        field,
      ),
    };
  } else frames = { kind: "build", build: readBuild(packet.requireMapping("build")) };
  checkFrameSizes(frames, packet);
  const expect = readExpectation(packet.requireMapping("expect"));
  const fieldLines = { at: packet.at("at").line, "expect.policy": expect.policy ? packet.requireMapping("expect").at("policy").line : 0 };
  return { name, at, direction, frames, expect, source: { file, line: item.line }, fieldLines };
}

/** A capture's frames, read when the scenario is: a broken capture is a refused field, not a failed replay. */
function readCapture(bytes: Uint8Array, capture: string, field: FieldPath): Uint8Array[] {
  let frames: Uint8Array[];
  try {
    frames = readPcapFrames(bytes, capture);
  } catch (error) {
    if (error instanceof PcapError) field.fail(error.message);
    throw error;
  }
  if (frames.length === 0) field.fail(`${capture} holds no packets`);
  return frames;
}

function readHex(text: string, path: FieldPath): Uint8Array {
  const digits = text.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(digits)) path.fail("expected whole bytes in hexadecimal (spaces and colons allowed)");
  return Uint8Array.from(digits.match(/../g) as string[], (byte) => parseInt(byte, 16));
}

function readBuild(build: MappingReader): PacketBuild {
  build.allow("ipv4", "tcp", "udp", "sctp", "icmp", "payload");
  const ipv4 = build.requireMapping("ipv4").allow("src", "dst", "ttl");
  const address = (field: string) => {
    const text = ipv4.requireString(field);
    if (parseIPv4(text) === undefined) ipv4.at(field).fail(`"${text}" is not an IPv4 address`);
    return text;
  };
  const header = { src: address("src"), dst: address("dst"), ttl: ipv4.integer("ttl", 1, 255) ?? 64 };
  const l4Fields = ["tcp", "udp", "sctp", "icmp"].filter((key) => build.has(key));
  if (l4Fields.length !== 1) build.path.fail(l4Fields.length === 0 ? "needs one of tcp, udp, sctp, icmp" : `give only one of ${l4Fields.join(", ")}`);
  const field = l4Fields[0];
  let l4: PacketBuild["l4"];
  if (field === "icmp") {
    const icmp = build.requireMapping("icmp").allow("type", "code");
    l4 = { protocol: "ICMP", type: icmp.integer("type", 0, 255) ?? 8, code: icmp.integer("code", 0, 255) ?? 0 };
  } else {
    const ports = build.requireMapping(field).allow("sport", "dport", ...(field === "tcp" ? ["flags"] : []));
    const sport = readPortNumber(ports.require("sport"), ports.at("sport"), 0);
    const dport = readPortNumber(ports.require("dport"), ports.at("dport"), 0);
    if (field === "tcp") {
      const flags = ports.string("flags") ?? "S";
      if (!/^[FSRPAUEC]*$/.test(flags)) ports.at("flags").fail(`"${flags}" is not a set of TCP flag letters (F S R P A U E C)`);
      l4 = { protocol: "TCP", sport, dport, flags };
    } else l4 = { protocol: field === "udp" ? "UDP" : "SCTP", sport, dport };
  }
  const payload = build.has("payload") ? readHex(build.requireString("payload"), build.at("payload")) : new Uint8Array();
  return { ipv4: header, l4, payload };
}
