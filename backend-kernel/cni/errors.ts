// Errors as the CNI specification reports them: a JSON object
// {cniVersion, code, msg, details} on stdout and a non-zero exit. Codes 1-99
// are the specification's; 100 and above are this plugin's own.

/** The codes this plugin reports. */
export const CniCode = {
  /** The configuration's cniVersion is not one this plugin speaks. */
  incompatibleVersion: 1,
  /** A field of the configuration is not one this plugin knows (the message names key and value). */
  unsupportedField: 2,
  /** The container's network namespace does not exist: nothing to clean up. */
  unknownContainer: 3,
  /** A CNI_* environment variable is missing or malformed (the message names it). */
  invalidEnvironment: 4,
  /** stdin is not JSON. */
  decodeFailure: 6,
  /** The configuration is JSON but not a valid one (the message names the field). */
  invalidConfig: 7,
  /** The machine cannot run the kernel datapath: not root, no libbpf addon, no bpffs. */
  kernelUnavailable: 100,
  /** An `ip` or `tc` command refused to wire the interface. */
  wiringFailed: 101,
  /** bpf_lxc could not be loaded, its maps pinned or its programs attached. */
  bpfFailed: 102,
  /** ADD found the interface or the endpoint's pinned maps already there. */
  endpointInUse: 103,
  /** CHECK found something ADD made missing or different. */
  checkFailed: 104,
  /** A fault of the plugin itself. */
  internal: 199,
} as const;

export type CniCodeValue = (typeof CniCode)[keyof typeof CniCode];

export class CniError extends Error {
  override readonly name = "CniError";
  constructor(
    readonly code: CniCodeValue,
    /** One line for the runtime's log. */
    readonly msg: string,
    /** More: the command that failed and what it printed, the kernel's words. */
    readonly details = "",
  ) {
    super(msg);
  }

  /** The specification's error object. */
  errorObject(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion, code: this.code, msg: this.msg, ...(this.details ? { details: this.details } : {}) };
  }
}
