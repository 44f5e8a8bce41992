#!/usr/bin/env python3
"""Train a MusicVAE of the mvae/1 contract on `mvae data build` output.

    train.py --data DATA.npz [--heldout HELD.npz] --out DIR [--config C.json | size flags]
             [--steps N] [--minutes M] [--batch 64] [--lr 1e-3] [--resume]

Adam with exponential learning-rate decay (Magenta's: lr * decay^step, floored),
global-norm gradient clipping, KL with free bits and the beta schedule
beta = (1 - beta_rate^step) * max_beta. Every --eval-every steps it reports the
validation loss (the data's `validation` array) and, when given, the loss on a
held-out file (all its arrays). DIR gets config.json, model.pt (the last
weights), best.pt (the best validation loss), checkpoint.pt (for --resume,
written to a temporary file and renamed) and train_log.jsonl.

Under torchrun (WORLD_SIZE and RANK in the environment) it trains with
DistributedDataParallel: gloo on CPUs, nccl on GPUs (--backend to choose), each
rank on its own GPU (LOCAL_RANK) where there are GPUs. --batch is per rank, so
a step sees WORLD_SIZE * --batch windows: every rank walks the same shuffled
order of the windows and takes its own stride of each global batch (what
torch.utils.data.DistributedSampler does), with its own noise and
augmentation. Gradients are averaged across ranks, so every rank keeps the
same weights; rank 0 alone evaluates and writes DIR. At the end each rank
prints "rank R of W: N steps, parameters sha256 H". Without torchrun nothing
changes: the same steps, the same files, bit for bit.

    torchrun --nproc_per_node 2 train.py --data DATA.npz --out DIR ...
"""
import argparse
import collections
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402


def load_arrays(path, names):
    with np.load(path) as f:
        arrs = [f[n] for n in names if n in f.files and f[n].shape[0] > 0]
    return np.concatenate(arrs).astype(np.float32) if arrs else None


def atomic_save(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


@torch.no_grad()
def evaluate(model, data, cfg, beta, device=None, batch=256):
    model.eval()
    tot = {"loss": 0.0, "r": 0.0, "kl": 0.0}
    n = 0
    g = torch.Generator().manual_seed(1)
    for i in range(0, len(data), batch):
        x = torch.from_numpy(data[i:i + batch])
        eps = torch.randn(x.shape[0], cfg["z_size"], generator=g)
        if device is not None:
            x, eps = x.to(device), eps.to(device)
        loss, r, kl = m.loss_parts(model, x, eps, beta, cfg["free_bits"])
        k = x.shape[0]
        tot["loss"] += loss.item() * k
        tot["r"] += r.item() * k
        tot["kl"] += kl.item() * k
        n += k
    model.train()
    return {k: v / n for k, v in tot.items()}


GROUPS = [[0], [1], [2, 3], [4, 5, 6], [7, 8]]  # kick, snare, hi-hats, toms, cymbals


def transpose(x, rng, semitones):
    """Melody augmentation: shift each window by a whole number of semitones drawn uniformly
    from [-semitones, semitones], narrowed so that every note stays within the 88 keys."""
    tok = x.argmax(-1)
    out = np.zeros_like(x)
    D = x.shape[-1]
    for b in range(len(x)):
        notes = tok[b] >= 2
        t = tok[b].copy()
        if notes.any():
            lo = max(-semitones, 2 - t[notes].min())
            hi = min(semitones, D - 1 - t[notes].max())
            t[notes] += rng.integers(lo, hi + 1)
        out[b, np.arange(len(t)), t] = 1
    return out


def distributed_setup(backend):
    """(rank, world, device) under torchrun, else (0, 1, None) for a single process."""
    if "WORLD_SIZE" not in os.environ or "RANK" not in os.environ:
        return 0, 1, None
    import torch.distributed as dist
    if backend == "auto":
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size(), device


def parameters_sha256(model):
    """A digest of every parameter's bytes, in state_dict order, to see that ranks agree."""
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().to("cpu").contiguous().numpy().tobytes())
    return h.hexdigest()


