#!/usr/bin/env bash
# Train, export, import and measure the embedded default model:
# groove, 4 bars, 4 segments, gm map, on the MMA corpus, with two whole
# libraries (yamaha, zoom) held out. Needs Debian's python3-torch and
# python3-onnx (run by /usr/bin/python3) and libopenblas0-pthread.
#
#   scripts/train-default.sh [STAGE2_STEPS]      (default 13000)
#
# Stage 1: graphs/torch/train.py, 3,000 steps of batch 64 (about 62 min
# on 2 cores). Stage 2: `mvae finetune` (the native runtime, about 2.5x
# PyTorch's speed on this CPU) goes on from stage 1's best weights with the
# same augmentation and more, about 8 min a 1,000 steps.
#
# Writes out/default/ (datasets, checkpoints, logs, ONNX) and
# model/defaultmodel/ (default.mvae with float16 weights, both logs,
# heldout.json). Both stages resume when run again.
set -euo pipefail
cd "$(dirname "$0")/.."
steps2=${1:-13000}
py=/usr/bin/python3
out=out/default
corpus=testdata/corpus/mma
mkdir -p "$out"
[ -d "$corpus/stdlib" ] || testdata/corpus/build.sh
go build -o bin/mvae .
bin/mvae data build "$corpus"/{alexis,casio,kara,pflib,stdlib} --representation groove --bars 4 -o "$out/mma_train.npz"
bin/mvae data build "$corpus"/{yamaha,zoom} --representation groove --bars 4 -o "$out/mma_heldout.npz"
# Train on the train and test splits of the five libraries; select on their validation split.
$py - "$out/mma_train.npz" "$out/mma_train_plus.npz" <<'EOF'
import sys, numpy as np
d = np.load(sys.argv[1])
np.savez(sys.argv[2], train=np.concatenate([d["train"], d["test"]]), validation=d["validation"])
EOF

# Stage 1: PyTorch.
$py graphs/torch/train.py --data "$out/mma_train_plus.npz" --heldout "$out/mma_heldout.npz" --out "$out" \
  --encoder 192,1 --conductor 128,1 --decoder 192,1 --z 64 --free-bits 48 --max-beta 0.2 \
  --mix 0.5 --drop 0.05 --steps 3000 --eval-every 250 --threads 2 --seed 1 --resume
bin/mvae import "$out/best.pt" --config "$out/config.json" --no-graphs -o "$out/stage1.mvae"

# Stage 2: native fine-tuning. lr and beta go on from where stage 1 stopped
# (1e-3 * 0.9999^3000 = 7.4e-4; beta 0.006 there, 0.008 here). Steps 0-7000
# augment as stage 1 did; from step 7000 toms are shuffled and hi-hat and
# ride swapped too (the checkpoint carries the run across the change).
stage2() {
  bin/mvae finetune --model "$out/stage1.mvae" --data "$out/mma_train_plus.npz" -o "$out/stage2.mvae" \
    --batch 64 --lr 7.4e-4 --lr-decay 0.9999 --min-lr 1e-5 --beta 0.008 --free-bits 48 --clip 1 \
    --seed 2 --val-every 250 --patience 0 --checkpoint "$out/stage2.ckpt" --resume --json "$@"
}
stage2 --steps 7000 --mix 0.5 --drop 0.05 > "$out/finetune_log.json"
stage2 --steps "$steps2" --mix 0.5 --toms 0.5 --hat-ride 0.25 --drop 0.05 > "$out/finetune_log.json"

# Stage 2's model through ONNX and back, weights stored as float16 (the
# model shipped until stage 3 was added; stage 3 starts from it).
bin/mvae export --model "$out/stage2.mvae" -o "$out/stage2.onnx"
bin/mvae import "$out/stage2.onnx" --half --no-graphs -o "$out/stage2_half.mvae"

