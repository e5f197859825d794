// Mistakes in a policy, and features a later issue adds: each names the
// policy (KIND/NS/NAME) and the field, e.g. `spec.ingress[0].toPorts[1].ports[0].endPort`.

export class PolicyError extends Error {
  override name = "PolicyError";

  constructor(
    readonly policy: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${policy}: ${field}: ${detail}`);
  }
}

/** A valid policy using what ebbflow does not enforce yet (L7 rules, toFQDNs, ...). */
export class UnsupportedPolicyFeatureError extends PolicyError {
  override name = "UnsupportedPolicyFeatureError";

  constructor(
    policy: string,
    field: string,
    readonly feature: string,
  ) {
    super(policy, field, `${feature} is not supported yet`);
  }
}
