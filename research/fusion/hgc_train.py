"""Training of the hierarchical graph contrastive fusion (paper 002); the model, its
prediction and its file format live in models/fusion/hgc.py.

The *global graph* of a session replaces each node's features by the nearest entry of that
group's codebook (paper: dVAE codebooks; here k-means codebooks fitted on the training set, a
documented simplification). An automatic augmentation (Gaussian feature noise, random edge
removal and addition) gives a second local view. Losses: node reconstruction (decoder from
node embeddings of the augmented view back to the clean features), graph-level invariance
(original vs augmented readout), InfoNCE between local and global readouts of the same
session (eq. 14), and the supervised head (classification or regression).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from models.fusion.hgc import GroupVectors, HGCConfig, HGCModel, group_tensors


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


def augment(xs: dict[str, torch.Tensor], mask: torch.Tensor, cfg: HGCConfig,
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
    xs, mask = group_tensors(samples, dims)
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
            ax, aadj = augment(bx, bm, cfg, gen)
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
