// What the runtime gives the plugin: the CNI_* environment and the network
// configuration on stdin, checked field by field. A mistake is a CniError
// naming the variable or the field, with the specification's code.

import { isAbsolute } from "node:path";
import { parseIPv4 } from "../../src/util/ipv4.ts";
import { CniCode, CniError } from "./errors.ts";

/** The versions of the specification this plugin speaks; results are written in the last. */
export const SUPPORTED_VERSIONS = ["1.0.0"] as const;
export const RESULT_VERSION = SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1];

export type CniCommand = "ADD" | "DEL" | "CHECK" | "VERSION";
const COMMANDS: readonly CniCommand[] = ["ADD", "DEL", "CHECK", "VERSION"];

export interface CniEnvironment {
  command: CniCommand;
  containerId: string;
  /** The pod's interface name inside its namespace, e.g. eth0. */
  ifName: string;
  /** The pod's network namespace, a path; DEL may go without it. */
  netns: string | undefined;
}

/** The node this plugin wires pods on: where its shared maps are pinned, and its constants. */
export interface NodeSection {
  /** A bpffs directory: the node's maps (eb_ipcache, eb_ct4, eb_events, ...) pinned by name, the endpoints' own maps beside them. */
  pinRoot: string;
  /** `hash_seed` of the node's objects: the seed of backend selection. */
  hashSeed: number;
  /** cilium `loadBalancer.mode: dsr` (NodeConfig.loadBalancer.dsr): `lb_mode_dsr` of bpf_lxc. Optional, default false (SNAT), as Cilium's default mode. */
  dsr: boolean;
}

/** The pod's endpoint: bpf_lxc's constants (bpf/lib/config_endpoint.h) and its address. */
export interface EndpointSection {
  /** Cilium's endpoint ID, 1..65535: in events, and in the names of the endpoint's pinned maps. */
  id: number;
  /** The pod's IPv4 address. */
  ip: string;
  /** The ifindex the host side of the veth gets in the node's namespace. */
  ifindex: number;
  /** The pod's security identity. */
  identity: number;
  /** Whether a policy selects the endpoint in that direction (default deny). */
  ingressEnforced: boolean;
  egressEnforced: boolean;
}

/** The result of the ADD that CHECK and DEL are about, as far as this plugin reads it. */
export interface PreviousResult {
  interfaces: { name: string; sandbox?: string }[];
  ips: { address: string }[];
}

export interface NetworkConfig {
  cniVersion: string;
  name: string;
  type: string;
  node: NodeSection;
  endpoint: EndpointSection;
  prevResult: PreviousResult | undefined;
}

type Json = Record<string, unknown>;

/** Reads the CNI_* variables the command needs. */
export function parseEnvironment(env: NodeJS.ProcessEnv): CniEnvironment {
  const command = env.CNI_COMMAND;
  if (command === undefined || command === "") throw invalidEnv("CNI_COMMAND is not set");
  if (!COMMANDS.includes(command as CniCommand)) throw invalidEnv(`CNI_COMMAND=${command} is not a command of this plugin (${COMMANDS.join(", ")})`);
  if (command === "VERSION") return { command, containerId: "", ifName: "", netns: undefined };

  const containerId = env.CNI_CONTAINERID ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId)) {
    throw invalidEnv(
      containerId === "" ? "CNI_CONTAINERID is not set" : `CNI_CONTAINERID=${containerId} is not letters, digits, _, . and - beginning with a letter or digit`,
    );
  }
  const ifName = env.CNI_IFNAME ?? "";
  // The kernel's dev_valid_name: 1 to 15 bytes, no '/', ':' or white space, not "." or "..".
  if (!/^[^/:\s]{1,15}$/.test(ifName) || ifName === "." || ifName === "..") {
    throw invalidEnv(
      ifName === "" ? "CNI_IFNAME is not set" : `CNI_IFNAME=${ifName} is not a valid interface name (1 to 15 characters, no '/', ':' or spaces)`,
    );
  }
  const netns = env.CNI_NETNS || undefined;
  if (netns === undefined && command !== "DEL") throw invalidEnv(`CNI_NETNS is not set: ${command} needs the pod's network namespace`);
  if (netns !== undefined && !isAbsolute(netns)) throw invalidEnv(`CNI_NETNS=${netns} is not an absolute path`);
  return { command: command as CniCommand, containerId, ifName, netns };
}

const invalidEnv = (message: string) => new CniError(CniCode.invalidEnvironment, message);

/** Decodes stdin as JSON; VERSION's input is read with this alone. */
export function decodeJson(stdin: string): unknown {
  try {
    return JSON.parse(stdin);
  } catch (error) {
    throw new CniError(CniCode.decodeFailure, `the network configuration on stdin is not JSON: ${(error as Error).message}`);
  }
}

