// The runtime's helpers return the same codes the objects' BTF names: the
// AssemblyScript runtime cannot import src/abi, so emu/shared/actions.ts keeps
// them and this test holds them to the generated enums.

import { expect, test } from "vitest";
import { TcAction, XdpAction } from "../../../src/abi/generated.ts";
import { TC_ACT_REDIRECT, TC_ACT_SHOT, XDP_ABORTED, XDP_REDIRECT } from "../../../emu/shared/actions.ts";

test("bpf_redirect's tc return codes are enum tc_action's", () => {
  expect({ TC_ACT_SHOT, TC_ACT_REDIRECT }).toEqual({ TC_ACT_SHOT: TcAction.TC_ACTION_SHOT, TC_ACT_REDIRECT: TcAction.TC_ACTION_REDIRECT });
});

test("bpf_redirect's XDP return codes are enum xdp_action's", () => {
  expect({ XDP_ABORTED, XDP_REDIRECT }).toEqual({ XDP_ABORTED: XdpAction.XDP_ABORTED, XDP_REDIRECT: XdpAction.XDP_REDIRECT });
});
