// Kubernetes name and label syntax (apimachinery's validation rules), as
// problems to report, or undefined when the text is valid.

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePart = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** RFC 1123 label: namespaces, scenario names, Service names, node names. */
export function dnsLabelProblem(text: string): string | undefined {
  if (text.length > 63) return `"${text}" is longer than 63 characters`;
  if (!dnsLabel.test(text)) return `"${text}" is not a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}

/** RFC 1123 subdomain: names of pods, policies and most objects. */
export function dnsSubdomainProblem(text: string): string | undefined {
  if (text.length > 253) return `"${text}" is longer than 253 characters`;
  if (!dnsSubdomain.test(text)) return `"${text}" is not a DNS subdomain name (lower-case letters, digits, '-' and '.')`;
  return undefined;
}

/** A label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix))) return `label key "${key}" has an invalid prefix`;
  if (name.length === 0 || name.length > 63 || !qualifiedNamePart.test(name)) return `"${key}" is not a valid label key`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `label value "${value}" is longer than 63 characters`;
  if (value !== "" && !qualifiedNamePart.test(value)) return `"${value}" is not a valid label value`;
  return undefined;
}

/** IANA service name, as used for named ports: at most 15 characters, a letter, no double hyphen. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || !/[a-z]/.test(name) || name.includes("--")) {
    return `"${name}" is not a valid port name (at most 15 lower-case letters, digits and '-', with a letter)`;
  }
  return undefined;
}
