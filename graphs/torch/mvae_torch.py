"""The PyTorch reference of the mvae/1 contract (shared/spec/MUSICVAE.md).

One module holds what every other script of graphs/torch/ shares: the config,
the network of spec section 2 (parameter names are the canonical names), the
loss, and the sampler and generation loop of section 4. It runs on Debian's
python3-torch 1.13 and on PyTorch 2.x.
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FORMAT = "mvae/1"
DEPTH = {"groove": 27, "drums": 512, "melody": 90}


# ---------------------------------------------------------------- config

def make_config(representation="groove", bars=4, segments=4, z_size=64,
                encoder=(192, 2), conductor=(128, 1), decoder=(160, 2),
                free_bits=48, max_beta=0.2, drum_map="gm"):
    """A config dict in the form of spec section 5."""
    return {
        "format": FORMAT, "representation": representation,
        "drum_map": drum_map if representation != "melody" else "gm",
        "steps_per_quarter": 4, "bars": bars, "segments": segments,
        "input_size": DEPTH[representation], "z_size": z_size,
        "encoder": {"hidden": encoder[0], "layers": encoder[1]},
        "conductor": {"hidden": conductor[0], "layers": conductor[1]},
        "decoder": {"hidden": decoder[0], "layers": decoder[1]},
        "free_bits": free_bits, "max_beta": max_beta,
    }


def check_config(cfg):
    if cfg.get("format") != FORMAT:
        raise ValueError("config format %r, want %r" % (cfg.get("format"), FORMAT))
    if cfg["input_size"] != DEPTH[cfg["representation"]]:
        raise ValueError("input_size %d does not fit %s" % (cfg["input_size"], cfg["representation"]))
    T = 16 * cfg["bars"]
    if T % cfg["segments"]:
        raise ValueError("%d steps do not split into %d segments" % (T, cfg["segments"]))
    return cfg


def steps(cfg):
    return 16 * cfg["bars"]


# ---------------------------------------------------------------- network (spec section 2)

class _Part(nn.Module):
    """A named container so that state_dict names read encoder.lstm.weight_ih_l0 etc."""


def init_state(v, lin, L, H):
    """init(v, lin, L, H): s = tanh(lin(v)).view(B, 2, L, H); h0 = s[:,0].T, c0 = s[:,1].T."""
    s = torch.tanh(lin(v)).view(v.shape[0], 2, L, H)
    h0 = s[:, 0].transpose(0, 1).contiguous()
    c0 = s[:, 1].transpose(0, 1).contiguous()
    return h0, c0


class MusicVAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = check_config(cfg)
        D, Z = cfg["input_size"], cfg["z_size"]
        He, Le = cfg["encoder"]["hidden"], cfg["encoder"]["layers"]
        Hc, Lc = cfg["conductor"]["hidden"], cfg["conductor"]["layers"]
        Hd, Ld = cfg["decoder"]["hidden"], cfg["decoder"]["layers"]
        self.D, self.Z, self.U, self.T = D, Z, cfg["segments"], steps(cfg)
        self.S = self.T // self.U
        self.Hc, self.Lc, self.Hd, self.Ld = Hc, Lc, Hd, Ld

        self.encoder = _Part()
        self.encoder.lstm = nn.LSTM(D, He, Le, batch_first=True, bidirectional=True)
        self.encoder.mu = nn.Linear(2 * He, Z)
        self.encoder.sigma = nn.Linear(2 * He, Z)

        self.conductor = _Part()
        self.conductor.init = nn.Linear(Z, 2 * Lc * Hc)
        self.conductor.lstm = nn.LSTM(1, Hc, Lc, batch_first=True)

        self.decoder = _Part()
        self.decoder.init = nn.Linear(Hc, 2 * Ld * Hd)
        self.decoder.lstm = nn.LSTM(D + Hc, Hd, Ld, batch_first=True)
        self.decoder.out = nn.Linear(Hd, D)

    def encode(self, x):
        _, (h_n, _) = self.encoder.lstm(x)
        h = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # top layer: forward final, backward final
        mu = self.encoder.mu(h)
        sigma = F.softplus(self.encoder.sigma(h))
        return mu, sigma

    def conduct(self, z):
        state = init_state(z, self.conductor.init, self.Lc, self.Hc)
        zeros = z.new_zeros((z.shape[0], self.U, 1))
        cond, _ = self.conductor.lstm(zeros, state)
        return cond  # [B, U, Hc]

    def decode_teacher_forced(self, x, cond):
        B = x.shape[0]
        prev = torch.cat([x.new_zeros((B, 1, self.D)), x[:, :-1]], dim=1)
        out = []
        S = self.S
        for u in range(self.U):  # the decoder state is reset every segment
            c_u = cond[:, u]
            inp = torch.cat([prev[:, u * S:(u + 1) * S], c_u.unsqueeze(1).expand(-1, S, -1)], dim=-1)
            h, _ = self.decoder.lstm(inp, init_state(c_u, self.decoder.init, self.Ld, self.Hd))
            out.append(self.decoder.out(h))
        return torch.cat(out, dim=1)

    def forward(self, x, eps):
        """The teacher-forced forward of spec section 2: (x, eps) -> (logits, mu, sigma)."""
        mu, sigma = self.encode(x)
        z = mu + sigma * eps
        logits = self.decode_teacher_forced(x, self.conduct(z))
        return logits, mu, sigma


# ---------------------------------------------------------------- loss

def reconstruction(logits, x, representation):
    """Per-sequence reconstruction loss [B] (spec section 2)."""
    if representation == "groove":
        C = 9
        hit = F.binary_cross_entropy_with_logits(logits[..., :C], x[..., :C], reduction="none")
        vel = (torch.sigmoid(logits[..., C:2 * C]) - x[..., C:2 * C]) ** 2
        off = (torch.tanh(logits[..., 2 * C:]) - x[..., 2 * C:]) ** 2
        return hit.sum((1, 2)) + vel.sum((1, 2)) + off.sum((1, 2))
    target = x.argmax(-1)
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none")
    return ce.view(x.shape[0], -1).sum(1)


def kl_divergence(mu, sigma):
    """Per-sequence KL(N(mu, sigma) || N(0, 1)) [B]: sum of 0.5*(mu^2 + sigma^2 - 1) - ln sigma."""
    return (0.5 * (mu ** 2 + sigma ** 2 - 1) - torch.log(sigma)).sum(-1)


def loss_parts(model, x, eps, beta, free_bits):
    """The spec's objective and its parts, batch means: (loss, reconstruction, kl)."""
    logits, mu, sigma = model(x, eps)
    r = reconstruction(logits, x, model.cfg["representation"])
    kl = kl_divergence(mu, sigma)
    kl_cost = torch.clamp(kl - free_bits * math.log(2), min=0)
    loss = (r + beta * kl_cost).mean()
    return loss, r.mean(), kl.mean()


