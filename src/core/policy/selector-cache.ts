// Cilium's SelectorCache (pkg/policy/selectorcache.go): each distinct
// selector, keyed by what it says, knows the identities it selects, so that
// a policy's subjects and peers are matched against the identities once, not
// once per endpoint. Identities are indexed by label, so that a selector with
// an `In` requirement looks only at the identities holding one of its values.

import type { Identity, IdentityAllocation } from "../identity/index.ts";
import type { PeerTerm } from "./rule.ts";
import { peerIdentities } from "./peers.ts";
import { selectorMatches, type Selector } from "./selector.ts";

export class SelectorCache {
  private readonly byLabel = new Map<string, Identity[]>();
  private readonly byKey = new Map<string, Identity[]>();
  private readonly selections = new Map<string, readonly number[]>();
  private readonly peers = new WeakMap<PeerTerm, readonly number[]>();

  constructor(private readonly identities: IdentityAllocation) {
    for (const identity of identities.identities) {
      for (const label of identity.labels) {
        push(this.byLabel, `${label.key}=${label.value}`, identity);
        push(this.byKey, label.key, identity);
      }
    }
  }

  /** The identities `selector` selects, by ascending number. */
  select(selector: Selector): readonly number[] {
    const key = JSON.stringify(selector.requirements);
    let selected = this.selections.get(key);
    if (selected === undefined) {
      selected = this.candidates(selector)
        .filter((identity) => selectorMatches(selector, identity.labels))
        .map((identity) => identity.id);
      this.selections.set(key, selected);
    }
    return selected;
  }

  /** The identities a rule's peer term selects (peerIdentities), computed once per term. */
  peer(term: PeerTerm): readonly number[] {
    let selected = this.peers.get(term);
    if (selected === undefined) {
      selected = term.kind === "selector" ? this.select(term.selector) : peerIdentities(term, this.identities);
      this.peers.set(term, selected);
    }
    return selected;
  }

  /** The fewest identities that can match: those holding a value an `In` or a key an `Exists` requires. */
  private candidates(selector: Selector): readonly Identity[] {
    let best: readonly Identity[] = this.identities.identities;
    for (const requirement of selector.requirements) {
      let candidates: Identity[] | undefined;
      if (requirement.operator === "In") {
        if (requirement.values.length === 1) candidates = this.byLabel.get(`${requirement.key}=${requirement.values[0]}`) ?? [];
        else {
          const holding = requirement.values.flatMap((value) => this.byLabel.get(`${requirement.key}=${value}`) ?? []);
          candidates = [...new Set(holding)].sort((a, b) => a.id - b.id);
        }
      } else if (requirement.operator === "Exists") {
        candidates = this.byKey.get(requirement.key) ?? [];
      }
      if (candidates !== undefined && candidates.length < best.length) best = candidates;
    }
    return best;
  }
}

function push(map: Map<string, Identity[]>, key: string, identity: Identity): void {
  const list = map.get(key);
  // One identity may hold a key under two sources: it is a candidate once.
  if (!list) map.set(key, [identity]);
  else if (list[list.length - 1] !== identity) list.push(identity);
}
