"""Make small MusicVAE (mvae/1) models and golden tensors with the independent
implementation (independent_model.py, written from the spec alone).

usage: /usr/bin/python3 make_independent.py OUTDIR

For each model writes OUTDIR/NAME/{config.json, model.pt, model_opset17.onnx, golden.npz}
and OUTDIR/README.md.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from independent_model import IndependentMusicVAE  # noqa: E402

def make_config(representation, bars, segments, input_size, z, enc, con, dec):
    # spec section 5 keys, in the spec's order
    return {
        "format": "mvae/1", "representation": representation, "drum_map": "gm",
        "steps_per_quarter": 4, "bars": bars, "segments": segments,
        "input_size": input_size, "z_size": z,
        "encoder": {"hidden": enc[0], "layers": enc[1]},
        "conductor": {"hidden": con[0], "layers": con[1]},
        "decoder": {"hidden": dec[0], "layers": dec[1]},
        "free_bits": 48, "max_beta": 0.2,
    }


MODELS = [
    # name, config, seed, batch.  Z, H_e, H_c, H_d differ from each other and
    # no Linear weight is square, so a swapped or transposed weight shows.
    ("groove-2bar-2seg", make_config("groove", 2, 2, 27, 12, (10, 2), (8, 2), (14, 1)), 1234, 3),
    # drums has D = 512: the D-sized weights dominate, so the encoder and decoder
    # hidden sizes are tiny to keep the files small
    ("drums-1bar-4seg", make_config("drums", 1, 4, 512, 10, (2, 1), (11, 1), (3, 2)), 5678, 2),
]


def seeded_init(model, seed):
    """Fixed init: every parameter uniform(-a, a) from a seeded generator, with a
    larger range than PyTorch's default so logits are O(1), not tiny."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("decoder.out.weight"):
                a = 6.0 / model.Hd ** 0.5
            elif name.startswith("encoder.lstm.weight_ih_l0") and model.D > 100:
                a = 0.5   # one-hot input: only one column per step is used
            elif ".bias" in name or "bias_" in name:
                a = 0.3
            else:
                a = 0.6
            p.copy_((torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 - 1).mul(a).float())


def make_inputs(cfg, seed, BATCH):
    rng = np.random.default_rng(seed)
    T, D, Z = 16 * cfg["bars"], cfg["input_size"], cfg["z_size"]
    if cfg["representation"] == "groove":
        hits = (rng.random((BATCH, T, 9)) < 0.3).astype(np.float32)
        hits[:, 0, 0] = 1.0  # every window has a hit
        vel = (rng.integers(1, 128, (BATCH, T, 9)) / 127.0).astype(np.float32) * hits
        off = rng.uniform(-1, 1, (BATCH, T, 9)).astype(np.float32) * hits
        x = np.concatenate([hits, vel, off], axis=2)
    else:
        # drums: one-hot of sum(2^class); mostly few classes, some silent steps
        x = np.zeros((BATCH, T, D), np.float32)
        for b in range(BATCH):
            for t in range(T):
                if t % 4 == 0 or rng.random() < 0.5:
                    k = int(sum(1 << c for c in range(9) if rng.random() < 0.25))
                else:
                    k = 0
                x[b, t, k] = 1.0
            x[b, 0, 0] = 0.0
            x[b, 0, 1] = 1.0   # a kick on step 0: every window has a hit
    eps = rng.standard_normal((BATCH, Z)).astype(np.float32)
    return np.ascontiguousarray(x, dtype=np.float32), eps


def spec_literal_forward(m, x, eps):
    """The spec's pseudocode, line by line (loop over segments), as a self-check
    of the folded-batch forward in independent_model.py."""
    B = x.shape[0]
    _, (h_n, _) = m.encoder.lstm(x)
    h = torch.cat([h_n[-2], h_n[-1]], dim=1)
    mu = m.encoder.mu(h)
    sigma = F.softplus(m.encoder.sigma(h))
    z = mu + sigma * eps

    def init(v, lin, L, H):
        s = torch.tanh(lin(v)).view(B, 2, L, H)
        return s[:, 0].transpose(0, 1).contiguous(), s[:, 1].transpose(0, 1).contiguous()

    cond, _ = m.conductor.lstm(torch.zeros(B, m.U, 1), init(z, m.conductor.init, m.Lc, m.Hc))
    prev = torch.cat([torch.zeros(B, 1, m.D), x[:, :-1]], dim=1)
    logits = torch.zeros(B, m.T, m.D)
    S = m.S
    for u in range(m.U):
        c_u = cond[:, u]
        inp = torch.cat([prev[:, u * S:(u + 1) * S], c_u.unsqueeze(1).repeat(1, S, 1)], dim=2)
        out, _ = m.decoder.lstm(inp, init(c_u, m.decoder.init, m.Ld, m.Hd))
        logits[:, u * S:(u + 1) * S] = m.decoder.out(out)
    return logits, mu, sigma


