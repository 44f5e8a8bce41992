#!/usr/bin/env python3
"""Regenerate the committed model fixtures under testdata/models/ (one command).

    cd <repo> && /usr/bin/python3 graphs/torch/make_fixtures.py
        [--out testdata/models] [--corpus testdata/corpus/mma] [--mvae bin/mvae]
        [--data NAME=FILE.npz ...] [--only NAME ...] [--threads 1]

For each fixture (groove, drums, melody; see FIXTURES) it

  1. gets training windows: `mvae data build CORPUS --representation R --bars N`
     (the Go CLI; built with `go build -o bin/mvae .` when --mvae is not given),
     or a prebuilt file from --data NAME=FILE.npz; when neither the corpus nor
     the CLI is usable it trains on random-but-valid windows and says so;
  2. initialises mvae_torch.MusicVAE with a fixed seed and trains it for a fixed
     number of Adam steps on one thread (no wall-clock limit, so runs repeat);
  3. writes config.json, model.pt, model_opset13.onnx, model_opset17.onnx
     (export.py), golden.npz and README.md into OUT/NAME/, and OUT/README.md.

Everything is seeded; with the same corpus, torch build and CPU a second run
writes the same golden.npz (the script prints a digest of each golden array set).
"""
import argparse
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mvae_torch as m  # noqa: E402
import export as ex  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
COMMAND = "/usr/bin/python3 graphs/torch/make_fixtures.py"

# Between them: 1- and 2-layer encoder, conductor and decoder; 4, 2 and 1 segments;
# the three representations. Sizes are small (and distinct inside a model, so that
# an importer cannot confuse the parts) to keep testdata/models small.
FIXTURES = [
    dict(name="groove", representation="groove", drum_map="gm", bars=4, segments=4, z=12,
         encoder=(24, 2), conductor=(16, 1), decoder=(32, 2), free_bits=8, max_beta=0.2,
         steps=300, batch=32, lr=3e-3, golden_batch=8, seed=1),
    dict(name="drums", representation="drums", drum_map="gm", bars=2, segments=2, z=8,
         encoder=(12, 1), conductor=(20, 2), decoder=(16, 1), free_bits=8, max_beta=0.2,
         steps=500, batch=32, lr=3e-3, golden_batch=4, seed=2),
    dict(name="melody", representation="melody", drum_map="gm", bars=2, segments=1, z=10,
         encoder=(16, 2), conductor=(12, 1), decoder=(24, 2), free_bits=8, max_beta=0.2,
         steps=500, batch=32, lr=3e-3, golden_batch=6, seed=3),
]
BETA_RATE = 0.99      # beta schedule of the short training: reaches max_beta within a few hundred steps
GOLDEN_BETA = 0.7     # beta of the golden loss
OPSETS = (13, 17)
TEMPERATURES = (0.0, 0.5, 1.0)
GEN_SEED = 42
PRIOR_SEED = 7
PRIOR_N = 4


def log(msg):
    print("make_fixtures: " + msg, flush=True)


# ---------------------------------------------------------------- data

