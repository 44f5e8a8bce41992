#!/usr/bin/env bash
# Install magenta.js (@magenta/music 1.23.1, pinned with its whole tree by
# conformance/magentajs/package-lock.json) into mvae's cache folder, for the
# magenta.js conformance suite (conformance/magentajs_test.go).
#
#   scripts/fetch-magentajs.sh          # prints the node_modules folder
#
# The folder is $MVAE_CACHE_DIR/magentajs/1.23.1, else
# ${XDG_CACHE_HOME:-~/.cache}/mvae/magentajs/1.23.1; the tests look there
# (and in conformance/magentajs/node_modules, and $MVAE_MAGENTAJS_MODULES).
# It reinstalls when the lock file changes. Needs node (20) and npm.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/conformance/magentajs
base=${MVAE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mvae}
dir=$base/magentajs/1.23.1

if [ -d "$dir/node_modules/@magenta/music" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
  echo "$dir/node_modules"
  exit 0
fi
command -v node >/dev/null || { echo "fetch-magentajs: node is needed (apt-get install nodejs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "fetch-magentajs: npm is needed (apt-get install npm)" >&2; exit 1; }

mkdir -p "$base/magentajs"
work=$(mktemp -d "$base/magentajs/.install.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$src/package.json" "$src/package-lock.json" "$work/"
echo "fetch-magentajs: npm ci @magenta/music@1.23.1 ..." >&2
# --ignore-scripts: the two install scripts of the tree (protobufjs's
# version check for its CLI, core-js's banner) are not needed to run it.
(cd "$work" && npm ci --silent --no-audit --no-fund --ignore-scripts >&2)
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "$dir/node_modules"
