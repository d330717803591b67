"""Hierarchical graph contrastive fusion (paper 002), small and CPU-friendly, in torch: the
model, its prediction and its file format (training: research/fusion/hgc_train.py).

Per session, a *local graph* has one node per modality group (micro-expression, content,
intonation, rate, scales; absent groups masked out), fully connected. A *global graph* has the
same layout but each node's features are replaced by the nearest entry of that group's
codebook (k-means codebooks fitted on the training set). The head reads the local and global
graph readouts together (classification or regression).
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


def group_tensors(samples: Sequence[GroupVectors], dims: dict[str, int]
                  ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    xs = {g: torch.tensor(np.stack([s.get(g, np.zeros(d)) for s in samples]), dtype=torch.float32)
          for g, d in dims.items()}
    mask = torch.tensor([[float(g in s) for g in dims] for s in samples], dtype=torch.float32)
    return xs, mask


@torch.no_grad()
def predict_hgc(model: HGCModel, samples: Sequence[GroupVectors], dims: dict[str, int]
                ) -> np.ndarray:
    """Class probabilities [N, n_out] (classification) or predictions [N] (regression)."""
    xs, mask = group_tensors(samples, dims)
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
