#!/usr/bin/env bash
# The main job (run by `make demo`): drum grooves from the embedded default
# model, on both runtimes, as MIDI files; then the data path on real grooves.
set -euo pipefail
cd "$(dirname "$0")/.."
mvae=${MVAE:-bin/mvae}
out=${OUT:-out/demo}
corpus=testdata/corpus/mma
mkdir -p "$out"

echo "== 8 grooves from the embedded default model (pure Go), MIDI in $out/grooves" >&2
"$mvae" generate -n 8 --temperature 0.5 --seed 1 -o "$out/grooves" --tensors "$out/grooves.npz" --force
echo "== the same seed on onnxruntime gives the same grooves" >&2
"$mvae" generate -n 8 --temperature 0.5 --seed 1 --runtime ort --tensors "$out/grooves_ort.npz"
"$mvae" parity

echo "== interpolating between two real grooves" >&2
a=$corpus/stdlib/50srock/50sRock.mid
b=$corpus/stdlib/bossanova/BossaNova.mid
"$mvae" interpolate "$a" "$b" --steps 5 -o "$out/interpolation" --force

echo "== the data path: every groove of the corpus as 4-bar windows" >&2
"$mvae" data build "$corpus" --representation groove --bars 4 -o "$out/grooves_dataset.npz"
ls "$out/grooves" | sed -n 1,8p
