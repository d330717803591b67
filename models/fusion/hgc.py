"""Hierarchical graph contrastive fusion (paper 002), small and CPU-friendly, in torch.

Per session, a *local graph* has one node per modality group (micro-expression, content,
intonation, rate, scales; absent groups masked out), fully connected. A *global graph* has the
same layout but each node's features are replaced by the nearest entry of that group's
codebook (paper: dVAE codebooks; here k-means codebooks fitted on the training set, a
documented simplification). An automatic augmentation (Gaussian feature noise, random edge
removal and addition) gives a second local view. Losses: node reconstruction (decoder from
node embeddings of the augmented view back to the clean features), graph-level invariance
(original vs augmented readout), InfoNCE between local and global readouts of the same
session (eq. 14), and the supervised head (classification or regression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

GroupVectors = dict[str, np.ndarray]


@dataclass(frozen=True)
class HGCConfig:
    hidden: int = 32
    codebook_size: int = 8
    noise_std: float = 0.1
    edge_drop: float = 0.2
    edge_add: float = 0.1
    temperature: float = 0.5
    alpha: float = 0.5  # weight of node + graph-level losses
    beta: float = 0.2  # weight of InfoNCE
    epochs: int = 30
    lr: float = 0.01
    batch_size: int = 64
    seed: int = 0


def kmeans(x: np.ndarray, k: int, seed: int, iters: int = 20) -> np.ndarray:
    """Plain Lloyd k-means (deterministic for a seed); k is capped at the number of rows."""
    rng = np.random.default_rng(seed)
    k = max(1, min(k, len(x)))
    centres = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(iters):
        assign = np.argmin(((x[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        for j in range(k):
            if np.any(assign == j):
                centres[j] = x[assign == j].mean(0)
    return centres


class HGCModel(nn.Module):
    def __init__(self, dims: dict[str, int], n_out: int, cfg: HGCConfig) -> None:
        super().__init__()
        self.groups = list(dims)
        self.dims = dict(dims)
        self.n_out = n_out
        self.cfg = cfg
        self.inp = nn.ModuleDict({g: nn.Linear(d, cfg.hidden) for g, d in dims.items()})
        self.gcn1 = nn.Linear(cfg.hidden, cfg.hidden)
        self.gcn2 = nn.Linear(cfg.hidden, cfg.hidden)
        self.rec = nn.ModuleDict({g: nn.Linear(cfg.hidden, d) for g, d in dims.items()})
        self.proj = nn.Linear(cfg.hidden, cfg.hidden)
        self.head = nn.Linear(2 * cfg.hidden, n_out)
        self.codebooks: dict[str, torch.Tensor] = {}

    def encode(self, xs: dict[str, torch.Tensor], adj: torch.Tensor, mask: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Node embeddings [B, G, H] and masked-mean graph readout [B, H]."""
        h = torch.stack([self.inp[g](xs[g]) for g in self.groups], dim=1) * mask[..., None]
        a = adj + torch.eye(adj.shape[-1])[None] * mask[:, :, None]
        a = a / a.sum(-1, keepdim=True).clamp(min=1.0)
        h = F.relu(self.gcn1(a @ h))
        h = self.gcn2(a @ h) * mask[..., None]
        z = h.sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return h, z

    def quantise(self, xs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        out = {}
        for g in self.groups:
            cb = self.codebooks[g]
            idx = torch.cdist(xs[g], cb).argmin(dim=1)
            out[g] = cb[idx]
        return out

    def forward(self, xs: dict[str, torch.Tensor], mask: torch.Tensor) -> torch.Tensor:
        adj = mask[:, :, None] * mask[:, None, :]
        _, zl = self.encode(xs, adj, mask)
        _, zg = self.encode(self.quantise(xs), adj, mask)
        return self.head(torch.cat([zl, zg], dim=1))


def _tensors(samples: Sequence[GroupVectors], dims: dict[str, int]
             ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    xs = {g: torch.tensor(np.stack([s.get(g, np.zeros(d)) for s in samples]), dtype=torch.float32)
          for g, d in dims.items()}
    mask = torch.tensor([[float(g in s) for g in dims] for s in samples], dtype=torch.float32)
    return xs, mask


def _augment(xs: dict[str, torch.Tensor], mask: torch.Tensor, cfg: HGCConfig,
             gen: torch.Generator) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    noisy = {g: x + cfg.noise_std * torch.randn(x.shape, generator=gen) for g, x in xs.items()}
    full = mask[:, :, None] * mask[:, None, :]
    drop = (torch.rand(full.shape, generator=gen) < cfg.edge_drop).float()
    add = (torch.rand(full.shape, generator=gen) < cfg.edge_add).float()
    adj = torch.clamp(full * (1 - drop) + add * full, 0, 1)  # edges only among present nodes
    adj = torch.maximum(adj, adj.transpose(1, 2))
    return noisy, adj


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)
    logits = a @ b.T / temperature
    return F.cross_entropy(logits, torch.arange(len(a)))


def train_hgc(
    samples: Sequence[GroupVectors], targets: Sequence[float], dims: dict[str, int],
    *, n_out: int, cfg: HGCConfig | None = None,
) -> HGCModel:
    """n_out > 1: classification over n_out classes (targets are class ids); 1: regression."""
    cfg = cfg or HGCConfig()
    if len(samples) != len(targets) or not samples:
        raise ValueError("need the same, non-zero number of samples and targets")
    torch.set_num_threads(1)  # tiny model: threads only add contention on shared CPUs
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = HGCModel(dims, n_out, cfg)
    xs, mask = _tensors(samples, dims)
    for i, g in enumerate(dims):
        present = xs[g][mask[:, i] > 0].numpy()
        cb = kmeans(present, cfg.codebook_size, cfg.seed) if len(present) else np.zeros((1, dims[g]))
        model.codebooks[g] = torch.tensor(cb, dtype=torch.float32)
    y = torch.tensor(np.asarray(targets), dtype=torch.long if n_out > 1 else torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    n = len(samples)
    for _ in range(cfg.epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            bx = {g: x[idx] for g, x in xs.items()}
            bm = mask[idx]
            full = bm[:, :, None] * bm[:, None, :]
            _, zl = model.encode(bx, full, bm)
            ax, aadj = _augment(bx, bm, cfg, gen)
            hn, za = model.encode(ax, aadj, bm)
            _, zg = model.encode(model.quantise(bx), full, bm)
            rec = sum(((model.rec[g](hn[:, i]) - bx[g]) ** 2).mean(1) * bm[:, i]
                      for i, g in enumerate(model.groups))
            node_loss = (rec / bm.sum(1).clamp(min=1)).mean()
            graph_loss = (1 - F.cosine_similarity(zl, za)).mean()
            nce = info_nce(model.proj(zl), model.proj(zg), cfg.temperature) if len(idx) > 1 else 0.0
            out = model.head(torch.cat([zl, zg], dim=1))
            sup = F.cross_entropy(out, y[idx]) if n_out > 1 else F.l1_loss(out[:, 0], y[idx])
            loss = sup + cfg.alpha * (node_loss + graph_loss) + cfg.beta * nce
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


@torch.no_grad()
def predict_hgc(model: HGCModel, samples: Sequence[GroupVectors], dims: dict[str, int]
                ) -> np.ndarray:
    """Class probabilities [N, n_out] (classification) or predictions [N] (regression)."""
    xs, mask = _tensors(samples, dims)
    out = model(xs, mask)
    return F.softmax(out, dim=1).numpy() if out.shape[1] > 1 else out[:, 0].numpy()


def save_hgc(model: HGCModel, path: str | Path) -> Path:
    """Weights, codebooks, group dims and config in one torch file (tensors and plain data)."""
    path = Path(path)
    torch.save({"state": model.state_dict(), "codebooks": model.codebooks, "dims": model.dims,
                "n_out": model.n_out, "cfg": asdict(model.cfg)}, path)
    return path


def load_hgc(path: str | Path) -> tuple[HGCModel, dict[str, int]]:
    """Inverse of save_hgc; `weights_only` loading, so a file cannot run code."""
    blob = torch.load(Path(path), weights_only=True)
    model = HGCModel(blob["dims"], blob["n_out"], HGCConfig(**blob["cfg"]))
    model.load_state_dict(blob["state"])
    model.codebooks = dict(blob["codebooks"])
    model.eval()
    return model, dict(blob["dims"])
