import { describe, expect, test } from "vitest";
import { SK_BUFF_SIZE, XDP_MD_SIZE, decodeSkBuff, decodeXdpMd, encodeSkBuff, encodeXdpMd } from "../../backend-kernel/test-run-context.ts";

describe("test-run contexts", () => {
  test("__sk_buff fields sit at the kernel's offsets", () => {
    const bytes = encodeSkBuff({ mark: 0x11, priority: 0x22, ifindex: 0x33, cb: [1, 2, 3, 4, 5], tstamp: 0x44n, gsoSize: 0x55 });
    expect(bytes).toHaveLength(SK_BUFF_SIZE);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(0x11); // mark
    expect(view.getUint32(32, true)).toBe(0x22); // priority
    expect(view.getUint32(40, true)).toBe(0x33); // ifindex
    expect(view.getUint32(48 + 4 * 4, true)).toBe(5); // cb[4]
    expect(view.getBigUint64(152, true)).toBe(0x44n); // tstamp
    expect(view.getUint32(176, true)).toBe(0x55); // gso_size
  });

  test("__sk_buff round-trips, unset fields being zero", () => {
    expect(decodeSkBuff(encodeSkBuff({ mark: 7, hwtstamp: 9n }))).toEqual({
      mark: 7,
      priority: 0,
      ingressIfindex: 0,
      ifindex: 0,
      cb: [0, 0, 0, 0, 0],
      tstamp: 0n,
      wireLen: 0,
      gsoSegs: 0,
      gsoSize: 0,
      hwtstamp: 9n,
    });
  });

  test("xdp_md is six 32-bit words in order", () => {
    const bytes = encodeXdpMd({ data: 1, dataEnd: 2, dataMeta: 3, ingressIfindex: 4, rxQueueIndex: 5, egressIfindex: 6 });
    expect(bytes).toHaveLength(XDP_MD_SIZE);
    expect([...new Uint32Array(bytes.buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(decodeXdpMd(bytes)).toEqual({ data: 1, dataEnd: 2, dataMeta: 3, ingressIfindex: 4, rxQueueIndex: 5, egressIfindex: 6 });
  });
});
