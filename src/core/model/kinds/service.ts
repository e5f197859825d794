// Service and EndpointSlice: checked for what load balancing will read (issue
// 6); other fields are accepted as written.

import { MappingReader } from "../fields.ts";
import { parseIPv4 } from "../../../util/ipv4.ts";
import { readLabels } from "../selector.ts";
import { refuse, refusedFeatures } from "../refused-features.ts";
import { readIPv4 } from "./policy-fields.ts";
import { readPortNumber, readPortOrName } from "../port.ts";

/** Annotations that change how Cilium balances a Service (pkg/annotation), refused until their issues. */
export function checkServiceAnnotations(metadata: MappingReader): void {
  const annotations = metadata.mapping("annotations");
  const global = annotations?.get("service.cilium.io/global");
  // Cilium reads the annotation as "true" in any case; anything else leaves the Service local.
  if (global !== undefined && String(global).toLowerCase() === "true") refuse(annotations!.at("service.cilium.io/global"), refusedFeatures.globalServices);
}

export function checkServiceSpec(spec: MappingReader): void {
  spec.oneOf("type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]);
  if (spec.has("selector")) readLabels(spec.get("selector"), spec.at("selector"));
  const clusterIP = spec.string("clusterIP");
  if (clusterIP !== undefined && clusterIP !== "None" && clusterIP !== "") {
    if (clusterIP.includes(":")) refuse(spec.at("clusterIP"), refusedFeatures.ipv6);
    if (parseIPv4(clusterIP) === undefined) spec.at("clusterIP").fail(`"${clusterIP}" is not an IPv4 address or None`);
  }
  for (const { value, path } of spec.list("externalIPs")) readIPv4(value, path);
  for (const { value, path } of spec.list("ports")) {
    const port = MappingReader.of(value, path);
    readPortNumber(port.require("port"), port.at("port"), 1);
    if (port.has("targetPort")) readPortOrName(port.get("targetPort"), port.at("targetPort"), 1);
    if (port.has("nodePort")) readPortNumber(port.get("nodePort"), port.at("nodePort"), 1);
    port.oneOf("protocol", ["TCP", "UDP", "SCTP"]);
    port.string("name");
  }
}

/** status.loadBalancer.ingress: the addresses a LoadBalancer Service is reached at (an entry may give a hostname instead). */
export function checkServiceStatus(status: MappingReader | undefined): void {
  for (const { value, path } of status?.mapping("loadBalancer")?.list("ingress") ?? []) {
    const entry = MappingReader.of(value, path);
    if (entry.has("ip")) readIPv4(entry.get("ip"), entry.at("ip"));
  }
}

export function checkEndpointSlice(slice: MappingReader): void {
  const addressType = slice.oneOf("addressType", ["IPv4", "IPv6", "FQDN"]);
  if (addressType === undefined) slice.at("addressType").fail("is required");
  if (addressType !== "IPv4") refuse(slice.at("addressType"), refusedFeatures.ipv6);
  for (const { value, path } of slice.list("endpoints")) {
    const endpoint = MappingReader.of(value, path);
    const addresses = endpoint.list("addresses");
    if (addresses.length === 0) endpoint.at("addresses").fail("an endpoint needs at least one address");
    for (const address of addresses) readIPv4(address.value, address.path);
  }
  for (const { value, path } of slice.list("ports")) {
    const port = MappingReader.of(value, path);
    if (port.has("port")) readPortNumber(port.get("port"), port.at("port"), 1);
    port.oneOf("protocol", ["TCP", "UDP", "SCTP"]);
    port.string("name");
  }
}
