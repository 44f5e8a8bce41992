"""An independent MusicVAE (format mvae/1) teacher-forced forward, written from
/work/shared/spec/MUSICVAE.md (sections 2, 3, 5) alone, without looking at the
project's own reference (graphs/torch/mvae_torch.py).

It deliberately computes the same math with different tensor operations:

* the encoder's final states are taken as the last two rows of h_n and
  flattened (forward then backward), instead of a concat of h_n[-2], h_n[-1];
* the teacher-forcing input is built with F.pad instead of a concat with zeros;
* the per-segment decoder loop is replaced by folding the U segments into the
  batch: [B, T, D] -> [B*U, S, D], one decoder.lstm call with a per-(sequence,
  segment) initial state init(c_u).  Because the state is reset at the start of
  every segment, running the segments as independent batch rows is exactly the
  spec's loop.

Choices where the spec is silent are marked "CHOICE".
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


def _get(cfg, key):
    if key not in cfg:
        raise KeyError("config is missing %r" % key)
    return cfg[key]


class _Encoder(nn.Module):
    def __init__(self, d, z, hidden, layers):
        super().__init__()
        self.lstm = nn.LSTM(d, hidden, layers, batch_first=True, bidirectional=True)
        self.mu = nn.Linear(2 * hidden, z)
        self.sigma = nn.Linear(2 * hidden, z)


class _Conductor(nn.Module):
    def __init__(self, z, hidden, layers):
        super().__init__()
        self.init = nn.Linear(z, 2 * layers * hidden)
        # input size 1, always fed zeros (spec section 2)
        self.lstm = nn.LSTM(1, hidden, layers, batch_first=True)


class _Decoder(nn.Module):
    def __init__(self, d, cond_hidden, hidden, layers):
        super().__init__()
        self.init = nn.Linear(cond_hidden, 2 * layers * hidden)
        self.lstm = nn.LSTM(d + cond_hidden, hidden, layers, batch_first=True)
        self.out = nn.Linear(hidden, d)


class IndependentMusicVAE(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = dict(config)
        bars = int(_get(config, "bars"))
        spq = int(config.get("steps_per_quarter", 4))
        if spq != 4:
            raise ValueError("steps_per_quarter must be 4 (spec section 1)")
        self.T = 16 * bars
        self.U = int(_get(config, "segments"))
        if self.U <= 0 or self.T % self.U != 0:
            raise ValueError("segments %d does not divide T=%d" % (self.U, self.T))
        self.S = self.T // self.U
        self.D = int(_get(config, "input_size"))
        self.Z = int(_get(config, "z_size"))
        enc, con, dec = _get(config, "encoder"), _get(config, "conductor"), _get(config, "decoder")
        self.He, self.Le = int(enc["hidden"]), int(enc["layers"])
        self.Hc, self.Lc = int(con["hidden"]), int(con["layers"])
        self.Hd, self.Ld = int(dec["hidden"]), int(dec["layers"])
        self.encoder = _Encoder(self.D, self.Z, self.He, self.Le)
        self.conductor = _Conductor(self.Z, self.Hc, self.Lc)
        self.decoder = _Decoder(self.D, self.Hc, self.Hd, self.Ld)

    @staticmethod
    def _init_state(v, lin, layers, hidden):
        # spec: s = tanh(lin(v)).view(B, 2, L, H); h0 = s[:,0].transpose(0,1); c0 = s[:,1].transpose(0,1)
        # written here as one permute of [N, 2, L, H] -> [2, L, N, H], then unbind.
        s = torch.tanh(lin(v)).reshape(-1, 2, layers, hidden)
        s = s.permute(1, 2, 0, 3).contiguous()
        return s[0], s[1]

    def encode(self, x):
        _, (h_n, _) = self.encoder.lstm(x)
        # h_n: [2*L_e, B, H_e], rows ordered (layer0 fwd, layer0 bwd, ..., top fwd, top bwd)
        top = h_n[2 * self.Le - 2:]                      # [2, B, H_e]
        h = top.permute(1, 0, 2).reshape(-1, 2 * self.He)  # [B, 2*H_e]: fwd | bwd
        mu = self.encoder.mu(h)
        sigma = F.softplus(self.encoder.sigma(h))        # beta 1 (PyTorch default)
        return mu, sigma

    def decode_teacher_forced(self, x, z):
        B = x.size(0)
        U, S, D, Hc = self.U, self.S, self.D, self.Hc
        zeros_in = torch.zeros(B, U, 1, dtype=x.dtype, device=x.device)
        cond, _ = self.conductor.lstm(
            zeros_in, self._init_state(z, self.conductor.init, self.Lc, Hc))  # [B, U, Hc]
        prev = F.pad(x[:, :-1, :], (0, 0, 1, 0))          # [B, T, D], zeros first
        prev = prev.reshape(-1, S, D)                     # [B*U, S, D], row b*U+u
        c = cond.reshape(-1, Hc)                          # [B*U, Hc], row b*U+u
        dec_in = torch.cat([prev, c.unsqueeze(1).expand(-1, S, Hc)], dim=2)
        out, _ = self.decoder.lstm(
            dec_in, self._init_state(c, self.decoder.init, self.Ld, self.Hd))
        logits = self.decoder.out(out)                    # [B*U, S, D]
        return logits.reshape(-1, self.T, D)

    def forward(self, x, eps):
        mu, sigma = self.encode(x)
        z = mu + sigma * eps
        return self.decode_teacher_forced(x, z), mu, sigma


def config_json(config):
    return json.dumps(config, sort_keys=False, separators=(",", ":"))
