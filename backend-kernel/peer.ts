// The processes standing in for a namespace's workloads (addon/src/peer.c):
// one per network namespace, answering TCP, UDP, SCTP, HTTP and DNS on the
// ports asked for, and making connection attempts from the namespace when
// told to.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../src/util/package-root.ts";
import { KernelBackendUnavailableError } from "./errors.ts";

// From the package root, as native.ts finds the addon: this file also runs compiled from dist/.
const peerPath = join(packageRoot(), "backend-kernel/addon/build/Release/ebbflow-peer");

export type PeerProtocol = "tcp" | "udp" | "sctp" | "icmp";

export interface PeerAttempt {
  protocol: PeerProtocol;
  sourceIP: string;
  /** For ICMP, the echo identifier. */
  sourcePort: number;
  destinationIP: string;
  destinationPort: number;
  /** A safety net only: verdicts come from the datapath's events. */
  timeoutMs: number;
}

/** The answer to `sockconnect`: where a connected UDP socket ended up, or the errno of its refusal, with the socket's cookie. */
export type SocketConnectResult = ({ ip: string; port: number } | { errno: number }) & { cookie: bigint };

export class PeerError extends Error {
  constructor(
    readonly netns: string,
    detail: string,
  ) {
    super(`peer in ${netns}: ${detail}`);
    this.name = "PeerError";
  }
}

export class Peer {
  private readonly pending = new Map<string, (words: string[]) => void>();
  private nextId = 0;
  private exited: string | undefined;
  private readonly listening = new Set<string>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly netns: string,
  ) {
    // A write racing the peer's death is reported by the exit handler.
    child.stdin.on("error", () => {});
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [id, ...words] = line.split(" ");
      const answer = this.pending.get(id);
      this.pending.delete(id);
      answer?.(words);
    });
    child.on("exit", (code, signal) => {
      this.exited = `exited (${signal ?? code})`;
      for (const answer of this.pending.values()) answer(["error", this.exited]);
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts a peer inside the namespace at `netnsPath`, which first sets `sysctls` there. */
  static async start(netnsPath: string, sysctls: Readonly<Record<string, string>> = {}): Promise<Peer> {
    if (!existsSync(peerPath)) {
      throw new KernelBackendUnavailableError(`the peer program is not built (${peerPath}): run \`npm run build:kernel\``);
    }
    const settings = Object.entries(sysctls).map(([key, value]) => `${key}=${value}`);
    const child = spawn(peerPath, [netnsPath, ...settings], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const peer = new Peer(child, netnsPath);
    await new Promise<void>((resolve, reject) => {
      peer.pending.set("ready", (words) => (words[0] === "error" ? reject(new PeerError(netnsPath, stderr.trim() || words.join(" "))) : resolve()));
      child.once("exit", () => reject(new PeerError(netnsPath, stderr.trim() || "exited before it was ready")));
      child.once("error", (error) => reject(new PeerError(netnsPath, error.message)));
    });
    return peer;
  }

  /** Makes sure something answers `protocol` on `port` (any address of the namespace). */
  async listen(protocol: Exclude<PeerProtocol, "icmp">, port: number): Promise<void> {
    const key = `${protocol}/${port}`;
    if (this.listening.has(key)) return;
    const [status, ...detail] = await this.ask(`listen ${protocol} ${port}`).answer;
    if (status !== "ok") throw new PeerError(this.netns, `listen ${key}: ${detail.join(" ")}`);
    this.listening.add(key);
  }

  /** Answers HTTP requests on `port` with 200 and a body naming `name` (e.g. the pod, `NS/NAME`). */
  async serveHttp(port: number, name: string): Promise<void> {
    await this.expectOk(`name ${name}`);
    await this.expectOk(`listen http ${port}`);
  }

  /** Answers DNS A queries on UDP `port` from `records` (a name, or `*.suffix`, to its addresses); NXDOMAIN otherwise. */
  async serveDns(port: number, records: Readonly<Record<string, readonly string[]>>): Promise<void> {
    for (const [name, addresses] of Object.entries(records)) await this.expectOk(`record ${name} ${addresses.join(",")}`);
    await this.expectOk(`listen dns ${port}`);
  }

  private async expectOk(command: string): Promise<void> {
    const [status, ...detail] = await this.ask(command).answer;
    if (status !== "ok") throw new PeerError(this.netns, `${command}: ${detail.join(" ")}`);
  }

  /** Starts an attempt; `answer` is the address that answered, or undefined when no reply came back. cancel() abandons it. */
  connect(attempt: PeerAttempt): { answer: Promise<string | undefined>; cancel: () => void } {
    const { protocol, sourceIP, sourcePort, destinationIP, destinationPort, timeoutMs } = attempt;
    const { id, answer } = this.ask(`connect ${protocol} ${sourceIP} ${sourcePort} ${destinationIP} ${destinationPort} ${timeoutMs}`);
    return {
      answer: answer.then(([status, ...detail]) => {
        if (status !== "done") throw new PeerError(this.netns, `connect ${sourceIP}:${sourcePort} -> ${destinationIP}:${destinationPort}: ${detail.join(" ")}`);
        return detail[0] === "1" ? detail[1] : undefined;
      }),
      cancel: () => {
        this.pending.delete(id);
        if (!this.exited) this.child.stdin.write(`c${id} cancel ${id}\n`);
      },
    };
  }

  /** connect() on a UDP socket from this peer (inside its cgroup): where the socket hooks sent it. */
  async socketConnect(ip: string, port: number): Promise<SocketConnectResult> {
    const [status, ...detail] = await this.ask(`sockconnect udp ${ip} ${port}`).answer;
    if (status === "peer") return { ip: detail[0], port: Number(detail[1]), cookie: BigInt(detail[2]) };
    if (status === "error" && detail.length === 2 && detail.every((word) => /^\d+$/.test(word))) return { errno: Number(detail[0]), cookie: BigInt(detail[1]) };
    throw new PeerError(this.netns, `sockconnect ${ip}:${port}: ${[status, ...detail].join(" ")}`);
  }

  /** Stops the peer and waits for it to be gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await gone;
  }

  private ask(command: string): { id: string; answer: Promise<string[]> } {
    const id = String(this.nextId++);
    if (this.exited) return { id, answer: Promise.reject(new PeerError(this.netns, `${command}: the peer ${this.exited}`)) };
    const answer = new Promise<string[]>((resolve) => this.pending.set(id, resolve));
    this.child.stdin.write(`${id} ${command}\n`);
    return { id, answer };
  }
}
