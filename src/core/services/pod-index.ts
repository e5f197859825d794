// The pods a Service's selector names, found without scanning every pod for
// every Service (Kubernetes' EndpointSlice controller keeps a pod lister by
// namespace and labels): pods by namespace and by each label, in the
// cluster's order, so that the selected pods come in the order a scan gives.

import type { Pod } from "../model/index.ts";
import { selectorMatches } from "../model/selector.ts";

const labelKey = (namespace: string, key: string, value: string) => `${namespace}\0${key}\0${value}`;

export class PodIndex {
  private readonly byNamespace = new Map<string, Pod[]>();
  private readonly byLabel = new Map<string, Pod[]>();

  constructor(pods: readonly Pod[]) {
    const push = (map: Map<string, Pod[]>, key: string, pod: Pod) => {
      const list = map.get(key);
      if (list) list.push(pod);
      else map.set(key, [pod]);
    };
    for (const pod of pods) {
      push(this.byNamespace, pod.namespace, pod);
      for (const [key, value] of Object.entries(pod.labels)) push(this.byLabel, labelKey(pod.namespace, key, value), pod);
    }
  }

  /** The pods of `namespace` whose labels hold every pair of `selector`, in the cluster's order. */
  selected(namespace: string, selector: Readonly<Record<string, string>>): Pod[] {
    let candidates = this.byNamespace.get(namespace) ?? [];
    for (const [key, value] of Object.entries(selector)) {
      const withLabel = this.byLabel.get(labelKey(namespace, key, String(value))) ?? [];
      if (withLabel.length < candidates.length) candidates = withLabel;
    }
    return candidates.filter((pod) => selectorMatches({ matchLabels: selector, matchExpressions: [] }, pod.labels));
  }
}