def export_onnx(model, cfg, x, eps, path):
    import onnx
    torch.onnx.export(
        model, (x, eps), path, opset_version=17,
        input_names=["x", "eps"], output_names=["logits", "mu", "sigma"],
        dynamic_axes={"x": {0: "batch"}, "eps": {0: "batch"}, "logits": {0: "batch"},
                      "mu": {0: "batch"}, "sigma": {0: "batch"}},
        do_constant_folding=True)
    m = onnx.load(path)
    for p in list(m.metadata_props):
        if p.key == "mvae.config":
            m.metadata_props.remove(p)
    e = m.metadata_props.add()
    e.key = "mvae.config"
    e.value = json.dumps(cfg)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_independent.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, cfg, seed, batch in MODELS:
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(seed)
        model = IndependentMusicVAE(cfg)
        seeded_init(model, seed)
        model.eval()
        xn, epsn = make_inputs(cfg, seed + 1, batch)
        x, eps = torch.from_numpy(xn), torch.from_numpy(epsn)
        with torch.no_grad():
            logits, mu, sigma = model(x, eps)
            l2, m2, s2 = spec_literal_forward(model, x, eps)
            diff = max((logits - l2).abs().max().item(), (mu - m2).abs().max().item(),
                       (sigma - s2).abs().max().item())
            if diff > 1e-6:
                sys.exit("%s: folded forward and literal spec loop differ by %g" % (name, diff))
            # the traced graph must also hold for another batch size
            tr = torch.jit.trace(model, (x, eps))
            tl, tm, ts = tr(x[:1], eps[:1])
            tdiff = (tl - logits[:1]).abs().max().item()
            if tdiff > 1e-6:
                sys.exit("%s: traced model at batch 1 differs by %g" % (name, tdiff))
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
            f.write("\n")
        torch.save(model.state_dict(), os.path.join(d, "model.pt"))
        export_onnx(model, cfg, x, eps, os.path.join(d, "model_opset17.onnx"))
        np.savez_compressed(os.path.join(d, "golden.npz"), x=xn, eps=epsn,
                            logits=logits.numpy(), mu=mu.numpy(), sigma=sigma.numpy())
        print("%s: logits std %.3f max|.| %.3f, mu std %.3f, sigma mean %.3f, "
              "literal-loop diff %.2g, trace@B=1 diff %.2g" % (
                  name, logits.std().item(), logits.abs().max().item(),
                  mu.std().item(), sigma.mean().item(), diff, tdiff))
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write(README.format(outdir=outdir))


README = """# xcheck-independent

These models were made by an implementation of the MusicVAE contract written
from the spec alone (/work/shared/spec/MUSICVAE.md, sections 2, 3 and 5), without
reading the project's PyTorch reference (graphs/torch/mvae_torch.py). They exist to
check that two independent implementations of the spec agree.

Made with (from the repository root, Debian's python3, torch 1.13 CPU, onnx 1.12):

    /usr/bin/python3 graphs/torch/xcheck/make_independent.py testdata/models/xcheck-independent

Each folder holds:

* `config.json` - the spec section 5 config;
* `model.pt` - `torch.save(state_dict)` with the canonical parameter names;
* `model_opset17.onnx` - `torch.onnx.export` (TorchScript exporter, opset 17, inputs
  `x`, `eps`, outputs `logits`, `mu`, `sigma`, dynamic batch), with the config as
  `metadata_props["mvae.config"]`. The independent forward folds the U segments
  into the batch, so the graph holds ONE decoder LSTM node (run on B*U rows),
  not one per segment;
* `golden.npz` - `x` (valid windows), `eps`, and `logits`, `mu`, `sigma` from the
  independent implementation (batch 3 for groove, 2 for drums; float32).

Check them against the project's reference with

    /usr/bin/python3 graphs/torch/xcheck/check_against_reference.py testdata/models/xcheck-independent/*/
"""

if __name__ == "__main__":
    main()