def build_cli(mvae):
    """The path of a usable mvae binary, building it when needed; None when impossible."""
    if mvae:
        return mvae if os.access(mvae, os.X_OK) else None
    go = shutil.which("go")
    if go is None:
        log("no `go` on PATH: cannot build the mvae CLI")
        return None
    out = os.path.join(REPO, "bin", "mvae")
    r = subprocess.run([go, "build", "-o", out, "."], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        log("go build failed:\n" + r.stderr)
        return None
    return out


def build_data(mvae, corpus, fx, tmp):
    out = os.path.join(tmp, "%s_%dbars.npz" % (fx["representation"], fx["bars"]))
    cmd = [mvae, "data", "build", corpus, "--representation", fx["representation"],
           "--bars", str(fx["bars"]), "-o", out]
    if fx["representation"] != "melody":
        cmd += ["--drum-map", fx["drum_map"]]
    log("$ " + " ".join(os.path.relpath(c, REPO) if c.startswith(REPO + os.sep) else c for c in cmd))
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        log("mvae data build failed:\n" + r.stderr)
        return None, None
    summary = [l.strip() for l in r.stderr.splitlines() if l.startswith("windows:")]
    return out, (summary[0] if summary else "")


def load_windows(path, cfg):
    """(train, test) float32 windows of a data build .npz; test falls back to validation."""
    T, D = m.steps(cfg), cfg["input_size"]
    with np.load(path) as f:
        arrs = {k: f[k] for k in f.files}
    train = arrs.get("train")
    if train is None or train.ndim != 3 or train.shape[1:] != (T, D) or len(train) == 0:
        raise SystemExit("make_fixtures: %s: train windows %s do not fit [*, %d, %d]"
                         % (path, None if train is None else train.shape, T, D))
    test = arrs.get("test")
    if test is None or len(test) == 0:
        test = arrs.get("validation")
    if test is None or len(test) == 0:
        test = train
    return train.astype(np.float32), test.astype(np.float32)


def random_windows(cfg, n, rng):
    """Random windows that are valid for the representation (the fallback without a corpus)."""
    T, D, rep = m.steps(cfg), cfg["input_size"], cfg["representation"]
    x = np.zeros((n, T, D), dtype=np.float32)
    if rep == "groove":
        hit = (rng.random((n, T, 9)) < 0.15).astype(np.float32)
        hit[:, 0, 0] = 1  # never an empty window
        x[..., :9] = hit
        x[..., 9:18] = hit * rng.integers(1, 128, (n, T, 9)) / 127.0
        x[..., 18:] = hit * rng.uniform(-1, 1, (n, T, 9))
    elif rep == "drums":
        classes = (rng.random((n, T, 9)) < 0.15).astype(np.int64)
        classes[:, 0, 0] = 1
        idx = (classes * (1 << np.arange(9))).sum(-1)
        np.put_along_axis(x, idx[..., None], 1.0, axis=-1)
    else:  # melody: onsets (2..89), note offs (1) and holds/rests (0)
        r = rng.random((n, T))
        idx = np.where(r < 0.3, rng.integers(2, D, (n, T)), np.where(r < 0.4, 1, 0))
        idx[:, 0] = rng.integers(2, D, n)
        np.put_along_axis(x, idx[..., None], 1.0, axis=-1)
    return x.astype(np.float32)


# ---------------------------------------------------------------- training and goldens

def train(model, data, fx, cfg):
    """A fixed number of Adam steps (spec loss, beta schedule, gradient clipping)."""
    rng = np.random.default_rng(fx["seed"])
    gen = torch.Generator().manual_seed(fx["seed"])
    opt = torch.optim.Adam(model.parameters(), lr=fx["lr"])
    model.train()
    t0 = time.time()
    hist = []
    for step in range(fx["steps"]):
        idx = rng.choice(len(data), size=min(fx["batch"], len(data)), replace=False)
        x = torch.from_numpy(data[np.sort(idx)])
        eps = torch.randn(x.shape[0], cfg["z_size"], generator=gen)
        beta = m.beta_at(step, cfg["max_beta"], BETA_RATE)
        loss, r, kl = m.loss_parts(model, x, eps, beta, cfg["free_bits"])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        hist.append((loss.item(), r.item(), kl.item()))
    model.eval()
    first = np.mean(hist[:20], axis=0)
    last = np.mean(hist[-20:], axis=0)
    return {"steps": fx["steps"], "seconds": round(time.time() - t0, 1),
            "first": [round(float(v), 3) for v in first], "last": [round(float(v), 3) for v in last]}


def choose_free_bits(kl_nats):
    """A free_bits value (a multiple of 0.25) with the clamp active for some sequences and not for
    others, as far from every sequence's KL (in bits) as possible."""
    bits = np.sort(np.asarray(kl_nats, dtype=np.float64) / math.log(2))
    best, best_margin = None, -1.0
    for fb in np.arange(0.25, math.ceil(bits[-1]) + 0.25, 0.25):
        active = int((bits > fb).sum())
        if active == 0 or active == len(bits):
            continue
        margin = float(np.min(np.abs(bits - fb)))
        # prefer a split near the middle among values with a safe margin
        score = min(margin, 0.5) - 0.01 * abs(active - len(bits) / 2)
        if score > best_margin:
            best, best_margin = float(fb), score
    if best is None:  # all KLs (nearly) equal: no split possible
        best = 1.0
    return best


def goldens(model, x_np, cfg, seed, eps_np=None, free_bits=None):
    """Every array of golden.npz, float32 (scalars as 0-d arrays). eps and free_bits are drawn
    (chosen) unless given (--check recomputes the goldens of a fixture from its own eps)."""
    out = {}
    B, Z = x_np.shape[0], cfg["z_size"]
    if eps_np is None:
        g = torch.Generator().manual_seed(seed)
        eps = torch.randn(B, Z, generator=g)
    else:
        eps = torch.from_numpy(np.asarray(eps_np, dtype=np.float32))
    x = torch.from_numpy(x_np)
    model.eval()
    with torch.no_grad():
        logits, mu, sigma = model(x, eps)
        kl_seq = m.kl_divergence(mu, sigma)
    out["x"], out["eps"] = x_np, eps.numpy()
    out["logits"], out["mu"], out["sigma"] = logits.numpy(), mu.numpy(), sigma.numpy()

    if free_bits is None:
        free_bits = choose_free_bits(kl_seq.numpy())
    model.zero_grad()
    loss, r, kl = m.loss_parts(model, x, eps, GOLDEN_BETA, free_bits)
    loss.backward()
    out["beta"] = np.array(GOLDEN_BETA, dtype=np.float32)
    out["free_bits"] = np.array(free_bits, dtype=np.float32)
    out["loss"] = np.array(loss.item(), dtype=np.float32)
    out["reconstruction"] = np.array(r.item(), dtype=np.float32)
    out["kl"] = np.array(kl.item(), dtype=np.float32)
    for name, p in model.named_parameters():
        out["grad/" + name] = p.grad.detach().numpy().astype(np.float32).copy()
    model.zero_grad()

    mu_np = mu.numpy()
    for temp in TEMPERATURES:
        _, tok = m.generate(model, mu_np, temp, GEN_SEED)
        out["gen_mu_T%.1f_seed%d" % (temp, GEN_SEED)] = tok
    z, tok = m.generate(model, None, 1.0, PRIOR_SEED, prior=True, n=PRIOR_N)
    out["prior_seed%d_z" % PRIOR_SEED] = z
    out["prior_seed%d_T1.0" % PRIOR_SEED] = tok
    active = int((kl_seq.numpy() > free_bits * math.log(2)).sum())
    return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}, active, kl_seq.numpy()


