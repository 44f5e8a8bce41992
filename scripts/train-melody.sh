#!/usr/bin/env bash
# Train, export, import and measure the embedded melody model: melody,
# 2 bars, 2 segments, on the melodic lines of the MMA corpus (every non-drum
# channel of the rendered grooves is a line), with two whole libraries
# (yamaha, zoom) held out, as scripts/train-default.sh does for the groove
# model. Needs Debian's python3-torch and python3-onnx (run by
# /usr/bin/python3).
#
#   scripts/train-melody.sh
#
# Stage 1: graphs/torch/train.py, 8,817 steps of batch 64 with random
# transposition (26 min on one shared core: the shipped run stopped there on
# --minutes 26). Stage 2: `mvae finetune` (the native runtime), 4,000 steps,
# goes on from stage 1's best weights on the training windows plus two
# transposed copies of each (the native trainer has no melody augmentation
# of its own).
#
# Writes out/melody/ (datasets, checkpoints, logs, ONNX) and
# model/melodymodel/ (melody.mvae with float16 weights, both logs,
# heldout.json). Both stages resume when run again.
set -euo pipefail
cd "$(dirname "$0")/.."
steps1=8817
steps2=4000
threads=${THREADS:-1}
py=/usr/bin/python3
out=out/melody
corpus=testdata/corpus/mma
mkdir -p "$out"
[ -d "$corpus/stdlib" ] || testdata/corpus/build.sh
go build -o bin/mvae .
bin/mvae data build "$corpus"/{alexis,casio,kara,pflib,stdlib} --representation melody --bars 2 -o "$out/mma_train.npz"
bin/mvae data build "$corpus"/{yamaha,zoom} --representation melody --bars 2 -o "$out/mma_heldout.npz"
# Train on the train and test splits of the five libraries; select on their
# validation split. For stage 2, also each window moved by two different
# whole numbers of semitones in [-5, 5] (kept inside the 88 keys).
$py - "$out/mma_train.npz" "$out/mma_train_plus.npz" "$out/mma_train_transposed.npz" <<'PY'
import sys, numpy as np
d = np.load(sys.argv[1])
train = np.concatenate([d["train"], d["test"]])
np.savez_compressed(sys.argv[2], train=train, validation=d["validation"])
rng = np.random.default_rng(7)
tok = train.argmax(-1)
moved = np.zeros((2,) + train.shape, np.float32)
for b in range(len(train)):
    t = tok[b]
    notes = t >= 2
    lo, hi = max(-5, 2 - t[notes].min()), min(5, 89 - t[notes].max())
    shifts = rng.permutation([s for s in range(lo, hi + 1) if s != 0] or [0, 0])
    for k in range(2):
        moved[k, b, np.arange(len(t)), np.where(notes, t + shifts[k % len(shifts)], t)] = 1
np.savez_compressed(sys.argv[3], train=np.concatenate([train, moved[0], moved[1]]), validation=d["validation"])
PY

# Stage 1: PyTorch.
nice -n 10 $py graphs/torch/train.py --data "$out/mma_train_plus.npz" --heldout "$out/mma_heldout.npz" --out "$out" \
  --representation melody --bars 2 --segments 2 --encoder 128,1 --conductor 128,1 --decoder 256,1 --z 64 \
  --free-bits 48 --max-beta 0.2 --transpose 5 --steps "$steps1" --eval-every 500 --threads "$threads" --seed 1 --resume
bin/mvae import "$out/best.pt" --config "$out/config.json" --no-graphs -o "$out/stage1.mvae"

# Stage 2: native fine-tuning. lr and beta go on from where stage 1 stopped
# (1e-3 * 0.9999^8817 = 4.1e-4; beta 0.017 there).
nice -n 10 bin/mvae finetune --model "$out/stage1.mvae" --data "$out/mma_train_transposed.npz" -o "$out/stage2.mvae" \
  --steps "$steps2" --batch 64 --lr 4.2e-4 --lr-decay 0.9999 --min-lr 1e-5 --beta 0.017 --free-bits 48 --clip 1 \
  --seed 2 --val-every 250 --patience 0 --checkpoint "$out/stage2.ckpt" --resume --json > "$out/finetune_log.json"

# The shipped model: through ONNX and back, weights stored as float16.
bin/mvae export --model "$out/stage2.mvae" -o "$out/model.onnx"
bin/mvae import "$out/model.onnx" --half --no-graphs -o model/melodymodel/melody.mvae
cp "$out/train_log.jsonl" model/melodymodel/train_log.jsonl
cp "$out/finetune_log.json" model/melodymodel/finetune_log.json
go build -o bin/mvae .
bin/mvae evaluate --model melody --data "$out/mma_heldout.npz" --train "$out/mma_train.npz" --samples 256 --json | tee model/melodymodel/heldout.json
