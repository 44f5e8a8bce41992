#!/usr/bin/env python3
"""Measure a groove MusicVAE the way the README reports it.

    evaluate.py --config C.json --weights model.pt --data HELD.npz [--train TRAIN.npz] [--samples 256]

On every window of --data (all its arrays): greedy reconstruction (encode ->
mu -> decode at temperature 0 with the spec's sampler) hit precision, recall,
F1 and per-step accuracy (a step is right when all 9 hits match), and KL per
sequence (nats). Prior samples at temperature 1 (seeds 0..N-1 of spec §4):
the share whose hit density (hits per step) lies within the 5-95 % range of
the --train windows' densities. Prints one JSON object.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402


def load(path, names=("train", "validation", "test")):
    with np.load(path) as f:
        return np.concatenate([f[n] for n in names if n in f.files and len(f[n])]).astype(np.float32)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--train")
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = m.load_model(args.config, args.weights)
    x = load(args.data)
    tp = fp = fn = 0
    steps_ok = steps = 0
    kls = []
    for i in range(0, len(x), args.batch):
        xb = x[i:i + args.batch]
        mu, sigma = model.encode(torch.from_numpy(xb))
        kls.append(m.kl_divergence(mu, sigma).numpy())
        _, tok = m.generate(model, mu.numpy(), 0.0, 0)
        h, t = tok[..., :9] > 0.5, xb[..., :9] > 0.5
        tp += int((h & t).sum())
        fp += int((h & ~t).sum())
        fn += int((~h & t).sum())
        steps_ok += int((h == t).all(-1).sum())
        steps += h.shape[0] * h.shape[1]
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    out = {"windows": int(len(x)), "hit_precision": prec, "hit_recall": rec,
           "hit_f1": 2 * prec * rec / max(prec + rec, 1e-12), "step_accuracy": steps_ok / steps,
           "kl_mean": float(np.concatenate(kls).mean())}
    if args.train:
        tr = load(args.train)
        dens = tr[..., :9].sum((1, 2)) / tr.shape[1]
        lo, hi = np.percentile(dens, 5), np.percentile(dens, 95)
        _, tok = m.generate(model, None, 1.0, 0, prior=True, n=args.samples)
        sd = tok[..., :9].sum((1, 2)) / tok.shape[1]
        out.update({"train_density_5_95": [float(lo), float(hi)], "prior_samples": args.samples,
                    "prior_in_range": float(((sd >= lo) & (sd <= hi)).mean()),
                    "prior_density_mean": float(sd.mean())})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
