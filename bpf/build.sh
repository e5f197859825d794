#!/usr/bin/env bash
# Compiles every datapath program into the object committed beside it.
#   bpf/build.sh          rebuild bpf/*.o
#   bpf/build.sh --check  rebuild into a temporary directory and fail when a
#                         committed object differs from what its source gives
# -fdebug-prefix-map keeps the build directory out of the objects, so that any
# clone produces the same bytes.
set -euo pipefail
cd "$(dirname "$0")"

clang=${CLANG:-clang-14}
flags=(-O2 -g -target bpf -mcpu=v3 -Wall -Werror
	-fdebug-prefix-map="$PWD"=.
	-I. -I"/usr/include/$(uname -m)-linux-gnu")
programs=(bpf_lxc bpf_host bpf_xdp bpf_sock)

build_into() {
	local out=$1
	for program in "${programs[@]}"; do
		"$clang" "${flags[@]}" -c "$program.c" -o "$out/$program.o"
	done
}

case "${1:-}" in
"")
	build_into .
	;;
--check)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	build_into "$tmp"
	stale=()
	for program in "${programs[@]}"; do
		cmp -s "$tmp/$program.o" "$program.o" || stale+=("bpf/$program.o")
	done
	if ((${#stale[@]})); then
		echo "committed objects differ from their sources: ${stale[*]} (run bpf/build.sh and commit)" >&2
		exit 1
	fi
	echo "committed objects match their sources"
	;;
*)
	echo "usage: bpf/build.sh [--check]" >&2
	exit 2
	;;
esac
