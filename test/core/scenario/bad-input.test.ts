// Every file of test/fixtures/scenarios-bad/ is refused with exactly this
// message: the file, the YAML line, the item and the field, then the problem.

import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { InputError } from "../../../src/core/model/index.ts";
import { readScenario } from "../../../src/core/scenario/index.ts";

const folder = "test/fixtures/scenarios-bad";

const expected: Record<string, string> = {
  "bad-api-version.yaml": `${folder}/bad-api-version.yaml:1: field "apiVersion": "ebbflow.io/v1" is not ebbflow.io/v1alpha1`,
  "bad-duration.yaml": `${folder}/bad-duration.yaml:21: traffic[1] (wait): field "wait": "45 seconds" is not a duration (write it as Go does: 45s, 1m30s, 500ms)`,
  "bad-policy-reference.yaml": `${folder}/bad-policy-reference.yaml:20: traffic[0] "frontend reaches backend": field "expect.policy": "shop/allow/frontend/extra" is not a policy reference (NS/NAME, KIND/NS/NAME, or NAME and KIND/NAME for clusterwide policies)`,
  "bad-scenario-name.yaml": `${folder}/bad-scenario-name.yaml:4: field "metadata.name": "Bad_Input" is not a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)`,
  "bad-verdict.yaml": `${folder}/bad-verdict.yaml:20: traffic[0] "frontend reaches backend": field "expect.verdict": "ALLOWED" is not one of FORWARDED, DROPPED`,
  "delete-missing-object.yaml": `${folder}/delete-missing-object.yaml:21: traffic[1] (delete): field "delete[0]": CiliumNetworkPolicy shop/allow-frontend does not exist`,
  "deployment-selector-mismatch.yaml": `${folder}/deployment-selector-mismatch.yaml:20: objects[2] Deployment "shop/web": field "spec.selector": does not match the template's labels`,
  "dns-attempt.yaml": `${folder}/dns-attempt.yaml:20: traffic[0] "frontend reaches backend": field "dns": not supported yet: DNS requests in traffic (dns:) (comes with the DNS proxy and FQDN policy issue, not yet filed)`,
  "drop-reason-when-forwarded.yaml": `${folder}/drop-reason-when-forwarded.yaml:20: traffic[0] "frontend reaches backend": field "expect.dropReason": only applies to verdict DROPPED`,
  "duplicate-pod-ip.yaml": `${folder}/duplicate-pod-ip.yaml:24: objects[3] Pod "shop/queue": field "status.podIP": 10.244.1.10 is already pod shop/cache's IP`,
  "duplicate-traffic-names.yaml": `${folder}/duplicate-traffic-names.yaml:21: traffic[1] "frontend reaches backend": field "name": "frontend reaches backend" is already the name of the item at line 16`,
  "egress-gateway-enabled.yaml": `${folder}/egress-gateway-enabled.yaml:7: spec.cilium: field "egressGateway.enabled": not supported yet: cilium.egressGateway.enabled: true (comes with the egress gateway issue, not yet filed)`,
  "egress-gateway-policy.yaml": `${folder}/egress-gateway-policy.yaml:16: objects[2]: field "kind": not supported yet: CiliumEgressGatewayPolicy (comes with the egress gateway issue, not yet filed)`,
  "encryption-enabled.yaml": `${folder}/encryption-enabled.yaml:7: spec.cilium: field "encryption.enabled": not supported yet: cilium.encryption.enabled: true (comes with the transparent encryption issue, not yet filed)`,
  "end-port-below-port.yaml": `${folder}/end-port-below-port.yaml:22: objects[2] NetworkPolicy "shop/p": field "spec.ingress[0].ports[0].endPort": 80 is below port 8080`,
  "except-outside-cidr.yaml": `${folder}/except-outside-cidr.yaml:22: objects[2] CiliumNetworkPolicy "shop/p": field "spec.egress[0].toCIDRSet[0].except[0]": 198.51.100.0/28 is not inside 203.0.113.0/24`,
  "expect-backend.yaml": `${folder}/expect-backend.yaml:20: traffic[0] "frontend reaches backend": field "expect.backend": only applies to verdict FORWARDED (a backend answered)`,
  "fqdn-target.yaml": `${folder}/fqdn-target.yaml:18: traffic[0] "frontend reaches backend": field "to": not supported yet: targets by DNS name (fqdn:) (comes with the DNS proxy and FQDN policy issue, not yet filed)`,
  "http-attempt.yaml": `${folder}/http-attempt.yaml:20: traffic[0] "frontend reaches backend": field "http": not supported yet: HTTP requests in traffic (http:) (comes with the L7 proxy issue, not yet filed)`,
  "icmp-with-port.yaml": `${folder}/icmp-with-port.yaml:19: traffic[0] "frontend reaches backend": field "port": ICMP has no port (leave it out: the attempt is an echo request)`,
  "invalid-yaml.yaml": `${folder}/invalid-yaml.yaml:10: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
  "kind-wrong-api-version.yaml": `${folder}/kind-wrong-api-version.yaml:15: objects[2]: field "apiVersion": NetworkPolicy is networking.k8s.io/v1, not "v1"`,
  "l7-rule.yaml": `${folder}/l7-rule.yaml:24: objects[2] CiliumNetworkPolicy "shop/p": field "spec.ingress[0].toPorts[0].rules": not supported yet: L7 rules (toPorts.rules: http, dns, kafka, l7) (comes with the L7 proxy issue, not yet filed)`,
  "label-value-not-string.yaml": `${folder}/label-value-not-string.yaml:17: objects[2] Pod "shop/cache": field "metadata.labels.port": label values are strings; got 6379 (quote it)`,
  "malformed-cidr.yaml": `${folder}/malformed-cidr.yaml:22: objects[2] NetworkPolicy "shop/p": field "spec.ingress[0].from[0].ipBlock.cidr": "10.0.0.0/33": prefix length "33" is not 0-32`,
  "manifest-not-a-mapping.yaml": `${folder}/manifests/not-a-mapping.yaml:5: document 2: a manifest must be a mapping (apiVersion, kind, metadata, ...)`,
  "missing-file.yaml": `${folder}/missing-file.yaml:7: field "spec.files[0]": ${folder}/manifests/policies.yaml does not exist`,
  "missing-pod.yaml": `${folder}/missing-pod.yaml:18: traffic[0] "frontend reaches backend": field "to": no pod shop/database (pods in shop: frontend, backend)`,
  "missing-verdict.yaml": `${folder}/missing-verdict.yaml:20: traffic[0] "frontend reaches backend": field "expect.verdict": is required`,
  "non-mapping-document.yaml": `${folder}/non-mapping-document.yaml:1: a scenario must be a mapping, got a list`,
  "overlapping-pod-cidrs.yaml": `${folder}/overlapping-pod-cidrs.yaml:8: nodes[1] "node-2": field "podCIDR": 10.244.2.0/24 overlaps node "node-1"'s podCIDR`,
  "pod-ip-outside-cidr.yaml": `${folder}/pod-ip-outside-cidr.yaml:19: objects[2] Pod "shop/cache": field "status.podIP": 10.245.0.10 is not inside any node's podCIDR (node-1 10.244.1.0/24)`,
  "policy-reference-missing.yaml": `${folder}/policy-reference-missing.yaml:20: traffic[0] "frontend reaches backend": field "expect.policy": no policy shop/allow-frontend exists at this point (policies: none)`,
  "policy-types-three.yaml": `${folder}/policy-types-three.yaml:20: objects[2] NetworkPolicy "shop/p": field "spec.policyTypes": may not specify more than two policyTypes`,
  "port-out-of-range.yaml": `${folder}/port-out-of-range.yaml:19: traffic[0] "frontend reaches backend": field "port": 70000 is out of range 1-65535`,
  "repeat-zero.yaml": `${folder}/repeat-zero.yaml:20: traffic[0] "frontend reaches backend": field "repeat": 0 is out of range 1-10000`,
  "selector-bad-operator.yaml": `${folder}/selector-bad-operator.yaml:21: objects[2] NetworkPolicy "shop/p": field "spec.podSelector.matchExpressions[0].operator": "Equals" is not one of In, NotIn, Exists, DoesNotExist`,
  "selector-exists-with-values.yaml": `${folder}/selector-exists-with-values.yaml:21: objects[2] CiliumNetworkPolicy "shop/p": field "spec.endpointSelector.matchExpressions[0].values": must be empty when operator is Exists`,
  "selector-in-without-values.yaml": `${folder}/selector-in-without-values.yaml:21: objects[2] NetworkPolicy "shop/p": field "spec.podSelector.matchExpressions[0].values": must be non-empty when operator is In`,
  "service-external-ip.yaml": `${folder}/service-external-ip.yaml:18: objects[2] Service "shop/web": field "spec.externalIPs[0]": "192.168.10.300" is not an IPv4 address`,
  "service-load-balancer-ip.yaml": `${folder}/service-load-balancer-ip.yaml:23: objects[2] Service "shop/web": field "status.loadBalancer.ingress[1].ip": "lb.example.com" is not an IPv4 address`,
  "service-port-missing.yaml": `${folder}/service-port-missing.yaml:23: traffic[0] "frontend reaches backend": field "port": Service shop/web has no TCP port 8080 (ports: 80/TCP)`,
  "service-target.yaml": `${folder}/service-target.yaml:18: traffic[0] "frontend reaches backend": field "to": no Service shop/backend (Services in shop: none)`,
  "tcp-without-port.yaml": `${folder}/tcp-without-port.yaml:16: traffic[0] "frontend reaches backend": field "port": is required`,
  "to-fqdns.yaml": `${folder}/to-fqdns.yaml:21: objects[2] CiliumNetworkPolicy "shop/p": field "spec.egress[0].toFQDNs": not supported yet: toFQDNs (comes with the DNS proxy and FQDN policy issue, not yet filed)`,
  "load-balancer-hybrid.yaml": `${folder}/load-balancer-hybrid.yaml:7: spec.cilium: field "loadBalancer.mode": not supported by ebbflow: cilium.loadBalancer.mode: hybrid (DSR for TCP, SNAT for UDP)`,
  "tunnel-routing.yaml": `${folder}/tunnel-routing.yaml:7: spec.cilium: field "routingMode": not supported yet: cilium.routingMode: tunnel (comes with the tunnel routing issue, not yet filed)`,
  "two-l3-peer-kinds.yaml": `${folder}/two-l3-peer-kinds.yaml:22: objects[2] CiliumNetworkPolicy "shop/p": field "spec.ingress[0].fromCIDR": cannot be combined with fromEndpoints in one rule`,
  "unknown-drop-reason.yaml": `${folder}/unknown-drop-reason.yaml:20: traffic[0] "frontend reaches backend": field "expect.dropReason": "DENIED_BY_POLICY" is not one of Hubble's DropReason names (e.g. POLICY_DENIED, POLICY_DENY, CT_TRUNCATED_OR_INVALID_HEADER)`,
  "unknown-entity.yaml": `${folder}/unknown-entity.yaml:21: objects[2] CiliumNetworkPolicy "shop/p": field "spec.ingress[0].fromEntities[1]": "internet" is not one of all, world, world-ipv4, world-ipv6, cluster, host, remote-node, kube-apiserver, init, health, unmanaged, ingress, none`,
  "unknown-hook.yaml": `${folder}/unknown-hook.yaml:20: traffic[0] "frontend reaches backend": field "expect.hook": "pod-egres" is not one of pod-egress, pod-ingress, host-ingress, host-egress, xdp, socket, proxy`,
  "unknown-kind.yaml": `${folder}/unknown-kind.yaml:16: objects[2]: field "kind": unknown kind "NetworkPolicyy" in networking.k8s.io/v1 (supported: NetworkPolicy; ignored: Ingress, IngressClass)`,
  "unknown-node.yaml": `${folder}/unknown-node.yaml:18: objects[2] Pod "shop/cache": field "spec.nodeName": no node "node-3" (nodes: node-1)`,
  "unknown-protocol.yaml": `${folder}/unknown-protocol.yaml:20: traffic[0] "frontend reaches backend": field "protocol": "HTTP" is not one of TCP, UDP, ICMP, SCTP`,
  "unresolvable-to.yaml": `${folder}/unresolvable-to.yaml:18: traffic[0] "frontend reaches backend": field "to": "backend" is not one of pod:NS/NAME, deployment:NS/NAME, service:NS/NAME, node:NAME, world:IP, ip:IP, fqdn:NAME`,
  "wait-without-unit.yaml": `${folder}/wait-without-unit.yaml:21: traffic[1] (wait): field "wait": 45 has no unit (write e.g. 45s)`,
  "world-inside-cluster.yaml": `${folder}/world-inside-cluster.yaml:17: traffic[0] "frontend reaches backend": field "from": 10.244.1.77 is inside the cluster (node "node-1"'s podCIDR 10.244.1.0/24); world: is for addresses outside it`,
  "wrong-field.yaml": `${folder}/wrong-field.yaml:20: traffic[0] "frontend reaches backend": field "prot": unknown field (expected one of: name, from, to, protocol, port, http, dns, repeat, expect)`,
};

describe("bad scenario files", () => {
  test.each(Object.entries(expected))("%s", (file, message) => {
    let thrown: unknown;
    try {
      readScenario(`${folder}/${file}`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).message).toBe(message);
    expect((thrown as InputError).message).not.toContain("    at ");
  });

  test("every fixture has its expected message, and there are at least 35", () => {
    const files = readdirSync(folder)
      .filter((name) => name.endsWith(".yaml"))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(35);
  });
});