def digest(arrays):
    h = hashlib.sha256()
    for k in sorted(arrays):
        h.update(k.encode())
        h.update(np.ascontiguousarray(arrays[k]).tobytes())
    return h.hexdigest()[:16]


def pick_windows(test, n, rng):
    """n distinct real windows (in file order) for the goldens."""
    uniq = np.unique(test.reshape(len(test), -1), axis=0, return_index=True)[1]
    idx = np.sort(rng.choice(np.sort(uniq), size=n, replace=False))
    return test[idx].copy(), idx


# ---------------------------------------------------------------- files

FOLDER_README = """# `{name}`: a small trained MusicVAE fixture ({rep}, {bars} bars, {segments} segment{s})

Generated by `graphs/torch/make_fixtures.py` (do not edit by hand). Regenerate all fixtures with

    cd <repo root> && {command}

(torch {torch}, onnx {onnx}, {threads} thread). Training data: {data}.
Initialised with `torch.manual_seed({seed})`, then {steps} Adam steps (lr {lr}, batch {batch},
spec loss with the config's free_bits {cfg_fb} and beta = (1 - {beta_rate}^step) * {max_beta},
gradient norm clipped at 1); mean loss / reconstruction / KL over the first 20
steps {first}, over the last 20 {last}.

Config (`config.json`, as `mvae_torch.config_json` writes it):

    {config}

Files:

- `config.json`: the `mvae/1` config (spec keys only).
- `model.pt`: `torch.save(model.state_dict())` (canonical parameter names, float32).
- `model_opset13.onnx`, `model_opset17.onnx`: `graphs/torch/export.py` (TorchScript exporter,
  `torch.onnx.export(model, (x, eps))`, inputs `x`, `eps`, outputs `logits`, `mu`, `sigma`,
  dynamic batch axis "batch", constants folded, config in `metadata_props["mvae.config"]`).
- `golden.npz` (`np.savez_compressed`, every array float32; scalars are 0-d arrays), made by
  PyTorch in eval mode from `model.pt`:
  - `x` [{B}, {T}, {D}]: {B} distinct {xsrc}; `eps` [{B}, {Z}]: standard normal
    draws (`torch.randn`, generator seed {seed});
  - `logits` [{B}, {T}, {D}], `mu`, `sigma` [{B}, {Z}]: the teacher-forced `model(x, eps)`;
  - `beta` = {beta}, `free_bits` = {fb} (bits; chosen so that max(KL - free_bits*ln 2, 0) is
    active for {active} of the {B} sequences, per-sequence KL in nats: {kls});
  - `loss`, `reconstruction`, `kl`: `mvae_torch.loss_parts(model, x, eps, beta, free_bits)`,
    batch means (`kl` before free bits; `loss` = mean of reconstruction + beta * max(KL - free_bits*ln 2, 0));
  - `grad/<name>` for every parameter (`grad/encoder.lstm.weight_ih_l0`, ...): the gradient of
    that `loss`, same shape as the parameter;
  - `gen_mu_T0.0_seed42`, `gen_mu_T0.5_seed42`, `gen_mu_T1.0_seed42` [{B}, {T}, {D}]: tokens
    decoded from z = `mu` with the spec's sampler (section 4) at temperatures 0, 0.5, 1, seed 42
    (`mvae_torch.generate(model, mu, temperature, 42)`);
  - `prior_seed7_z` [4, {Z}] and `prior_seed7_T1.0` [4, {T}, {D}]: `mvae_torch.generate(model,
    None, 1.0, 7, prior=True, n=4)` (z drawn from each sequence's stream first).

Golden digest (sha256 over sorted keys and raw bytes, first 16 hex digits): `{digest}`.
"""

