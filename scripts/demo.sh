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
"$mvae" interpolate "$a" "$b" --steps 5 --seed 1 -o "$out/interpolation" --force
echo "== variations of a real groove, and the groove humanized" >&2
"$mvae" similar "$a" --similarity 0.7 -n 4 --seed 1 -o "$out/variations" --force
"$mvae" humanize "$a" --seed 1 -o "$out/humanized" --force

echo "== the data path: every groove of the corpus as 4-bar windows" >&2
"$mvae" data build "$corpus" --representation groove --bars 4 -o "$out/grooves_dataset.npz"

first=$(ls "$out/grooves" | head -n 1)
player="timidity"
command -v timidity >/dev/null 2>&1 || player="timidity   (sudo apt-get install timidity)"
cat >&2 <<EOT

== done. In $out:
  grooves/         8 new 4-bar grooves ($first ...), 120 bpm
  interpolation/   5 steps from 50sRock to BossaNova through the latent space
  variations/      4 variations of 50sRock at similarity 0.7 (mvae similar)
  humanized/       50sRock with velocities and micro-timing from the model (mvae humanize)
  grooves.npz      their z and tokens (grooves_ort.npz: the same from onnxruntime)
  grooves_dataset.npz   the corpus as 4-bar windows: train, validation, test

Listen:
  $player $out/grooves/$first
  timidity -Ow -o groove.wav $out/grooves/$first     # a WAV file instead
In a DAW: drag a .mid onto a drum track (the drums are on MIDI channel 10,
General MIDI drum notes; set the project to 120 bpm).

Next, with mvae on your PATH (export PATH=\$PWD/bin:\$PATH):
  mvae generate -n 4 --temperature 1 --seed 7 -o out/more     # wilder grooves
  mvae interpolate YOUR_A.mid YOUR_B.mid --steps 7 -o out/mine
  mvae interpolate A.mid B.mid C.mid D.mid --steps 4 -o out/grid   # four corners
  mvae similar YOUR.mid --similarity 0.8 -n 8 -o out/variations
  mvae help generate                                          # every flag
and README.md, "Using mvae", for your own exported model and fine-tuning.
EOT
