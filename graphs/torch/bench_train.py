#!/usr/bin/env python3
"""Examples per second of one training step (forward, backward, clipping, Adam) of a config at batch 64:
the PyTorch side of native's BenchmarkTrainStep.

    bench_train.py --config C.json [--batch 64] [--steps 20] [--threads 2]
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--config", required=True)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
torch.set_num_threads(args.threads)
cfg = {k: v for k, v in m.load_config(args.config).items() if k != "train"}
model = m.MusicVAE(cfg)
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
B, T, D = args.batch, m.steps(cfg), cfg["input_size"]
x = torch.zeros(B, T, D)
g = torch.Generator().manual_seed(1)
hits = (torch.rand(B, T, 9, generator=g) < 0.25).float()
x[..., :9] = hits
x[..., 9:18] = hits * torch.rand(B, T, 9, generator=g)
x[..., 18:] = hits * (torch.rand(B, T, 9, generator=g) * 2 - 1)
eps = torch.zeros(B, cfg["z_size"])


def step():
    loss, _, _ = m.loss_parts(model, x, eps, 0.2, cfg["free_bits"])
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


for _ in range(3):
    step()
t0 = time.time()
for _ in range(args.steps):
    step()
dt = time.time() - t0
print("pytorch %s, %d threads: %.1f examples/s (%.3f s a step of %d)" % (torch.__version__, args.threads, B * args.steps / dt, dt / args.steps, B))
