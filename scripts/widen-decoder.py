#!/usr/bin/env python3
"""Widen the decoder LSTM of an mvae bundle (one layer) from H to H2 units,
keeping what the model computes: the new units' outgoing weights (into the
old units' gates and into the output linear) are zero, their incoming
weights small random numbers, so they start silent toward the outputs and
learn from there (fine-tune the result with mvae finetune).

  scripts/widen-decoder.py IN.mvae H2 OUT_DIR
writes OUT_DIR/model.pt (a PyTorch state_dict) and OUT_DIR/config.json, for
  mvae import OUT_DIR/model.pt --config OUT_DIR/config.json -o WIDE.mvae
"""
import collections, json, os, struct, sys, zipfile

import numpy as np
import torch

src, H2, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
z = zipfile.ZipFile(src)
man = json.loads(z.read("mvae.json"))
cfg = man["config"]
raw = z.read("weights.safetensors")
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
dt = {"F32": np.float32, "F16": np.float16}
w = {}
for k, v in head.items():
    if k == "__metadata__":
        continue
    a, b = v["data_offsets"]
    w[k] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt[v["dtype"]]).astype(np.float32).reshape(v["shape"])
assert cfg["decoder"]["layers"] == 1, "one decoder layer only"
H = cfg["decoder"]["hidden"]
assert H2 > H
rng = np.random.default_rng(0)
small = lambda *s: (rng.standard_normal(s) * 0.05).astype(np.float32)

def gates(m, cols_old, cols_new):
    # [4H, cols_old] -> [4H2, cols_new]: PyTorch's gate blocks i, f, g, o.
    o = np.zeros((4 * H2, cols_new), np.float32)
    for g in range(4):
        o[g * H2:g * H2 + H, :cols_old] = m[g * H:(g + 1) * H]
        o[g * H2 + H:(g + 1) * H2, :] = small(H2 - H, cols_new)
    return o

def gate_bias(b):
    o = np.zeros(4 * H2, np.float32)
    for g in range(4):
        o[g * H2:g * H2 + H] = b[g * H:(g + 1) * H]
    return o

p = "decoder.lstm."
din = w[p + "weight_ih_l0"].shape[1]
w[p + "weight_ih_l0"] = gates(w[p + "weight_ih_l0"], din, din)
w[p + "weight_hh_l0"] = gates(w[p + "weight_hh_l0"], H, H2)  # old rows: zero columns for new units
w[p + "bias_ih_l0"] = gate_bias(w[p + "bias_ih_l0"])
w[p + "bias_hh_l0"] = gate_bias(w[p + "bias_hh_l0"])
# init: [2, L, H] rows (h0, then c0).
iw, ib = w["decoder.init.weight"], w["decoder.init.bias"]
nw = np.zeros((2 * H2, iw.shape[1]), np.float32)
nb = np.zeros(2 * H2, np.float32)
for part in range(2):
    nw[part * H2:part * H2 + H] = iw[part * H:(part + 1) * H]
    nb[part * H2:part * H2 + H] = ib[part * H:(part + 1) * H]
    nw[part * H2 + H:(part + 1) * H2] = small(H2 - H, iw.shape[1])
w["decoder.init.weight"], w["decoder.init.bias"] = nw, nb
ow = w["decoder.out.weight"]
w["decoder.out.weight"] = np.concatenate([ow, np.zeros((ow.shape[0], H2 - H), np.float32)], axis=1)
cfg["decoder"]["hidden"] = H2
os.makedirs(out, exist_ok=True)
torch.save(collections.OrderedDict((k, torch.from_numpy(np.ascontiguousarray(v))) for k, v in sorted(w.items())), os.path.join(out, "model.pt"))
json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
print("decoder %d -> %d units: %d parameters" % (H, H2, sum(v.size for v in w.values())))
