#!/usr/bin/env bash
# Compiles every datapath program into the object committed beside it.
#   bpf/build.sh          rebuild bpf/*.o and src/abi/generated.ts from their BTF
#   bpf/build.sh --check  rebuild both into a temporary directory and fail when a
#                         committed object differs from what its source gives, or
#                         the committed ABI module from what the objects give
# -fdebug-prefix-map keeps the build directory out of the objects, so that any
# clone produces the same bytes.
set -euo pipefail
cd "$(dirname "$0")"

clang=${CLANG:-clang-14}
flags=(-O2 -g -target bpf -mcpu=v3 -Wall -Werror
	-fdebug-prefix-map="$PWD"=.
	-I. -I"/usr/include/$(uname -m)-linux-gnu")
programs=(bpf_lxc bpf_host bpf_xdp bpf_sock)
abi=../src/abi/generated.ts

build_into() {
	local out=$1 objects=()
	for program in "${programs[@]}"; do
		"$clang" "${flags[@]}" -c "$program.c" -o "$out/$program.o"
		objects+=("$out/$program.o")
	done
	../node_modules/.bin/tsx gen-abi.ts "$2" "${objects[@]}"
}

case "${1:-}" in
"")
	build_into . "$abi"
	;;
--check)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	build_into "$tmp" "$tmp/generated.ts"
	stale=()
	for program in "${programs[@]}"; do
		cmp -s "$tmp/$program.o" "$program.o" || stale+=("bpf/$program.o")
	done
	cmp -s "$tmp/generated.ts" "$abi" || stale+=("src/abi/generated.ts")
	if ((${#stale[@]})); then
		echo "committed files differ from their sources: ${stale[*]} (run bpf/build.sh and commit)" >&2
		exit 1
	fi
	echo "committed objects and src/abi/generated.ts match their sources"
	;;
*)
	echo "usage: bpf/build.sh [--check]" >&2
	exit 2
	;;
esac
