// The layers of ebbflow (README.md, "Layout"), checked by `npm run lint:layers`
// as part of `npm test`. Lowest layer: src/util and src/abi, which everyone may
// import; src/abi imports only src/util and src/util nothing of ours.

const OURS = "^(src|emu|backend-wasm|backend-kernel|bench|bpf|test|bin)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "util-is-the-bottom",
      comment: "src/util is the lowest layer: it imports nothing of ours.",
      severity: "error",
      from: { path: "^src/util/" },
      to: { path: OURS, pathNot: "^src/util/" },
    },
    {
      name: "abi-imports-only-util",
      comment: "src/abi (the datapath ABI generated from the objects' BTF) imports only src/util.",
      severity: "error",
      from: { path: "^src/abi/" },
      to: { path: OURS, pathNot: "^src/(abi|util)/" },
    },
    {
      name: "emu-imports-only-the-lowest-layer",
      comment: "The VM knows nothing of the control plane, the backends or the CLI.",
      severity: "error",
      from: { path: "^emu/" },
      to: { path: OURS, pathNot: "^(emu|src/util|src/abi)/" },
    },
    {
      name: "emu-runtime-only-through-its-build",
      comment: "emu/runtime is AssemblyScript: TypeScript outside it uses only the bindings asc builds (emu/runtime/build).",
      severity: "error",
      from: { path: "^", pathNot: "^emu/runtime/" },
      to: { path: "^emu/runtime/", pathNot: "^emu/runtime/build/" },
    },
    {
      name: "core-imports-no-backend-emu-or-cli",
      comment: "The control plane is what both backends implement against; it must not know them, the VM or the command line.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^(backend-wasm|backend-kernel|emu|src/cli|bench|bin)/" },
    },
    {
      name: "backend-wasm-imports-no-backend-kernel",
      severity: "error",
      from: { path: "^backend-wasm/" },
      to: { path: "^(backend-kernel|bench|bin)/" },
    },
    {
      name: "backend-kernel-imports-no-emu-or-backend-wasm",
      comment: "The kernel backend runs real BPF: the VM is no part of it.",
      severity: "error",
      from: { path: "^backend-kernel/" },
      to: { path: "^(backend-wasm|emu|bench|bin)/" },
    },
    {
      name: "backends-are-below-the-replay",
      comment: "The replay drives a backend through the Datapath interface; what both need lives in src/core/datapath.",
      severity: "error",
      from: { path: "^backend-(wasm|kernel)/" },
      to: { path: "^src/core/replay/" },
    },
    {
      name: "cli-is-not-a-library",
      comment: "Only the entry points (bin) and the benchmarks may use the command line's modules.",
      severity: "error",
      from: { path: OURS, pathNot: "^(src/cli|src/core|bin|bench|test)/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "nothing-imports-test",
      comment: "Tests may share helpers among themselves; shipped code and benchmarks must not need them.",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
    {
      name: "no-circular",
      comment: "A cycle makes two modules one: break it by moving what both need below both.",
      severity: "error",
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: "no-circular-folders",
      comment: "Two folders that import each other are one layer in two places (model and scenario were).",
      severity: "error",
      scope: "folder",
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing would fail at run time.",
      severity: "error",
      from: { path: OURS },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "^node_modules/|^emu/runtime/build/" },
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