/** Checks a network configuration: the specification's fields, then this plugin's `node` and `endpoint` sections. */
export function parseNetworkConfig(input: unknown): NetworkConfig {
  if (!isObject(input)) throw invalidConfig("the network configuration must be a JSON object");
  const cniVersion = string(input, "cniVersion", "");
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion)) {
    throw new CniError(CniCode.incompatibleVersion, `cniVersion ${cniVersion} is not supported: this plugin speaks ${SUPPORTED_VERSIONS.join(", ")}`);
  }
  const name = string(input, "name", "");
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw invalidConfig(`name: "${name}" must be letters, digits, _, . and - beginning with a letter or digit`);
  const type = string(input, "type", "");

  const node = section(input, "node", ["pinRoot", "hashSeed", "dsr"]);
  const pinRoot = string(node, "pinRoot", "node.");
  if (!isAbsolute(pinRoot)) throw invalidConfig(`node.pinRoot: "${pinRoot}" must be an absolute path (a bpffs directory)`);

  const endpoint = section(input, "endpoint", ["id", "ip", "ifindex", "identity", "ingressEnforced", "egressEnforced"]);
  const ip = string(endpoint, "ip", "endpoint.");
  if (parseIPv4(ip) === undefined) throw invalidConfig(`endpoint.ip: "${ip}" is not an IPv4 address`);

  return {
    cniVersion,
    name,
    type,
    node: { pinRoot, hashSeed: integer(node, "hashSeed", "node.", 0, 0xffff_ffff), dsr: node.dsr === undefined ? false : boolean(node, "dsr", "node.") },
    endpoint: {
      id: integer(endpoint, "id", "endpoint.", 1, 0xffff),
      ip,
      ifindex: integer(endpoint, "ifindex", "endpoint.", 1, 0x7fff_ffff),
      identity: integer(endpoint, "identity", "endpoint.", 1, 0xffff_ffff),
      ingressEnforced: boolean(endpoint, "ingressEnforced", "endpoint."),
      egressEnforced: boolean(endpoint, "egressEnforced", "endpoint."),
    },
    prevResult: input.prevResult === undefined ? undefined : previousResult(input.prevResult),
  };
}

/** prevResult: only what CHECK compares (interface names, addresses). */
function previousResult(value: unknown): PreviousResult {
  if (!isObject(value)) throw invalidConfig("prevResult must be an object (the result of ADD)");
  const list = (field: "interfaces" | "ips") => {
    const items = value[field] ?? [];
    if (!Array.isArray(items) || !items.every(isObject)) throw invalidConfig(`prevResult.${field} must be a list of objects`);
    return items;
  };
  return {
    interfaces: list("interfaces").map((item, i) => ({
      name: string(item, "name", `prevResult.interfaces[${i}].`),
      ...(item.sandbox === undefined ? {} : { sandbox: string(item, "sandbox", `prevResult.interfaces[${i}].`) }),
    })),
    ips: list("ips").map((item, i) => ({ address: string(item, "address", `prevResult.ips[${i}].`) })),
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const invalidConfig = (message: string) => new CniError(CniCode.invalidConfig, message);

/** One of this plugin's sections: every field present, no field it does not know. */
function section(config: Json, key: string, fields: readonly string[]): Json {
  const value = config[key];
  if (!isObject(value)) throw invalidConfig(`${key}: ${value === undefined ? "is missing" : "must be an object"} (fields: ${fields.join(", ")})`);
  for (const [field, fieldValue] of Object.entries(value)) {
    if (!fields.includes(field)) {
      throw new CniError(CniCode.unsupportedField, `${key}.${field}: ${JSON.stringify(fieldValue)} is not a field of ${key} (fields: ${fields.join(", ")})`);
    }
  }
  return value;
}

function string(object: Json, field: string, path: string): string {
  const value = object[field];
  if (typeof value !== "string" || value === "")
    throw invalidConfig(`${path}${field}: ${value === undefined ? "is missing" : `${JSON.stringify(value)} must be a non-empty string`}`);
  return value;
}

function integer(object: Json, field: string, path: string, minimum: number, maximum: number): number {
  const value = object[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum || value > maximum) {
    const range = `an integer from ${minimum} to ${maximum}`;
    throw invalidConfig(`${path}${field}: ${value === undefined ? `is missing (${range})` : `${JSON.stringify(value)} must be ${range}`}`);
  }
  return value;
}

function boolean(object: Json, field: string, path: string): boolean {
  const value = object[field];
  if (typeof value !== "boolean")
    throw invalidConfig(`${path}${field}: ${value === undefined ? "is missing" : `${JSON.stringify(value)} must be true or false`}`);
  return value;
}