# Stages 3 and 4: real songs' drum parts too. scripts/real-drums.sh fetches
# Debian's MIDI with real drum parts and takes it out (out/real-drums/midi/).
# mvae data build splits each folder's files 80/10/10 by a stable hash of
# their path: the real files of the test split are never trained on, and
# scripts/real-drums.sh measures them.
#
# real_stage N FROM SEED FOLDER...: fine-tune FROM on the MMA training
# libraries and the real folders, 20,000 steps of 64 (about 15 minutes,
# 1,400 examples/s) with stage 2's augmentation, beta and free bits; the
# weights kept are the best by the validation split. Writes
# $out/stageN.mvae, its log, and $out/stageN_half.mvae (through ONNX and
# back, weights stored as float16).
real_stage() {
  local n=$1 from=$2 seed=$3
  shift 3
  bin/mvae data build testdata/corpus/mma/{alexis,casio,kara,pflib,stdlib} "${@/#/out/real-drums/midi/}" \
    --model "$from" -o "$out/mix$n.npz"
  bin/mvae finetune --model "$from" --data "$out/mix$n.npz" -o "$out/stage$n.mvae" \
    --steps 20000 --batch 64 --lr 3e-4 --lr-decay 0.99995 --min-lr 1e-5 --beta 0.008 --free-bits 48 --clip 1 \
    --mix 0.5 --toms 0.5 --hat-ride 0.25 --drop 0.05 --seed "$seed" --val-every 1000 --patience 0 \
    --checkpoint "$out/stage$n.ckpt" --json > "$out/stage${n}_log.json"
  bin/mvae export --model "$out/stage$n.mvae" -o "$out/model.onnx"
  bin/mvae import "$out/model.onnx" --half --no-graphs -o "$out/stage${n}_half.mvae"
}
scripts/real-drums.sh "$out/stage2_half.mvae"
# Stage 3: Freedoom, OpenMSX and Planet Blupi (455 test windows).
real_stage 3 "$out/stage2_half.mvae" 3 freedoom openmsx blupi
# Stage 4: Simutrans's soundtrack and four more songs too (926 test windows
# in all). A further 20,000 steps (lr 2e-4) gained nothing on the test files.
real_stage 4 "$out/stage3_half.mvae" 4 freedoom openmsx blupi simutrans misc

# Stages 5-10: scheduled sampling. Greedy decoding feeds the decoder its own
# tokens, training fed it the targets': on the real test files stage 4
# scored hit F1 0.904 teacher-forced but 0.817 greedy. Each stage goes on
# from the last on stage 4's data, feeding each decoder step its own
# sampled token (temperature 1) with a constant chance that rises from 0.5
# to 1; stage 8 trains the encoder alone, and stages 9 and 10 train the
# whole model again after scripts/widen.py widened the encoder from 192 to
# 320 units (computing the same). About 75 minutes in all.
# ss_stage N FROM RATE STEPS LR [FLAGS...]: writes $out/stageN.mvae and its log.
ss_stage() {
  local n=$1 from=$2 rate=$3 steps=$4 lr=$5
  shift 5
  bin/mvae finetune --model "$from" --data "$out/mix4.npz" -o "$out/stage$n.mvae" \
    --steps "$steps" --batch 64 --lr "$lr" --lr-decay 0.99995 --min-lr 1e-5 --beta 0.008 --free-bits 48 --clip 1 \
    --mix 0.5 --toms 0.5 --hat-ride 0.25 --drop 0.05 \
    --sampling constant --sampling-rate "$rate" --sampling-temperature 1 \
    --seed 5 --val-every 1000 --patience 0 --checkpoint "$out/stage$n.ckpt" --json "$@" > "$out/stage${n}_log.json"
}
ss_stage 5 "$out/stage4_half.mvae" 0.5 8000 2e-4
ss_stage 6 "$out/stage5.mvae" 0.8 10000 2e-4
ss_stage 7 "$out/stage6.mvae" 1 8000 2e-4
ss_stage 8 "$out/stage7.mvae" 1 8000 3e-4 --freeze conductor --freeze decoder
$py scripts/widen.py "$out/stage8.mvae" encoder 320 "$out/wide"
bin/mvae import "$out/wide/model.pt" --config "$out/wide/config.json" --no-graphs -o "$out/stage8_wide.mvae"
ss_stage 9 "$out/stage8_wide.mvae" 1 10000 3e-4
ss_stage 10 "$out/stage9.mvae" 1 10000 2e-4
bin/mvae export --model "$out/stage10.mvae" -o "$out/model.onnx"
bin/mvae import "$out/model.onnx" --half --no-graphs -o "$out/stage10_half.mvae"

# The shipped model.
cp "$out/stage10_half.mvae" model/defaultmodel/default.mvae
cp "$out/train_log.jsonl" model/defaultmodel/train_log.jsonl
cp "$out/finetune_log.json" model/defaultmodel/finetune_log.json
for n in 3 4 5 6 7 8 9 10; do cp "$out/stage${n}_log.json" model/defaultmodel/; done
go build -o bin/mvae .
bin/mvae evaluate --data "$out/mma_heldout.npz" --train "$out/mma_train.npz" --samples 256 --json | tee model/defaultmodel/heldout.json
