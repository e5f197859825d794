# Sourced by the builds of the project's optional Node-API code
# (emu/host/build.sh, backend-kernel/addon/build.sh), from the folder they
# build, after setting `product` (what is built, for messages). Neither may
# fail npm install: where one cannot build, `unavailable REASON` records why in
# build/unavailable.txt, for the TypeScript that loads it to report, and exits 0.
# `node_headers` sets nodedir to Node's headers: npm's nodedir, or the prefix of
# the running node (nothing is downloaded here).

reason_file=build/unavailable.txt

unavailable() {
	mkdir -p build
	printf '%s\n' "$1" >"$reason_file"
	echo "ebbflow: $product is not built: $1" >&2
	exit 0
}

node_headers() {
	nodedir="${npm_config_nodedir:-$(node -p 'require("path").resolve(process.execPath, "../..")')}"
	[ -f "$nodedir/include/node/node_api.h" ] ||
		unavailable "Node's headers are missing ($nodedir/include/node/node_api.h): apt-get install libnode-dev, or set npm's nodedir"
}
