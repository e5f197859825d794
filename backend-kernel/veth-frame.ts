// Carrying a frame longer than BPF_PROG_TEST_RUN takes through bpf_lxc at the
// real hook of a pod's veth, whose ends have the largest MTU. The frame is
// sent with an AF_PACKET socket (libbpf.ts sendFrame) from one end: out of
// the pod's eth0 for bpf_lxc's tc ingress on the host side (egress from the
// pod), or out of the host side through its tc egress for the pod (ingress).
// The other end's netfilter ingress hook, which the kernel runs after tc
// ingress (__netif_receive_skb_core), counts and drops what arrives there for
// the time of the injection: the frame goes no further than the one program,
// as in a test run, and its arrival says the program passed it. bpf_lxc
// returns TC_ACT_OK or TC_ACT_SHOT, and reports every drop with an event, so
// the two signals give its return code exactly: arrived, TC_ACT_OK; its own
// drop event, TC_ACT_SHOT.

import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { TcAction } from "../src/abi/generated.ts";
import { KernelBackendUnavailableError } from "./errors.ts";
import { sendFrame } from "./libbpf.ts";
import { NETNS_ROOT } from "./run.ts";

/**
 * The longest frame the kernel's test run of a tc program takes
 * (bpf_test_init: a page less NET_SKB_PAD + NET_IP_ALIGN and the aligned
 * skb_shared_info, on x86-64).
 */
export const TEST_RUN_MAX_FRAME = 4096 - 64 - 320;
/** A safety net only: the program has run by the time the send returns, unless a softirq was deferred. */
const VERDICT_TIMEOUT_MS = 3000;
const POLL_MS = 1;
const TABLE = "ebbflow_frame";
const CHAIN = "arrived";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One end of a veth: the name of its namespace and the interface's. */
export interface VethEnd {
  netns: string;
  device: string;
}

let nftProblem: string | undefined | null = null;

/** Why frames longer than a test run takes cannot be carried here (no nft), or undefined. */
export function vethFrameUnavailable(): string | undefined {
  if (nftProblem === null) {
    try {
      execFileSync("nft", ["--version"], { stdio: "ignore" });
      nftProblem = undefined;
    } catch {
      nftProblem = `the nft command is missing: a frame longer than ${TEST_RUN_MAX_FRAME} bytes is carried over a pod's veth into an nftables chain (apt-get install nftables)`;
    }
  }
  return nftProblem;
}

/** Runs nft in a named network namespace; `script` goes to `nft -f -`. */
async function nft(netns: string, args: string[], script?: string): Promise<string> {
  const command = run("ip", ["netns", "exec", netns, "nft", ...args]);
  if (script !== undefined) command.child.stdin!.end(script);
  try {
    return (await command).stdout;
  } catch (error) {
    throw new Error(`nft ${args.join(" ")} in ${netns}: ${((error as { stderr?: string }).stderr ?? String(error)).trim()}`);
  }
}

async function arrivals(netns: string): Promise<number> {
  const listing = JSON.parse(await nft(netns, ["-j", "list", "chain", "netdev", TABLE, CHAIN])) as { nftables: Record<string, unknown>[] };
  const rule = listing.nftables.find((entry) => "rule" in entry)?.rule as { expr: { counter?: { packets: number } }[] } | undefined;
  const counter = rule?.expr.find((expression) => expression.counter)?.counter;
  if (!counter) throw new Error(`nft in ${netns}: chain ${TABLE} ${CHAIN} has no counter`);
  return counter.packets;
}

/**
 * Sends `frame` from `from` to the veth's other end `to`, and waits for the
 * program between them to pass it (it arrives) or drop it (`ownDrop` finds its
 * drop event among the records `drain` reads from the node's ring buffer).
 * Returns the program's return code and every record read.
 */
export async function carryOverVeth(
  from: VethEnd,
  to: VethEnd,
  frame: Uint8Array,
  drain: () => Uint8Array[],
  ownDrop: (record: Uint8Array) => boolean,
): Promise<{ retval: number; records: Uint8Array[] }> {
  const problem = vethFrameUnavailable();
  if (problem) throw new KernelBackendUnavailableError(problem);
  await nft(
    to.netns,
    ["-f", "-"],
    `table netdev ${TABLE} {\n chain ${CHAIN} {\n  type filter hook ingress device "${to.device}" priority 0;\n  counter drop\n }\n}\n`,
  );
  try {
    // Dropped on its way out (the program at the sender's tc egress): it cannot arrive, and its drop event says why.
    const sent = sendFrame(`${NETNS_ROOT}/${from.netns}`, from.device, frame);
    const records: Uint8Array[] = [];
    const deadline = Date.now() + VERDICT_TIMEOUT_MS;
    for (;;) {
      const fresh = drain();
      records.push(...fresh);
      if (fresh.some(ownDrop)) return { retval: TcAction.TC_ACTION_SHOT, records };
      // The program wrote its events before it returned: those of a frame that arrived are all in the ring buffer.
      if (sent && (await arrivals(to.netns)) > 0) return { retval: TcAction.TC_ACTION_OK, records: [...records, ...drain()] };
      if (Date.now() > deadline) {
        throw new Error(
          `a ${frame.length}-byte frame sent from ${from.device} in ${from.netns} neither reached ${to.device} in ${to.netns} nor was dropped with an event within ${VERDICT_TIMEOUT_MS} ms`,
        );
      }
      await sleep(POLL_MS);
    }
  } finally {
    await nft(to.netns, ["delete", "table", "netdev", TABLE]);
  }
}