TOP_README = """# Model fixtures

Small trained MusicVAE models of the `mvae/1` contract (`shared/spec/MUSICVAE.md`) with the
tensors PyTorch computes for them, for the Go importer, runtime and sampler tests. The folders in
the table are generated; regenerate them all with one command from the repository root:

    {command}

It builds the Go CLI (`go build -o bin/mvae .`), builds the training windows from the rendered MMA
corpus (`testdata/corpus/mma`, made by `make corpus`) with `bin/mvae data build`, trains each model
for a fixed number of steps on one thread, exports ONNX (opsets 13 and 17) and writes the goldens.
Last run: {seconds:.0f} s in all (torch {torch}, onnx {onnx}, {threads} thread){fallback}.

| folder | representation | bars | segments | z | encoder | conductor | decoder | golden batch |
|---|---|---|---|---|---|---|---|---|
{rows}

{others}Each folder's README.md lists its files and every golden array. Runs are deterministic: with the
same corpus, torch build and CPU, a second run writes the same golden arrays (the digests in the
folder READMEs); another torch version or CPU may differ in the last bits of the trained weights.
`{command} --check` regenerates nothing: it runs onnx.checker on every ONNX file and recomputes
every golden array from `model.pt` with PyTorch.
"""


def other_folders(out_dir):
    """A line for the top README on folders in out_dir that this script does not make."""
    mine = {fx["name"] for fx in FIXTURES}
    others = sorted(n for n in os.listdir(out_dir)
                    if os.path.isdir(os.path.join(out_dir, n)) and n not in mine)
    if not others:
        return ""
    return ("Not made by this script (see their own README.md): %s.\n\n"
            % ", ".join("`%s/`" % n for n in others))


