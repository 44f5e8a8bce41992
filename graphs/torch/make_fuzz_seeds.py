#!/usr/bin/env python3
"""Write the smallest possible MusicVAE as .pt and .onnx: seeds for the importer's fuzzers.

    /usr/bin/python3 graphs/torch/make_fuzz_seeds.py importer/testdata/fuzzseeds
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402
from export import export  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
cfg = m.make_config("groove", bars=1, segments=2, z_size=2, encoder=(1, 1), conductor=(1, 1), decoder=(1, 1))
model = m.MusicVAE(cfg).eval()
torch.save(model.state_dict(), os.path.join(out, "tiny.pt"))
export(model, os.path.join(out, "tiny.onnx"), 17)
with open(os.path.join(out, "README.md"), "w") as f:
    f.write("# Fuzz seeds\n\nThe smallest MusicVAE (groove, 1 bar, 2 segments, every size 1 or 2), as `tiny.pt` and\n"
            "`tiny.onnx`: seeds for `FuzzImportPT` and `FuzzImportONNX`. Made by\n"
            "`/usr/bin/python3 graphs/torch/make_fuzz_seeds.py importer/testdata/fuzzseeds`.\n")
print("wrote", out)
