#!/usr/bin/env bash
# Fine-tune the embedded default model on one MMA library it never saw, and
# measure that library's validation windows before and after; then export the
# result to ONNX, import it again and check parity.
#
#   scripts/finetune-demo.sh [LIBRARY] [STEPS]     (default: zoom 150)
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:-zoom}
steps=${2:-150}
out=out/finetune-$lib
mvae=bin/mvae
mkdir -p "$out"
[ -d testdata/corpus/mma/stdlib ] || testdata/corpus/build.sh
go build -o "$mvae" .
"$mvae" data build "testdata/corpus/mma/$lib" --representation groove --bars 4 -o "$out/data.npz"
echo "== before" >&2
"$mvae" evaluate --data "$out/data.npz" --arrays validation --json > "$out/before.json"
cat "$out/before.json"
"$mvae" finetune --data "$out/data.npz" -o "$out/model.mvae" --steps "$steps" --batch 32 --lr 3e-4 \
  --val-every 25 --patience 0 --json > "$out/finetune.json"
echo "== after" >&2
"$mvae" evaluate --model "$out/model.mvae" --data "$out/data.npz" --arrays validation --json > "$out/after.json"
cat "$out/after.json"
"$mvae" export --model "$out/model.mvae" -o "$out/model.onnx"
"$mvae" import "$out/model.onnx" -o "$out/reimported.mvae"
"$mvae" parity --model "$out/reimported.mvae"
"$mvae" generate --model "$out/reimported.mvae" -n 4 --seed 1 -o "$out/grooves" --force
