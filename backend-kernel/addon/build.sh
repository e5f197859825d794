#!/usr/bin/env bash
# Builds the libbpf addon (npm run build:kernel). Where it cannot be built
# (no libbpf, no compiler, not Linux) it says why, records the reason for
# backend-kernel/libbpf.ts to report, and exits 0: the wasm backend must still
# install.
set -u
cd "$(dirname "$0")"

product="the kernel backend"
. ../../emu/host/native-build.sh

[ "$(uname -s)" = Linux ] || unavailable "the kernel backend runs on Linux only (this is $(uname -s))"
command -v pkg-config >/dev/null || unavailable "pkg-config is not installed: apt-get install pkg-config"
pkg-config --exists libbpf || unavailable "libbpf is not installed: apt-get install libbpf-dev"
command -v cc >/dev/null || unavailable "no C compiler: apt-get install gcc make"
command -v make >/dev/null || unavailable "make is not installed: apt-get install make"
command -v python3 >/dev/null || unavailable "python3 (for node-gyp) is not installed: apt-get install python3"

# node-gyp cannot download Node's headers here: build against the local ones.
node_headers

# npm puts its own node-gyp on PATH for scripts; outside npm, use the one it ships.
if command -v node-gyp >/dev/null; then
	node_gyp=(node-gyp)
else
	node_gyp=(node "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js")
fi

log=$(mktemp)
if ! "${node_gyp[@]}" rebuild --nodedir="$nodedir" --loglevel=warn >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	unavailable "the libbpf addon failed to build (npm run build:kernel shows why)"
fi
rm -f "$log" "$reason_file"
echo "ebbflow: built the kernel backend's libbpf addon ($(pkg-config --modversion libbpf))"