def write_fixture(fx, out_dir, data_info, train_x, test_x, threads):
    name = fx["name"]
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    cfg = m.make_config(fx["representation"], fx["bars"], fx["segments"], fx["z"],
                        fx["encoder"], fx["conductor"], fx["decoder"],
                        fx["free_bits"], fx["max_beta"], fx["drum_map"])
    torch.manual_seed(fx["seed"])
    model = m.MusicVAE(cfg)
    tr = train(model, train_x, fx, cfg)
    log("%s: %d steps in %.1f s, loss/r/kl first %s last %s"
        % (name, tr["steps"], tr["seconds"], tr["first"], tr["last"]))

    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(m.config_json(cfg) + "\n")
    torch.save(model.state_dict(), os.path.join(d, "model.pt"))
    for opset in OPSETS:
        path = os.path.join(d, "model_opset%d.onnx" % opset)
        ex.export(model, path, opset)
        onnx.checker.check_model(onnx.load(path))

    rng = np.random.default_rng(1000 + fx["seed"])
    x, idx = pick_windows(test_x, fx["golden_batch"], rng)
    arrays, active, kls = goldens(model, x, cfg, fx["seed"])
    np.savez_compressed(os.path.join(d, "golden.npz"), **arrays)
    dg = digest(arrays)
    log("%s: golden digest %s, free_bits %g active for %d of %d"
        % (name, dg, float(arrays["free_bits"]), active, len(x)))

    B, T, D, Z = x.shape[0], m.steps(cfg), cfg["input_size"], cfg["z_size"]
    xsrc = ("real windows of the data's test split (indices %s)" % list(map(int, idx))
            if data_info["real"] else "RANDOM but valid windows (there was no corpus data)")
    text = FOLDER_README.format(
        name=name, rep=fx["representation"], bars=fx["bars"], segments=fx["segments"],
        s="" if fx["segments"] == 1 else "s", command=COMMAND, torch=torch.__version__,
        onnx=onnx.__version__, threads=threads, data=data_info["text"], seed=fx["seed"],
        steps=fx["steps"], lr=fx["lr"], batch=fx["batch"], cfg_fb=fx["free_bits"],
        beta_rate=BETA_RATE, max_beta=fx["max_beta"],
        first=tr["first"], last=tr["last"], config=m.config_json(cfg), B=B, T=T, D=D, Z=Z,
        xsrc=xsrc, beta=GOLDEN_BETA, fb=float(arrays["free_bits"]), active=active,
        kls=", ".join("%.3f" % v for v in kls), digest=dg)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(text)
    return cfg, dg


