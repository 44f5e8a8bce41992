#!/usr/bin/env bash
# Peak memory of import and generate against the float32 weights, on a model
# of a bench preset with random weights (default: seed, about 175M parameters).
#
#   scripts/measure-memory.sh [preset]     (WORK=DIR keeps the files there;
#                                           MVAE=path measures another mvae binary)
#
# Each line: what ran, seconds, peak RSS (MB, /usr/bin/time -v) and peak RSS /
# float32 weights. The targets: import (any format, with the onnxruntime
# check) <= 2x, a loaded native model <= 1.2x.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-seed}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
go build -o bin/mvae .
mvae=${MVAE:-bin/mvae}
b="$work/$preset.mvae"
[ -e "$b" ] || go run ./bench/presetbundle -preset "$preset" -o "$b"
[ -e "$work/mel.mvae" ] || go run ./bench/presetbundle -preset "$preset" -magenta -o "$work/mel.mvae"
[ -e "$work/magenta" ] || bin/mvae export -m "$work/mel.mvae" -o "$work/mel.onnx" --magenta "$work/magenta" >/dev/null
mkdir -p "$work/pt"
[ -e "$work/$preset.onnx" ] || bin/mvae export -m "$b" -o "$work/$preset.onnx" --pt "$work/pt/model.pt" >/dev/null
bin/mvae info -m "$b" --json | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["config"]))' >"$work/config.json"
params() { bin/mvae info -m "$1" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["parameters"])'; }
wgroove=$(( $(params "$b") * 4 ))
wmel=$(( $(params "$work/mel.mvae") * 4 ))
echo "preset $preset: float32 weights $((wgroove / 1000000)) MB (groove; $((wmel / 1000000)) MB as hierdec-mel for magenta.js), $(nproc) CPUs"
measure() { # name, command...
  local name=$1; shift
  local weights=$wgroove
  case $name in *magenta*) weights=$wmel ;; esac
  rm -f "$work/out.mvae"; rm -rf "$work/gen"
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/log.txt" 2>&1 || { cat "$work/log.txt"; echo "$name failed"; return 1; }
  local kb s
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  s=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  awk -v n="$name" -v kb="$kb" -v s="$s" -v w="$weights" 'BEGIN { printf "%-34s %10s  %7.0f MB  %5.2fx\n", n, s, kb * 1024 / 1e6, kb * 1024 / w }'
}
printf "%-34s %10s  %10s  %6s\n" "run" "time" "peak RSS" "ratio"
measure "import .pt --no-verify" "$mvae" import "$work/pt/model.pt" --config "$work/config.json" -o "$work/out.mvae" --no-verify
measure "import .pt" "$mvae" import "$work/pt/model.pt" --config "$work/config.json" -o "$work/out.mvae"
measure "import .onnx --no-verify" "$mvae" import "$work/$preset.onnx" -o "$work/out.mvae" --no-verify
measure "import .onnx" "$mvae" import "$work/$preset.onnx" -o "$work/out.mvae"
measure "import magenta.js --no-verify" "$mvae" import "$work/magenta" -o "$work/out.mvae" --no-verify
measure "import magenta.js" "$mvae" import "$work/magenta" -o "$work/out.mvae"
measure "generate -n 1 --runtime native" "$mvae" generate -m "$b" -n 1 --runtime native -o "$work/gen"
measure "generate -n 1 --runtime ort" "$mvae" generate -m "$b" -n 1 --runtime ort -o "$work/gen"
[ -n "${WORK:-}" ] || rm -rf "$work"
