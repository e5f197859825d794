#!/usr/bin/env bash
# Builds the VM's host helper (npm run build:host): huge-pages.node, which
# asks Linux for transparent huge pages under the VM's memory. Optional: where
# it cannot be built (not Linux, no C compiler, no Node headers) it says why,
# records the reason for emu/vm/huge-pages.ts to report, and exits 0.
set -u
cd "$(dirname "$0")"

product="the VM's huge-page helper"
. ./native-build.sh

[ "$(uname -s)" = Linux ] || unavailable "huge pages are asked of Linux only (this is $(uname -s))"
command -v cc >/dev/null || unavailable "no C compiler: apt-get install gcc"
node_headers

mkdir -p build
if ! cc -O2 -Wall -Werror -shared -fPIC -I"$nodedir/include/node" huge-pages.c -o build/huge-pages.node; then
	unavailable "huge-pages.c failed to compile (npm run build:host shows why)"
fi
rm -f "$reason_file"