def augment(x, rng, mix, drop, toms=0.0, hat_ride=0.0):
    """New grooves from a batch: swap whole instrument groups between windows, shuffle the
    three toms, let closed hi-hat and ride change places, drop hits (finetune/augment.go)."""
    x = x.copy()
    B = len(x)
    if mix > 0:
        src = x.copy()
        for g in GROUPS:
            cols = [c + 9 * part for part in range(3) for c in g]
            take = rng.random(B) < mix
            other = rng.integers(0, B, B)
            x[np.ix_(np.nonzero(take)[0], np.arange(x.shape[1]), cols)] = src[np.ix_(other[take], np.arange(x.shape[1]), cols)]
    for b in range(B):
        perm = np.arange(9)
        if toms > 0 and rng.random() < toms:
            perm[4:7] = 4 + rng.permutation(3)
        if hat_ride > 0 and rng.random() < hat_ride:
            perm[2], perm[8] = 8, 2
        if (perm != np.arange(9)).any():
            cols = np.concatenate([perm + 9 * part for part in range(3)])
            x[b] = x[b][:, cols]
    if drop > 0:
        gone = (rng.random(x[..., :9].shape) < drop) & (x[..., :9] > 0.5)
        for part in range(3):
            x[..., 9 * part:9 * part + 9][gone] = 0
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="mvae data build output (.npz: train, validation, test)")
    ap.add_argument("--heldout", help="a second .npz whose windows are only evaluated (all arrays)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", help="a config.json to start from (else the size flags)")
    ap.add_argument("--representation", default="groove")
    ap.add_argument("--bars", type=int, default=4)
    ap.add_argument("--segments", type=int, default=4)
    ap.add_argument("--z", type=int, default=64)
    ap.add_argument("--encoder", default="192,1")
    ap.add_argument("--conductor", default="128,1")
    ap.add_argument("--decoder", default="192,1")
    ap.add_argument("--free-bits", type=float, default=48)
    ap.add_argument("--max-beta", type=float, default=0.2)
    ap.add_argument("--drum-map", default="gm")
    ap.add_argument("--beta-rate", type=float, default=0.99999)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-decay", type=float, default=0.9999)
    ap.add_argument("--min-lr", type=float, default=1e-5)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--backend", default="auto", choices=["auto", "gloo", "nccl"],
                    help="under torchrun: the process group's backend (auto: nccl where there are GPUs, else gloo)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--mix", type=float, default=0.0,
                    help="groove augmentation: the chance that each instrument group of a window "
                         "(kick, snare, hi-hats, toms, cymbals) is taken from another window of the batch")
    ap.add_argument("--toms", type=float, default=0.0,
                    help="groove augmentation: the chance that the three toms of a window are shuffled")
    ap.add_argument("--hat-ride", type=float, default=0.0,
                    help="groove augmentation: the chance that closed hi-hat and ride of a window change places")
    ap.add_argument("--transpose", type=int, default=0,
                    help="melody augmentation: shift each window by up to this many semitones")
    ap.add_argument("--drop", type=float, default=0.0,
                    help="groove augmentation: the chance that each hit is removed")
    args = ap.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    rank, world, device = distributed_setup(args.backend)
    lead = rank == 0
    if lead:
        os.makedirs(args.out, exist_ok=True)
    ck_path = os.path.join(args.out, "checkpoint.pt")
    if args.config:
        cfg = m.load_config(args.config)
    else:
        pair = lambda s: tuple(int(v) for v in s.split(","))
        cfg = m.make_config(args.representation, args.bars, args.segments, args.z,
                            pair(args.encoder), pair(args.conductor), pair(args.decoder),
                            args.free_bits, args.max_beta, args.drum_map)
    cfg = {k: v for k, v in cfg.items() if k != "train"}
    train = load_arrays(args.data, ["train"])
    valid = load_arrays(args.data, ["validation"])
    held = load_arrays(args.heldout, ["train", "validation", "test"]) if args.heldout else None
    T, D = m.steps(cfg), cfg["input_size"]
    if train is None or train.shape[1:] != (T, D):
        sys.exit("train.py: %s: train windows %s do not fit the config [*, %d, %d]"
                 % (args.data, None if train is None else train.shape, T, D))
    if world > 1 and world * args.batch > len(train):
        sys.exit("train.py: %s: %d train windows are fewer than a step's %d (%d ranks x --batch %d)"
                 % (args.data, len(train), world * args.batch, world, args.batch))
    if lead:
        print("train %d windows, validation %d, held-out %d" % (
            len(train), 0 if valid is None else len(valid), 0 if held is None else len(held)), flush=True)

    torch.manual_seed(args.seed)
    model = m.MusicVAE(cfg)
    if device is not None:
        model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, best, elapsed0 = 0, float("inf"), 0.0
    rng = np.random.default_rng(args.seed)
    if args.resume and os.path.exists(ck_path):
        ck = torch.load(ck_path, map_location=device if device is not None else "cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, best, elapsed0 = ck["step"], ck["best"], ck["elapsed"]
        rng = np.random.default_rng(args.seed + step)
        torch.manual_seed(args.seed + step)
        if lead:
            print("resumed at step %d" % step, flush=True)
    # One process: one generator for the order and the augmentation, torch's
    # own for the noise. Under torchrun every rank shares the order (rng) but
    # draws its own augmentation and noise.
    aug_rng, eps_gen, net = rng, None, model
    if world > 1:
        seeds = np.random.SeedSequence([args.seed, step, rank]).generate_state(2)
        aug_rng = np.random.default_rng(seeds[0])
        eps_gen = torch.Generator().manual_seed(int(seeds[1]))
        net = torch.nn.parallel.DistributedDataParallel(model)
        net.cfg = model.cfg
    if lead:
        with open(os.path.join(args.out, "config.json"), "w") as f:
            f.write(m.config_json(cfg) + "\n")
        log = open(os.path.join(args.out, "train_log.jsonl"), "a")
        print("%d parameters" % sum(p.numel() for p in model.parameters()), flush=True)

    def state():
        sd = model.state_dict()
        return sd if device is None else collections.OrderedDict((k, v.to("cpu")) for k, v in sd.items())

    def save_all():
        atomic_save(state(), os.path.join(args.out, "model.pt"))
        atomic_save({"model": state(), "opt": opt.state_dict(), "step": step, "best": best,
                     "elapsed": elapsed0 + time.time() - t0}, ck_path)

    t0 = time.time()
    order = rng.permutation(len(train))
    pos = 0
    per_step = world * args.batch  # windows one step sees across the ranks
    acc = {"loss": 0.0, "r": 0.0, "kl": 0.0, "n": 0}
    model.train()
    while step < args.steps:
        stop = bool(args.minutes and elapsed0 + time.time() - t0 > args.minutes * 60)
        if world > 1:  # rank 0's clock decides for all, or one rank would wait forever
            flag = torch.tensor([1 if stop else 0], device=device)
            torch.distributed.broadcast(flag, 0)
            stop = bool(flag.item())
        if stop:
            break
        if pos + per_step > len(order):
            order, pos = rng.permutation(len(train)), 0
        idx = order[pos:pos + per_step][rank::world]
        pos += per_step
        xb = train[idx]
        if cfg["representation"] == "groove" and (args.mix > 0 or args.drop > 0 or args.toms > 0 or args.hat_ride > 0):
            xb = augment(xb, aug_rng, args.mix, args.drop, args.toms, args.hat_ride)
        if cfg["representation"] == "melody" and args.transpose > 0:
            xb = transpose(xb, aug_rng, args.transpose)
        x = torch.from_numpy(xb)
        eps = torch.randn(x.shape[0], cfg["z_size"], generator=eps_gen)
        if device is not None:
            x, eps = x.to(device), eps.to(device)
        beta = m.beta_at(step, cfg["max_beta"], args.beta_rate)
        lr = max(args.min_lr, args.lr * args.lr_decay ** step)
        for grp in opt.param_groups:
            grp["lr"] = lr
        loss, r, kl = m.loss_parts(net, x, eps, beta, cfg["free_bits"])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step += 1
        acc["loss"] += loss.item()
        acc["r"] += r.item()
        acc["kl"] += kl.item()
        acc["n"] += 1
        if step % args.eval_every == 0 or step == args.steps:
            if world > 1:  # the training losses reported are the means over the ranks
                sums = torch.tensor([acc["loss"], acc["r"], acc["kl"]], dtype=torch.float64, device=device)
                torch.distributed.all_reduce(sums)
                acc["loss"], acc["r"], acc["kl"] = (v / world for v in sums.tolist())
            rec = {"step": step, "t": round(elapsed0 + time.time() - t0, 1), "lr": lr, "beta": beta,
                   "loss": acc["loss"] / acc["n"], "r": acc["r"] / acc["n"], "kl": acc["kl"] / acc["n"]}
            acc = {"loss": 0.0, "r": 0.0, "kl": 0.0, "n": 0}
            if not lead:
                continue
            if valid is not None:
                v = evaluate(model, valid, cfg, beta, device)
                rec.update({"val_loss": v["loss"], "val_r": v["r"], "val_kl": v["kl"]})
                if v["loss"] < best:
                    best = v["loss"]
                    atomic_save(state(), os.path.join(args.out, "best.pt"))
            if held is not None:
                h = evaluate(model, held, cfg, beta, device)
                rec.update({"held_loss": h["loss"], "held_r": h["r"], "held_kl": h["kl"]})
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            save_all()
    if lead:
        save_all()
        print("stopped at step %d after %.0f s" % (step, elapsed0 + time.time() - t0), flush=True)
    if world > 1:
        print("rank %d of %d: %d steps, parameters sha256 %s" % (rank, world, step, parameters_sha256(model)),
              flush=True)
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()

if __name__ == "__main__":
    main()
