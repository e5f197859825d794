// Scenario files (ebbflow.io/v1alpha1, ../shared/SCENARIOS.md): read, checked
// and turned into a cluster model.
//
//   readScenario(path): Scenario          read, check every field, refuse what later issues add,
//                                         and check every from/to/at and expect.policy against the
//                                         cluster as the traffic's steps change it
//   parseScenario(text, path): Scenario   the same without the file system for the scenario itself
//                                         (files: are still read relative to `path`), and without
//                                         the reference checks
//   checkReferences(scenario, seed)       the reference checks alone
//   buildCluster(scenario, seed): Cluster the model before the first traffic item; apply the
//                                         traffic's steps with cluster.apply(step.objects) and
//                                         cluster.delete(step.refs)
//
// Every mistake is an InputError (a UserError: print its message, no stack):
// `FILE:LINE: ITEM: field "FIELD": PROBLEM`. Features that later issues add
// are refused in one place, ../model/refused-features.ts.

import { InputError } from "../model/source.ts";
import { checkReferences } from "./check.ts";
import { FileAccess } from "./file-access.ts";
import { parseScenario } from "./parse.ts";
import type { Scenario } from "./types.ts";

/**
 * Reads and checks a scenario file; `path` is kept as given in messages. The
 * scenario reads files only inside its own folder and `allowPaths`.
 */
export function readScenario(path: string, allowPaths: readonly string[] = []): Scenario {
  const access = FileAccess.forScenario(path, allowPaths);
  const text = access.read(path, (problem) => {
    throw new InputError(path, undefined, "", "", problem);
  });
  const scenario = parseScenario(text.toString("utf8"), path, access);
  checkReferences(scenario, 1);
  return scenario;
}

export { parseScenario, scenarioApiVersion } from "./parse.ts";
export { FileAccess, MAX_FILE_BYTES, MAX_SCENARIO_BYTES } from "./file-access.ts";
export { buildCluster, checkReferences } from "./check.ts";
export { dropReasons } from "./drop-reasons.ts";
export { parseDuration } from "./duration.ts";
export { refusedFeatures, type RefusedFeature } from "../model/refused-features.ts";
export * from "./types.ts";
