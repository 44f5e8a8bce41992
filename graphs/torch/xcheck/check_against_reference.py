"""Compare golden tensors made by the independent implementation (make_independent.py)
with the project's PyTorch reference (graphs/torch/mvae_torch.py).

usage: /usr/bin/python3 check_against_reference.py MODELDIR...

Each MODELDIR holds config.json, model.pt and golden.npz. Prints the max absolute
difference of logits, mu and sigma, and exits 1 if any exceeds 1e-5.
"""
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)
TOL = 1e-5
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mvae_torch  # noqa: E402  (the project's reference; used, not read)


def main():
    dirs = sys.argv[1:]
    if not dirs:
        sys.exit("usage: check_against_reference.py MODELDIR...")
    failed = False
    for d in dirs:
        model = mvae_torch.load_model(os.path.join(d, "config.json"), os.path.join(d, "model.pt"))
        g = np.load(os.path.join(d, "golden.npz"))
        with torch.no_grad():
            out = model(torch.from_numpy(g["x"]), torch.from_numpy(g["eps"]))
        diffs = {}
        for name, t in zip(("logits", "mu", "sigma"), out):
            got = t.detach().numpy()
            if got.shape != g[name].shape:
                diffs[name] = float("inf")
                print("%s: %s shape %s, golden %s" % (d, name, got.shape, g[name].shape))
                continue
            diffs[name] = float(np.abs(got - g[name]).max())
        bad = [k for k, v in diffs.items() if not v <= TOL]
        failed |= bool(bad)
        print("%s: max|diff| logits %.3g  mu %.3g  sigma %.3g  (B=%d, T=%d, D=%d) %s" % (
            os.path.normpath(d), diffs["logits"], diffs["mu"], diffs["sigma"],
            g["x"].shape[0], g["x"].shape[1], g["x"].shape[2],
            "FAIL (> %g: %s)" % (TOL, ", ".join(bad)) if bad else "ok"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
