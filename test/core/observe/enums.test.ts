// Hubble's tables hold every value the datapath writes (the generated enums),
// so that no event of the objects decodes to a flow without a name.

import { describe, expect, test } from "vitest";
import { DropReason, ObservationPoint, ReservedIdentity } from "../../../src/abi/generated.ts";
import { DROP_REASONS, OBSERVATION_POINTS, RESERVED_IDENTITY_NAMES } from "../../../src/core/observe/index.ts";

describe("Hubble's names for the datapath's numbers", () => {
  test("every drop reason of the objects has Hubble's name and text", () => {
    for (const [name, reason] of Object.entries(DropReason)) expect(DROP_REASONS.has(reason), name).toBe(true);
  });

  test("every observation point of the objects but OBS_NONE (the socket hooks) has Hubble's name", () => {
    for (const [name, point] of Object.entries(ObservationPoint)) {
      if (point !== ObservationPoint.OBS_NONE) expect(OBSERVATION_POINTS.get(point)?.enumName, name).toBe(name.replace(/^OBS_/, ""));
    }
  });

  test("the reserved identities of the objects have Cilium's names", () => {
    expect(RESERVED_IDENTITY_NAMES.get(ReservedIdentity.IDENTITY_HOST)).toBe("host");
    expect(RESERVED_IDENTITY_NAMES.get(ReservedIdentity.IDENTITY_WORLD)).toBe("world");
    expect(RESERVED_IDENTITY_NAMES.get(ReservedIdentity.IDENTITY_UNKNOWN)).toBe("unknown");
  });
});