def beta_at(step, max_beta, beta_rate):
    """beta = (1 - beta_rate^step) * max_beta."""
    return (1 - beta_rate ** step) * max_beta


# ---------------------------------------------------------------- sampler (spec section 4)

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normals(self, n):
        out = []
        while len(out) < n:
            u1, u2 = self.uniform(), self.uniform()
            r = math.sqrt(-2 * math.log(1 - u1))
            out.append(r * math.cos(2 * math.pi * u2))
            out.append(r * math.sin(2 * math.pi * u2))
        return out[:n]  # a spare is dropped


def _sigmoid64(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sample_token(logits, representation, temperature, rng):
    """One step's token (float32 [D]) from float32 logits [D]: spec section 4."""
    l = np.asarray(logits, dtype=np.float32)
    D = l.shape[0]
    tok = np.zeros(D, dtype=np.float32)
    if representation == "groove":
        C = 9
        for k in range(C):
            u = rng.uniform()  # drawn at every temperature
            lk = float(l[k])
            hit = (lk > 0) if temperature == 0 else (u < _sigmoid64(lk / temperature))
            if hit:
                tok[k] = 1
                with np.errstate(over="ignore"):
                    tok[C + k] = np.float32(1) / (np.float32(1) + np.exp(-l[C + k]))
                tok[2 * C + k] = np.tanh(l[2 * C + k])
        return tok
    u = rng.uniform()
    if temperature == 0:
        k = int(np.argmax(l))
    else:
        x = l.astype(np.float64) / temperature
        p = np.exp(x - x.max())
        p /= p.sum()
        c = np.cumsum(p)
        idx = np.nonzero(u < c)[0]
        k = int(idx[0]) if len(idx) else D - 1
    tok[k] = 1
    return tok


@torch.no_grad()
def generate(model, z, temperature, seed, prior=False, n=None):
    """The generation loop of spec section 4.

    With prior=True, z is drawn from each sequence's stream first (n sequences).
    Returns (z float32 [B, Z], tokens float32 [B, T, D]).
    """
    rep = model.cfg["representation"]
    if prior:
        rngs = [SplitMix64(seed + i) for i in range(n)]
        z = np.array([r.normals(model.Z) for r in rngs], dtype=np.float64).astype(np.float32)
    else:
        z = np.asarray(z, dtype=np.float32)
        rngs = [SplitMix64(seed + i) for i in range(z.shape[0])]
    B = z.shape[0]
    cond = model.conduct(torch.from_numpy(z))
    prev = torch.zeros(B, model.D)
    tokens = np.zeros((B, model.T, model.D), dtype=np.float32)
    t = 0
    for u in range(model.U):
        c_u = cond[:, u]
        state = init_state(c_u, model.decoder.init, model.Ld, model.Hd)
        for _ in range(model.S):
            inp = torch.cat([prev, c_u], dim=-1).unsqueeze(1)
            h, state = model.decoder.lstm(inp, state)
            logits = model.decoder.out(h[:, 0]).numpy()
            for i in range(B):
                tokens[i, t] = sample_token(logits[i], rep, temperature, rngs[i])
            prev = torch.from_numpy(tokens[:, t].copy())
            t += 1
    return z, tokens


# ---------------------------------------------------------------- files

def load_config(path):
    with open(path) as f:
        return check_config(json.load(f))


def load_model(config_path, state_path):
    cfg = load_config(config_path)
    cfg = {k: v for k, v in cfg.items() if k != "train"}
    model = MusicVAE(cfg)
    model.load_state_dict(torch.load(state_path, map_location="cpu"))
    model.eval()
    return model


def config_json(cfg):
    """The config as written into files and mvae.config: spec keys only."""
    keys = ["format", "representation", "drum_map", "steps_per_quarter", "bars", "segments",
            "input_size", "z_size", "encoder", "conductor", "decoder", "free_bits", "max_beta"]
    return json.dumps({k: cfg[k] for k in keys})