def check(out_dir, names):
    """Check committed fixtures: ONNX checker and metadata, and every golden array recomputed
    by PyTorch from model.pt and the golden's own x, eps and free_bits. Returns True when all pass."""
    ok = True
    for name in names:
        d = os.path.join(out_dir, name)
        cfg = m.load_config(os.path.join(d, "config.json"))
        model = m.load_model(os.path.join(d, "config.json"), os.path.join(d, "model.pt"))
        for opset in OPSETS:
            path = os.path.join(d, "model_opset%d.onnx" % opset)
            proto = onnx.load(path)
            onnx.checker.check_model(proto)
            meta = {p.key: p.value for p in proto.metadata_props}
            if meta.get(ex.CONFIG_KEY) != m.config_json(cfg):
                log("FAIL %s: mvae.config differs from config.json" % path)
                ok = False
            if proto.opset_import[0].version != opset:
                log("FAIL %s: opset %d" % (path, proto.opset_import[0].version))
                ok = False
        with np.load(os.path.join(d, "golden.npz")) as f:
            gold = {k: f[k] for k in f.files}
        got, _, _ = goldens(model, gold["x"], cfg, 0, gold["eps"], float(gold["free_bits"]))
        if sorted(got) != sorted(gold):
            log("FAIL %s: golden keys differ: %s" % (name, sorted(set(got) ^ set(gold))))
            ok = False
        worst, identical = {}, True
        for k in sorted(set(got) & set(gold)):
            a, b = got[k].astype(np.float64), gold[k].astype(np.float64)
            if a.shape != b.shape:
                log("FAIL %s: %s shape %s, golden %s" % (name, k, a.shape, b.shape))
                ok = False
                continue
            diff = float(np.max(np.abs(a - b))) if a.size else 0.0
            identical &= diff == 0.0
            tol = 1e-5 if k.startswith(("gen_", "prior_")) else 1e-4 + 1e-3 * float(np.max(np.abs(b)) if b.size else 0)
            worst[k] = diff
            if diff > tol:
                log("FAIL %s: %s differs by %.3g (tolerance %.3g)" % (name, k, diff, tol))
                ok = False
        k = max(worst, key=worst.get)
        log("%s: %d golden arrays recomputed from model.pt: %s; ONNX files pass onnx.checker"
            % (name, len(worst), "bitwise identical" if identical
               else "largest difference %.3g (%s)" % (worst[k], k)))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(REPO, "testdata", "models"))
    ap.add_argument("--corpus", default=os.path.join(REPO, "testdata", "corpus", "mma"))
    ap.add_argument("--mvae", help="a built mvae binary (default: go build -o bin/mvae .)")
    ap.add_argument("--data", action="append", default=[], metavar="NAME=FILE",
                    help="a prebuilt `mvae data build` .npz for fixture NAME (repeatable)")
    ap.add_argument("--only", action="append", default=[], help="make only this fixture (repeatable)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--check", action="store_true",
                    help="regenerate nothing: check the fixtures in --out against model.pt and onnx.checker")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.check:
        names = [fx["name"] for fx in FIXTURES if not args.only or fx["name"] in args.only]
        sys.exit(0 if check(args.out, names) else 1)
    t0 = time.time()
    prebuilt = dict(s.split("=", 1) for s in args.data)
    fixtures = [fx for fx in FIXTURES if not args.only or fx["name"] in args.only]
    if not fixtures:
        raise SystemExit("make_fixtures: no fixture named %s" % args.only)
    os.makedirs(args.out, exist_ok=True)

    need_cli = any(fx["name"] not in prebuilt for fx in fixtures)
    corpus_ok = os.path.isdir(args.corpus) and any(
        fn.lower().endswith((".mid", ".midi")) for _, _, fns in os.walk(args.corpus) for fn in fns)
    mvae = None
    if need_cli:
        if not corpus_ok:
            log("WARNING: corpus %s is missing or has no MIDI files (run `make corpus`); "
                "training on random-but-valid windows instead" % args.corpus)
        else:
            mvae = build_cli(args.mvae)
            if mvae is None:
                log("WARNING: no usable mvae CLI; training on random-but-valid windows instead")

    fallback = False
    rows = []
    tmp = tempfile.mkdtemp(prefix="mvae-fixtures-")
    try:
        for fx in fixtures:
            cfg = m.make_config(fx["representation"], fx["bars"], fx["segments"], fx["z"],
                                fx["encoder"], fx["conductor"], fx["decoder"],
                                fx["free_bits"], fx["max_beta"], fx["drum_map"])
            path, summary = prebuilt.get(fx["name"]), None
            if path is None and mvae is not None:
                path, summary = build_data(mvae, args.corpus, fx, tmp)
            if path is not None:
                train_x, test_x = load_windows(path, cfg)
                src = ("`bin/mvae data build testdata/corpus/mma --representation %s --bars %d%s` (%s)"
                       % (fx["representation"], fx["bars"],
                          "" if fx["representation"] == "melody" else " --drum-map " + fx["drum_map"],
                          summary) if fx["name"] not in prebuilt
                       else "prebuilt %s" % os.path.basename(path))
                info = {"real": True, "text": "%s; %d train windows, %d test windows"
                        % (src, len(train_x), len(test_x))}
            else:
                fallback = True
                log("WARNING: %s: training on random-but-valid windows (no corpus data)" % fx["name"])
                rng = np.random.default_rng(fx["seed"])
                train_x = random_windows(cfg, 2048, rng)
                test_x = random_windows(cfg, 64, rng)
                info = {"real": False, "text": "RANDOM but valid windows (the corpus was missing)"}
            cfg, dg = write_fixture(fx, args.out, info, train_x, test_x, args.threads)
            del train_x, test_x
            rows.append("| `%s` | %s | %d | %d | %d | %s | %s | %s | %d |" % (
                fx["name"], fx["representation"], fx["bars"], fx["segments"], fx["z"],
                "(%d, %d)" % fx["encoder"], "(%d, %d)" % fx["conductor"], "(%d, %d)" % fx["decoder"],
                fx["golden_batch"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    seconds = time.time() - t0
    if not args.only:
        with open(os.path.join(args.out, "README.md"), "w") as f:
            f.write(TOP_README.format(
                command=COMMAND, seconds=seconds, torch=torch.__version__, onnx=onnx.__version__,
                threads=args.threads, rows="\n".join(rows), others=other_folders(args.out),
                fallback=("; WARNING: the corpus was missing, the models were trained on random windows"
                          if fallback else "")))
    log("done in %.0f s" % seconds)


if __name__ == "__main__":
    main()
