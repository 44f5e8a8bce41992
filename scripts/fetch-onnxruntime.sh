#!/usr/bin/env bash
# Fetch onnxruntime's shared library into mvae's cache folder.
#
# onnxruntime_go v1.27.0 speaks the C API of onnxruntime 1.24.3. The npm
# package onnxruntime-node@1.24.3 ships that library for linux/x64 at
# bin/napi-v6/linux/x64/libonnxruntime.so.1; this script packs the package
# with npm (no install, no node_modules) and keeps only that file.
#
#   scripts/fetch-onnxruntime.sh          # prints the library's path
#
# The folder is $MVAE_CACHE_DIR/onnxruntime/1.24.3, else
# ${XDG_CACHE_HOME:-~/.cache}/mvae/onnxruntime/1.24.3: the place mvae looks
# when neither --ort-lib nor $ONNXRUNTIME_SHARED_LIBRARY_PATH names a library.
set -euo pipefail

version=1.24.3
base=${MVAE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mvae}
dir=$base/onnxruntime/$version
lib=$dir/libonnxruntime.so.1

if [ -s "$lib" ]; then
  echo "$lib"
  exit 0
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) echo "fetch-onnxruntime: this script knows linux/x64 only; set $ONNXRUNTIME_SHARED_LIBRARY_PATH to your libonnxruntime $version" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "fetch-onnxruntime: npm is needed (apt-get install npm)" >&2; exit 1; }

mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-onnxruntime: npm pack onnxruntime-node@$version ..." >&2
(cd "$work" && npm pack --silent "onnxruntime-node@$version" >/dev/null)
tar -xzf "$work"/onnxruntime-node-"$version".tgz -C "$work" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
# Atomic: a half-written library is never found by mvae.
cp "$work/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "$lib"
