import { afterEach, expect, test } from "vitest";
import { KernelError, KernelObject, kernelBackendUnavailable } from "../../backend-kernel/libbpf.ts";
import { SK_BUFF_SIZE, decodeSkBuff, decodeXdpMd, encodeSkBuff, encodeXdpMd } from "../../backend-kernel/test-run-context.ts";
import { describeWhen } from "../support/requirements.ts";
import { tcpSyn } from "./packets.ts";
import { fixture, openCounters } from "./support.ts";

const opened: KernelObject[] = [];
const load = (object: KernelObject) => (opened.push(object), object.load(), object);
afterEach(() => opened.splice(0).forEach((object) => object.close()));

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const XDP_PASS = 2;

describeWhen(kernelBackendUnavailable(), "BPF_PROG_TEST_RUN", () => {
  test("runs a tc program on a 64-byte TCP frame: return code and the frame it wrote", () => {
    const program = load(openCounters()).program("count_packet");
    const frame = tcpSyn();
    const run = program.testRun({ data: frame });
    expect(run.retval).toBe(TC_ACT_OK);
    const expected = frame.slice();
    expected[6] = 0x02; // the program marks the source MAC
    expect(run.data).toEqual(expected);
    expect(run.ctx).toBeUndefined();
    expect(run.durationNs).toBeGreaterThan(0);
  });

  test("drops what the program drops", () => {
    const program = load(openCounters()).program("count_packet");
    const arp = tcpSyn();
    arp.set([0x08, 0x06], 12);
    expect(program.testRun({ data: arp }).retval).toBe(TC_ACT_SHOT);
  });

  test("takes and gives back an __sk_buff context", () => {
    const program = load(openCounters()).program("count_packet");
    const run = program.testRun({ data: tcpSyn(), ctx: encodeSkBuff({ mark: 41, priority: 3, cb: [1, 2, 3, 4, 5] }) });
    expect(run.ctx).toHaveLength(SK_BUFF_SIZE);
    const context = decodeSkBuff(run.ctx!);
    expect(context.mark).toBe(42); // the program adds 1
    expect(context.priority).toBe(3);
    expect(context.cb).toEqual([1, 2, 3, 4, 5]);
    expect(context.wireLen).toBe(64);
  });

  test("runs an XDP program that shortens the frame, with an xdp_md context", () => {
    const program = load(openCounters()).program("strip_ethernet");
    const frame = tcpSyn();
    const run = program.testRun({ data: frame, ctx: encodeXdpMd({ dataEnd: frame.length }) });
    expect(run.retval).toBe(XDP_PASS);
    expect(run.data).toEqual(frame.slice(14));
    expect(decodeXdpMd(run.ctx!)).toMatchObject({ data: 0, dataMeta: 0, dataEnd: frame.length - 14 });
  });

  test("tail-calls into another object's program through a program array", () => {
    const counters = load(openCounters());
    const targetObject = KernelObject.open(fixture("tail_target.o"));
    targetObject.setPinPath("shared_table", undefined);
    const target = load(targetObject);
    const jump = counters.program("jump");
    expect(jump.testRun({ data: tcpSyn() }).retval).toBe(7); // slot 0 is empty

    counters.map("jump_table").setProgram(0, target.program("jump_target"));
    expect(jump.testRun({ data: tcpSyn() }).retval).toBe(42);

    counters.map("jump_table").delete(new Uint8Array(4));
    expect(jump.testRun({ data: tcpSyn() }).retval).toBe(7);
  });

  test("refuses what the kernel's test run refuses, with its errno", () => {
    const program = load(openCounters()).program("count_packet");
    const runt = () => program.testRun({ data: new Uint8Array(10) });
    expect(runt).toThrow(KernelError);
    expect(runt).toThrow(/test run \S*counters\.o\/count_packet: EINVAL/);
    const tooSmall = () => program.testRun({ data: tcpSyn(), dataOutCapacity: 16 });
    expect(tooSmall).toThrow(/ENOSPC/);
    expect(() => program.testRun({ data: tcpSyn(), repeat: 0 })).toThrow(/count_packet: repeat: must be an integer from 1/);
  });

  test("a closed program refuses use, and closing it again does nothing", () => {
    const program = load(openCounters()).program("count_packet");
    program.close();
    program.close();
    expect(() => program.fd).toThrow(/counters\.o\/count_packet: program: is closed/);
    expect(() => program.testRun({ data: tcpSyn() })).toThrow(/counters\.o\/count_packet: program: is closed/);
  });
});
