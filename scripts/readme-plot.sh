#!/usr/bin/env bash
# Draws docs/img/interpolate.png, the picture in the README: the embedded
# groove model interpolates between two MMA grooves (testdata/corpus/build.sh
# renders them), 5 steps, and `interpolate --plot` draws the whole path.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=testdata/corpus/mma/stdlib
out=$(mktemp -d)
go run . interpolate "$corpus/basicrock/BasicRock.mid" "$corpus/bossanova/BossaNova.mid" \
  --steps 4 --seed 1 -o "$out" --plot "$out/interpolate.png"
cp "$out/interpolate.png" docs/img/interpolate.png
rm -r "$out"
ls -l docs/img/interpolate.png
