#!/usr/bin/env bash
# Train, export, import and measure the embedded default model:
# groove, 4 bars, 4 segments, gm map, on the MMA corpus, with two whole
# libraries (yamaha, zoom) held out. Needs Debian's python3-torch and
# python3-onnx (run by /usr/bin/python3) and libopenblas0-pthread.
#
#   scripts/train-default.sh [MINUTES]      (default 95: 2-core CPU)
#
# Writes out/default/ (datasets, checkpoints, log, ONNX) and
# model/defaultmodel/default.mvae (float16 weights) with its training log.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-95}
py=/usr/bin/python3
out=out/default
corpus=testdata/corpus/mma
mkdir -p "$out"
[ -d "$corpus/stdlib" ] || testdata/corpus/build.sh
go build -o bin/mvae .
bin/mvae data build "$corpus"/{alexis,casio,kara,pflib,stdlib} --representation groove --bars 4 -o "$out/mma_train.npz"
bin/mvae data build "$corpus"/{yamaha,zoom} --representation groove --bars 4 -o "$out/mma_heldout.npz"
$py graphs/torch/train.py --data "$out/mma_train.npz" --heldout "$out/mma_heldout.npz" --out "$out" \
  --encoder 192,1 --conductor 128,1 --decoder 192,1 --z 64 --free-bits 48 --max-beta 0.2 \
  --minutes "$minutes" --eval-every 250 --threads 2 --resume
$py graphs/torch/export.py --config "$out/config.json" --weights "$out/best.pt" --opset 17 -o "$out/model.onnx"
bin/mvae import "$out/model.onnx" --half -o model/defaultmodel/default.mvae
cp "$out/train_log.jsonl" model/defaultmodel/train_log.jsonl
$py graphs/torch/evaluate.py --config "$out/config.json" --weights "$out/best.pt" \
  --data "$out/mma_heldout.npz" --train "$out/mma_train.npz" --samples 256 --threads 2 | tee model/defaultmodel/heldout.json
