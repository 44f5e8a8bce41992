#!/usr/bin/env python3
"""PyTorch's side of `mvae bench`: the same presets, the same generation loop
(mvae_torch.generate: the spec's sampler, sequence by sequence), the same
JSON records.

    bench.py [--preset small|seed | --config C.json [--state S.pt]] [--batch 1,16,64]
             [--train] [--steps N] [--seconds S] [--threads N] [--spin] [--seed N] [--json]

A cell (one batch size) is timed for --steps runs or --seconds, whichever
comes first (0 bounds nothing; both 0: one run); a run is one generate() of
a batch from the prior at temperature 1, or with --train one optimizer step
(forward, backward, clipping, Adam). step_ms is one decoder step of the
batch (the decoder LSTM and its output layer, timed by hooks; sampling
excluded), or one optimizer step. peak_rss_bytes is VmHWM, reset before each
cell where /proc/self/clear_refs allows. As mvae bench does onnxruntime's,
OpenMP's idle threads sleep (OMP_WAIT_POLICY=PASSIVE, unless the environment
says otherwise or --spin is given): spinning threads cost 2 cores shared with
other work up to tenfold.
"""
import argparse
import json
import os
import sys
import time

if "--spin" not in sys.argv[1:]:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch loads OpenMP
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402

PRESETS = {
    "small": dict(encoder=(192, 2), z_size=64, conductor=(128, 1), decoder=(160, 2), segments=4),
    "seed": dict(encoder=(2048, 2), z_size=512, conductor=(1024, 2), decoder=(1024, 2), segments=16),
}


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class StepTimer:
    """Times the decoder's steps: from the decoder LSTM's call to the end of its output layer's."""

    def __init__(self, model):
        self.t, self.n, self.start = 0.0, 0, None
        model.decoder.lstm.register_forward_pre_hook(self.pre)
        model.decoder.out.register_forward_hook(self.post)

    def pre(self, *_):
        self.start = time.perf_counter()

    def post(self, *_):
        self.t += time.perf_counter() - self.start
        self.n += 1


def done(args, runs, dt):
    if args.steps == 0 and args.seconds == 0:
        return runs >= 1
    return (args.steps > 0 and runs >= args.steps) or (args.seconds > 0 and dt >= args.seconds)


def bench_generate(args, model, timer, B, rec):
    m.generate(model, None, 1.0, args.seed, prior=True, n=B)  # warm up
    timer.t, timer.n = 0.0, 0
    reset_peak_rss()
    t0 = time.perf_counter()
    runs = 0
    while not done(args, runs, time.perf_counter() - t0):
        m.generate(model, None, 1.0, args.seed + runs * B, prior=True, n=B)
        runs += 1
    dt = time.perf_counter() - t0
    rec.update(sequences_per_second=runs * B / dt, step_ms=timer.t * 1e3 / (runs * model.T),
               peak_rss_bytes=peak_rss(), runs=runs, seconds=dt)


def bench_train(args, model, B, rec):
    cfg = model.cfg
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    T, D = m.steps(cfg), cfg["input_size"]
    g = torch.Generator().manual_seed(args.seed)
    x = torch.zeros(B, T, D)
    hits = (torch.rand(B, T, 9, generator=g) < 0.25).float()
    x[..., :9] = hits
    x[..., 9:18] = hits * torch.rand(B, T, 9, generator=g)
    x[..., 18:] = hits * (torch.rand(B, T, 9, generator=g) * 2 - 1)
    eps = torch.randn(B, cfg["z_size"], generator=g)

    def step():
        loss, _, _ = m.loss_parts(model, x, eps, cfg["max_beta"], cfg["free_bits"])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step()  # warm up
    reset_peak_rss()
    t0 = time.perf_counter()
    runs = 0
    while not done(args, runs, time.perf_counter() - t0):
        step()
        runs += 1
    dt = time.perf_counter() - t0
    rec.update(examples_per_second=runs * B / dt, step_ms=dt * 1e3 / runs,
               peak_rss_bytes=peak_rss(), runs=runs, seconds=dt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--config")
    ap.add_argument("--state")
    ap.add_argument("--batch", default="1,16,64")
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=0, help="0: every CPU")
    ap.add_argument("--spin", action="store_true", help="let OpenMP's idle threads spin (its default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.preset and args.config:
        ap.error("give --preset or --config, not both")
    try:
        batches = [int(b) for b in args.batch.split(",")]
    except ValueError:
        ap.error("--batch: whole numbers separated by commas, not %r" % args.batch)
    if any(b < 1 for b in batches):
        ap.error("--batch: each at least 1")
    if args.steps < 0 or not (args.seconds >= 0):
        ap.error("--steps and --seconds: at least 0")
    threads = args.threads or os.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    if args.config:
        name = args.config
        cfg = {k: v for k, v in m.load_config(args.config).items() if k != "train"}
        model = m.MusicVAE(cfg)
        if args.state:
            model.load_state_dict(torch.load(args.state, map_location="cpu"))
    else:
        name = args.preset or "small"
        model = m.MusicVAE(m.make_config(**PRESETS[name]))
    model.train(args.train)
    params = sum(p.numel() for p in model.parameters())
    print("bench.py: %s, %d parameters, pytorch %s, %d threads" % (name, params, torch.__version__, threads), file=sys.stderr)
    timer = None if args.train else StepTimer(model)
    recs = []
    for B in batches:
        print("%s: pytorch, batch %d ..." % (name, B), file=sys.stderr)
        rec = dict(model=name, runtime="pytorch", mode="train" if args.train else "generate", batch=B,
                   precision="f32", threads=threads, params=params)
        if args.train:
            bench_train(args, model, B, rec)
        else:
            with torch.no_grad():
                bench_generate(args, model, timer, B, rec)
        recs.append(rec)
    if args.json:
        print(json.dumps(recs, indent=2))
        return
    print("%8s %8s %9s %6s %8s %11s %9s %13s" % ("model", "runtime", "mode", "batch", "threads", "per second", "step ms", "peak RSS MiB"))
    for r in recs:
        print("%8s %8s %9s %6d %8d %11.1f %9.3f %13.0f" % (r["model"], r["runtime"], r["mode"], r["batch"], r["threads"],
              r.get("sequences_per_second", 0) + r.get("examples_per_second", 0), r["step_ms"], r["peak_rss_bytes"] / 2**20))


if __name__ == "__main__":
    main()
