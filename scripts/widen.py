#!/usr/bin/env python3
"""Widen the decoder LSTM (one layer) or the bidirectional encoder LSTM (one
layer) of an mvae bundle from H to H2 units, keeping what the model
computes: the new units' outgoing weights (into the old units' gates, and
into the decoder's output linear or the encoder's mu and sigma linears) are
zero, their incoming weights small random numbers, so they start silent
toward the outputs and learn from there (fine-tune the result with mvae
finetune).

  scripts/widen.py IN.mvae decoder|encoder H2 OUT_DIR
writes OUT_DIR/model.pt (a PyTorch state_dict) and OUT_DIR/config.json, for
  mvae import OUT_DIR/model.pt --config OUT_DIR/config.json -o WIDE.mvae
"""
import collections, json, os, struct, sys, zipfile

import numpy as np
import torch

src, part, H2, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
assert part in ("decoder", "encoder"), "decoder or encoder"
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
assert cfg[part]["layers"] == 1, "one layer only"
H = cfg[part]["hidden"]
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

def widen_lstm(p, sfx):
    din = w[p + "weight_ih_l0" + sfx].shape[1]
    w[p + "weight_ih_l0" + sfx] = gates(w[p + "weight_ih_l0" + sfx], din, din)
    w[p + "weight_hh_l0" + sfx] = gates(w[p + "weight_hh_l0" + sfx], H, H2)  # old rows: zero columns for new units
    w[p + "bias_ih_l0" + sfx] = gate_bias(w[p + "bias_ih_l0" + sfx])
    w[p + "bias_hh_l0" + sfx] = gate_bias(w[p + "bias_hh_l0" + sfx])

if part == "decoder":
    widen_lstm("decoder.lstm.", "")
    # init: [2, L, H] rows (h0, then c0).
    iw, ib = w["decoder.init.weight"], w["decoder.init.bias"]
    nw = np.zeros((2 * H2, iw.shape[1]), np.float32)
    nb = np.zeros(2 * H2, np.float32)
    for half in range(2):
        nw[half * H2:half * H2 + H] = iw[half * H:(half + 1) * H]
        nb[half * H2:half * H2 + H] = ib[half * H:(half + 1) * H]
        nw[half * H2 + H:(half + 1) * H2] = small(H2 - H, iw.shape[1])
    w["decoder.init.weight"], w["decoder.init.bias"] = nw, nb
    ow = w["decoder.out.weight"]
    w["decoder.out.weight"] = np.concatenate([ow, np.zeros((ow.shape[0], H2 - H), np.float32)], axis=1)
else:
    # Both directions; mu and sigma read [forward final h, backward final h].
    widen_lstm("encoder.lstm.", "")
    widen_lstm("encoder.lstm.", "_reverse")
    for lin in ("encoder.mu.weight", "encoder.sigma.weight"):
        m = w[lin]
        o = np.zeros((m.shape[0], 2 * H2), np.float32)
        o[:, :H] = m[:, :H]
        o[:, H2:H2 + H] = m[:, H:]
        w[lin] = o
cfg[part]["hidden"] = H2
os.makedirs(out, exist_ok=True)
torch.save(collections.OrderedDict((k, torch.from_numpy(np.ascontiguousarray(v))) for k, v in sorted(w.items())), os.path.join(out, "model.pt"))
json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
print("%s %d -> %d units: %d parameters" % (part, H, H2, sum(v.size for v in w.values())))
