#!/usr/bin/env bash
# The main job, end to end on real drum grooves (run by `make demo`):
# MMA grooves -> 4-bar groove windows -> a dataset -> MIDI files back.
set -euo pipefail
cd "$(dirname "$0")/.."
mvae=${MVAE:-bin/mvae}
out=${OUT:-out/demo}
corpus=testdata/corpus/mma
mkdir -p "$out"

one=$(find "$corpus/stdlib" -name '*.mid' | sort | sed -n 1p)
echo "== one file: $one" >&2
"$mvae" data show "$one" --representation groove --bars 4 -o "$out/one.npy"

echo "== a dataset from every groove (held-out split by path hash)" >&2
"$mvae" data build "$corpus" --representation groove --bars 4 -o "$out/grooves.npz"

echo "== the windows of that file, back to MIDI" >&2
"$mvae" data render "$out/one.npy" -o "$out/midi" --force
ls "$out/midi" | sed -n 1,5p
