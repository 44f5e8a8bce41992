#!/usr/bin/env python3
"""Export small models in the other ways a PyTorch user might, for the importer's tests.

    /usr/bin/python3 graphs/torch/make_export_variants.py testdata/models/variants

- nofold-melody: torch.onnx.export with do_constant_folding=False (the LSTM
  weights reach their nodes through Unsqueeze, Slice and Concat), opset 13,
  no mvae.config metadata, unnamed outputs;
- bigseg-drums: 8 segments of 2 steps, 3-layer decoder, opset 17.
Each folder: config.json, model.pt, model.onnx, golden.npz (x, eps, logits, mu, sigma).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402
from export import export  # noqa: E402

out = sys.argv[1]
torch.set_num_threads(1)


def windows(cfg, B, g):
    T, D = m.steps(cfg), cfg["input_size"]
    x = torch.zeros(B, T, D)
    idx = torch.randint(0, D, (B, T), generator=g)
    x.scatter_(2, idx.unsqueeze(-1), 1.0)
    return x


def save(name, cfg, model, onnx_writer):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(3)
    x = windows(cfg, 3, g)
    eps = torch.randn(3, cfg["z_size"], generator=g)
    with torch.no_grad():
        logits, mu, sigma = model(x, eps)
    torch.save(model.state_dict(), os.path.join(d, "model.pt"))
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(m.config_json(cfg) + "\n")
    onnx_writer(model, x, eps, os.path.join(d, "model.onnx"))
    np.savez_compressed(os.path.join(d, "golden.npz"), x=x.numpy(), eps=eps.numpy(), logits=logits.numpy(),
             mu=mu.numpy(), sigma=sigma.numpy())


torch.manual_seed(0)
cfg = m.make_config("melody", bars=1, segments=2, z_size=3, encoder=(4, 2), conductor=(5, 2), decoder=(6, 2))
model = m.MusicVAE(cfg).eval()


def nofold(model, x, eps, path):
    kw = {}
    import inspect
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False
    torch.onnx.export(model, (x, eps), path, input_names=["x", "eps"],
                      dynamic_axes={"x": {0: "batch"}, "eps": {0: "batch"}},
                      opset_version=13, do_constant_folding=False, **kw)


save("nofold-melody", cfg, model, nofold)

torch.manual_seed(1)
cfg = m.make_config("drums", bars=1, segments=8, z_size=5, encoder=(3, 1), conductor=(4, 1), decoder=(7, 3))
model = m.MusicVAE(cfg).eval()
save("bigseg-drums", cfg, model, lambda model, x, eps, path: export(model, path, 17))
with open(os.path.join(out, "README.md"), "w") as f:
    f.write("# Export variants\n\nSmall untrained models exported the other ways a PyTorch user might (see the script's\n"
            "docstring): `nofold-melody` (no constant folding, opset 13, no metadata, unnamed outputs) and\n"
            "`bigseg-drums` (8 segments, 3-layer decoder). Made by\n"
            "`/usr/bin/python3 graphs/torch/make_export_variants.py testdata/models/variants`.\n")
print("wrote", out)
