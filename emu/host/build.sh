#!/usr/bin/env bash
# Builds the VM's host helper (npm run build:host): huge-pages.node, which
# asks Linux for transparent huge pages under the VM's memory. Optional: where
# it cannot be built (not Linux, no C compiler, no Node headers) it says why,
# records the reason for emu/vm/huge-pages.ts to report, and exits 0.
set -u
cd "$(dirname "$0")"

reason_file=build/unavailable.txt

unavailable() {
	mkdir -p build
	printf '%s\n' "$1" >"$reason_file"
	echo "ebbflow: the VM's huge-page helper is not built: $1" >&2
	exit 0
}

[ "$(uname -s)" = Linux ] || unavailable "huge pages are asked of Linux only (this is $(uname -s))"
command -v cc >/dev/null || unavailable "no C compiler: apt-get install gcc"
nodedir="${npm_config_nodedir:-$(node -p 'require("path").resolve(process.execPath, "../..")')}"
[ -f "$nodedir/include/node/node_api.h" ] ||
	unavailable "Node's headers are missing ($nodedir/include/node/node_api.h): apt-get install libnode-dev, or set npm's nodedir"

mkdir -p build
if ! cc -O2 -Wall -Werror -shared -fPIC -I"$nodedir/include/node" huge-pages.c -o build/huge-pages.node; then
	unavailable "huge-pages.c failed to compile (npm run build:host shows why)"
fi
rm -f "$reason_file"
