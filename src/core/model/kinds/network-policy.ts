// Kubernetes NetworkPolicy (networking.k8s.io/v1), checked field by field with
// the API server's validation rules.

import { MappingReader } from "../fields.ts";
import { readLabelSelector } from "../selector.ts";
import { checkEndPort, checkExcept, readCidr } from "./policy-fields.ts";
import { readPortOrName } from "../port.ts";

export function checkNetworkPolicySpec(spec: MappingReader): void {
  spec.allow("podSelector", "policyTypes", "ingress", "egress");
  // Optional: absent or null is the empty selector, every pod of the namespace.
  if (spec.has("podSelector")) readLabelSelector(spec.get("podSelector"), spec.at("podSelector"));
  const types = spec.list("policyTypes").map(({ value, path }) => {
    if (value !== "Ingress" && value !== "Egress") path.fail(`${JSON.stringify(value)} is not one of Ingress, Egress`);
    return value;
  });
  // The API server accepts a type listed twice, but no more than two entries.
  if (types.length > 2) spec.at("policyTypes").fail("may not specify more than two policyTypes");
  for (const [direction, peersField] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    for (const { value, path } of spec.list(direction)) {
      const rule = MappingReader.of(value, path).allow(peersField, "ports");
      for (const peer of rule.list(peersField)) checkPeer(MappingReader.of(peer.value, peer.path));
      for (const port of rule.list("ports")) {
        const ports = MappingReader.of(port.value, port.path).allow("protocol", "port", "endPort");
        ports.oneOf("protocol", ["TCP", "UDP", "SCTP"]);
        if (ports.has("port")) readPortOrName(ports.get("port"), ports.at("port"), 1);
        checkEndPort(ports);
      }
    }
  }
}

function checkPeer(peer: MappingReader): void {
  peer.allow("podSelector", "namespaceSelector", "ipBlock");
  if (!peer.has("podSelector") && !peer.has("namespaceSelector") && !peer.has("ipBlock")) {
    peer.path.fail("a peer needs podSelector, namespaceSelector or ipBlock");
  }
  if (peer.has("ipBlock") && (peer.has("podSelector") || peer.has("namespaceSelector"))) {
    peer.at("ipBlock").fail("ipBlock cannot be combined with podSelector or namespaceSelector in one peer");
  }
  if (peer.has("podSelector")) readLabelSelector(peer.get("podSelector"), peer.at("podSelector"));
  if (peer.has("namespaceSelector")) readLabelSelector(peer.get("namespaceSelector"), peer.at("namespaceSelector"));
  const block = peer.mapping("ipBlock");
  if (block) {
    block.allow("cidr", "except");
    const cidr = readCidr(block.require("cidr"), block.at("cidr"), false);
    checkExcept(block, cidr);
  }
}
