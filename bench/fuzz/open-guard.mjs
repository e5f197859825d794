// Preloaded into the fuzzer's children (node --import ./bench/fuzz/open-guard.mjs
// bin/ebbflow.js ...): every call of node:fs that opens, reads or lists a path
// is logged, in order, as one JSON line {op, path, real} to the file named by
// EBBFLOW_FUZZ_OPEN_LOG, so that the harness can count the paths a scenario
// reached outside the roots it may read (bench/fuzz/roots.ts decides which).
// Calls that only look at a path (stat, realpath, exists) are logged as
// "meta" ops: resolving a path before confining it is how confinement works.
// The patched functions are pushed into the ESM bindings (`import { openSync }
// from "node:fs"`) with syncBuiltinESMExports, so compiled code sees them too.

import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const logFile = process.env.EBBFLOW_FUZZ_OPEN_LOG;
if (logFile) {
  const { appendFileSync, realpathSync } = fs;
  const record = (op, kind, target) => {
    if (typeof target !== "string" && !(target instanceof URL) && !Buffer.isBuffer(target)) return;
    const path = target instanceof URL ? target.pathname : String(target);
    let real = null;
    try {
      real = realpathSync(path);
    } catch {
      // A path that does not resolve opens nothing; it is still logged as named.
    }
    appendFileSync(logFile, JSON.stringify({ op, kind, path, real }) + "\n");
  };
  const wrap = (owner, name, kind) => {
    const original = owner[name];
    if (typeof original !== "function") return;
    owner[name] = function (target, ...rest) {
      record(name, kind, target);
      return original.call(this, target, ...rest);
    };
  };
  for (const name of ["openSync", "open", "readFileSync", "readFile", "readdirSync", "readdir", "opendirSync", "opendir", "createReadStream"]) {
    wrap(fs, name, "read");
  }
  for (const name of ["statSync", "stat", "lstatSync", "lstat", "existsSync", "accessSync", "access"]) wrap(fs, name, "meta");
  for (const name of ["open", "readFile", "readdir", "opendir"]) wrap(fs.promises, name, "read");
  for (const name of ["stat", "lstat", "access"]) wrap(fs.promises, name, "meta");
  syncBuiltinESMExports();
}
