// Services and EndpointSlices read into service ports: frontends of every
// type, backends from slices or selectors, and the mistakes refused with the
// file, item and field.

import { describe, expect, test } from "vitest";
import { InputError } from "../../../src/core/model/index.ts";
import { readServicePorts, ServiceAllocator } from "../../../src/core/services/index.ts";
import { clusterOf, webPods } from "./cluster.ts";

const read = (text: string) => readServicePorts(clusterOf(webPods + text), new ServiceAllocator(1));
const only = (text: string, service = "shop/web") => read(text).filter((port) => port.service === service);

describe("frontends", () => {
  test("a ClusterIP Service answers on its ClusterIP, port by port", () => {
    const [port] = only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, clusterIP: 10.96.5.5, ports: [{name: http, port: 80, targetPort: http}]}`);
    expect(port.frontends).toEqual([{ kind: "ClusterIP", address: "10.96.5.5", port: 80, protocol: "TCP" }]);
    expect(port.backends.map((b) => [b.pod, b.address, b.port, b.node])).toEqual([
      ["shop/web-0", "10.244.1.10", 8080, "node-1"],
      ["shop/web-1", "10.244.2.10", 8080, "node-2"],
    ]);
  });

  test("NodePort, LoadBalancer and externalIPs add their frontends; a missing NodePort is allocated in 30000-32767", () => {
    const [port] = only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  externalIPs: [198.51.100.20]
  ports: [{port: 443, targetPort: 8080}]
status: {loadBalancer: {ingress: [{ip: 198.51.100.10}]}}`);
    const kinds = port.frontends.map((f) => `${f.kind} ${f.address}`);
    expect(kinds).toEqual(
      expect.arrayContaining(["NodePort 192.168.10.11", "NodePort 192.168.10.12", "LoadBalancer 198.51.100.10", "ExternalIP 198.51.100.20"]),
    );
    const nodePort = port.frontends.find((f) => f.kind === "NodePort")!.port;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    expect(port.frontends.find((f) => f.kind === "ClusterIP")!.address).toMatch(/^10\.96\./);
  });

  test("an allocated ClusterIP or NodePort is the same in every run of a seed", () => {
    const text = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}`;
    expect(only(text)[0].frontends).toEqual(only(text)[0].frontends);
  });

  test("headless and ExternalName Services have no frontend", () => {
    expect(
      only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}`),
    ).toEqual([]);
  });
});

describe("backends", () => {
  test("a selector matching no pod gives a service without backends (Kubernetes' behaviour)", () => {
    const [port] = only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: nothing}, ports: [{port: 80}]}`);
    expect(port.backends).toEqual([]);
  });

  test("EndpointSlices give ready, and serving terminating, endpoints at the slice's port", () => {
    const [port] = only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints:
- {addresses: [10.244.1.10]}
- {addresses: [10.244.2.10], conditions: {ready: false, serving: true, terminating: true}}
ports: [{name: http, port: 9090}]`);
    expect(port.backends.map((b) => [b.pod, b.port, b.terminating])).toEqual([
      ["shop/web-0", 9090, false],
      ["shop/web-1", 9090, true],
    ]);
  });

  test("sessionAffinity and traffic policies are read with Kubernetes' defaults", () => {
    const [port] = only(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, sessionAffinity: ClientIP, externalTrafficPolicy: Local, ports: [{port: 80}]}`);
    expect([port.affinityTimeout, port.externalLocal, port.internalLocal]).toEqual([10800, true, false]);
  });
});

describe("bad input", () => {
  const refused = (text: string) => {
    try {
      read(text);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  test("a NodePort outside the range", () => {
    expect(
      refused(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 8080}]}`),
    ).toBe(`services.yaml:17: document 3 Service "shop/web": field "spec.ports[0].nodePort": 8080 is outside the NodePort range 30000-32767`);
  });

  test("a NodePort already taken", () => {
    expect(
      refused(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: shop}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 81, nodePort: 30080}]}`),
    ).toMatch(/document 4 Service "shop\/other": field "spec.ports\[0\].nodePort": 30080\/TCP is already taken by shop\/web port 80$/);
  });

  test("a named targetPort that no selected pod has", () => {
    expect(
      refused(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: grpc}]}`),
    ).toMatch(/field "spec.ports\[0\].targetPort": no pod selected by the Service has a TCP container port named "grpc" \(pods: web-0, web-1\)$/);
  });

  test("a service port that no EndpointSlice port names", () => {
    expect(
      refused(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: https, port: 443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.244.1.10]}]
ports: [{name: http, port: 8080}]`),
    ).toMatch(/field "spec.ports\[0\]": no port named "https" \(TCP\) in the Service's EndpointSlices \(web-1\)$/);
  });

  test("an EndpointSlice address that is no pod", () => {
    expect(
      refused(`---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.244.1.99]}]
ports: [{name: http, port: 8080}]`),
    ).toMatch(
      /EndpointSlice "shop\/web-1": field "endpoints\[0\].addresses\[0\]": no pod has IP 10.244.1.99 \(an EndpointSlice's addresses must be pods of the cluster\)$/,
    );
  });
});
