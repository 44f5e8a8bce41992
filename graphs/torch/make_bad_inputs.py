#!/usr/bin/env python3
"""Write broken model files for the importer's error tests.

    /usr/bin/python3 graphs/torch/make_bad_inputs.py importer/testdata/bad
"""
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvae_torch as m  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
cfg = m.make_config("groove", bars=1, segments=2, z_size=2, encoder=(2, 1), conductor=(3, 1), decoder=(4, 1))
sd = m.MusicVAE(cfg).state_dict()

extra = collections.OrderedDict(sd)
extra["decoder.extra.weight"] = torch.zeros(3)
torch.save(extra, os.path.join(out, "extra_key.pt"))

missing = collections.OrderedDict((k, v) for k, v in sd.items() if k != "decoder.out.bias")
torch.save(missing, os.path.join(out, "missing_key.pt"))

shape = collections.OrderedDict(sd)
shape["encoder.mu.weight"] = torch.zeros(2, 5)
torch.save(shape, os.path.join(out, "wrong_shape.pt"))

ints = collections.OrderedDict(sd)
ints["decoder.out.bias"] = torch.zeros(27, dtype=torch.int64)
torch.save(ints, os.path.join(out, "int_tensor.pt"))

# A view: decoder.out.weight is a transposed slice of a bigger storage (offset and strides).
big = torch.arange(4 * 40, dtype=torch.float32).view(40, 4)
view = collections.OrderedDict(sd)
view["decoder.out.weight"] = big[10:37].clone().t().contiguous().t()  # same values, strided
torch.save(view, os.path.join(out, "strided.pt"))
sv = collections.OrderedDict(sd)
# A transposed view with a storage offset: w[i][j] = 92 + 27*j + i, strides (1, 27).
sv["decoder.out.weight"] = torch.arange(200, dtype=torch.float32)[92:].view(4, 27).t()
torch.save(sv, os.path.join(out, "view.pt"))

torch.save(m.MusicVAE(cfg), os.path.join(out, "whole_module.pt"))
with open(os.path.join(out, "config.json"), "w") as f:
    f.write(m.config_json(cfg) + "\n")
with open(os.path.join(out, "README.md"), "w") as f:
    f.write("# Broken and unusual model files\n\nFor the importer's error tests; `config.json` is the model's config. Made by\n"
            "`/usr/bin/python3 graphs/torch/make_bad_inputs.py importer/testdata/bad`.\n\n"
            "- `extra_key.pt`, `missing_key.pt`, `wrong_shape.pt`, `int_tensor.pt`: state_dicts with one thing wrong;\n"
            "- `view.pt`: decoder.out.weight saved as a strided view with a storage offset (valid);\n"
            "- `strided.pt`: the same values through clone/transposes (valid);\n"
            "- `whole_module.pt`: `torch.save(model)` instead of its state_dict.\n")
print("wrote", out)
