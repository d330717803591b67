"""Models selectable by name, each with the input representation it reads.

A representation is computed once for all clips (`prepare`), fitted on a training fold only
(`fit`: z-score/PCA statistics), and saved in checkpoints so a transferred model sees the
source's feature space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from models.mer.clips import ClipArrays
from models.mer.cnn_gcn import CnnGcn, CnnOnly
from models.mer.gabor import GaborPCA, gabor_magnitudes
from models.mer.hybrid import HybridMicroNet
from models.mer.label_graph import graph_nodes, label_adjacency, label_vectors
from models.mer.lbp_vgg import SmallVgg16, VectorPCA, lbp_features
from models.mer.mer_gcn import MerGcnTransformer


class Representation(Protocol):
    """Features for every clip, with per-fold fitted statistics."""

    def fit(self, index: np.ndarray) -> None: ...

    def transform(self, index: np.ndarray) -> torch.Tensor: ...

    def state(self) -> dict[str, Any]: ...

    def load_state(self, state: dict[str, Any]) -> None: ...


class GaborRep:
    """Gabor modulus of apex minus that of onset, z-scored and channel-PCA'd.

    Why the difference: it cancels the subject's identity texture, which otherwise
    dominates the apex frame of a micro-expression.
    """

    def __init__(self, clips: ClipArrays, components: int = 16) -> None:
        apex = gabor_magnitudes(torch.from_numpy(clips.apex))
        onset = gabor_magnitudes(torch.from_numpy(clips.onset))
        self.maps = apex - onset
        self.pca = GaborPCA(components)

    def fit(self, index: np.ndarray) -> None:
        self.pca.fit(self.maps[torch.as_tensor(index)])

    def transform(self, index: np.ndarray) -> torch.Tensor:
        return self.pca.transform(self.maps[torch.as_tensor(index)])

    def state(self) -> dict[str, Any]:
        return {"gabor_pca": self.pca.state_dict()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.pca = GaborPCA.from_state(state["gabor_pca"])


class ImageRep:
    """Two channels: apex frame and apex-minus-onset (scaled by the training fold's std)."""

    def __init__(self, clips: ClipArrays) -> None:
        self.apex = torch.from_numpy(clips.apex)
        self.diff = torch.from_numpy(clips.apex - clips.onset)
        self.scale = torch.tensor(1.0)

    def fit(self, index: np.ndarray) -> None:
        self.scale = self.diff[torch.as_tensor(index)].std().clamp_min(1e-6)

    def transform(self, index: np.ndarray) -> torch.Tensor:
        i = torch.as_tensor(index)
        return torch.stack([(self.apex[i] - 0.5) * 4, self.diff[i] / self.scale], dim=1)

    def state(self) -> dict[str, Any]:
        return {"diff_scale": self.scale}

    def load_state(self, state: dict[str, Any]) -> None:
        self.scale = state["diff_scale"]


class LbpRep:
    """LBP histograms of apex and their change from onset -> PCA -> (1, s, s) map."""

    def __init__(self, clips: ClipArrays, side: int = 8) -> None:
        apex, onset = lbp_features(clips.apex), lbp_features(clips.onset)
        self.features = torch.from_numpy(np.concatenate([apex, apex - onset], axis=1))
        self.side = side
        self.pca = VectorPCA(side * side)

    def fit(self, index: np.ndarray) -> None:
        self.pca.fit(self.features[torch.as_tensor(index)])

    def transform(self, index: np.ndarray) -> torch.Tensor:
        z = self.pca.transform(self.features[torch.as_tensor(index)])
        return z.view(-1, 1, self.side, self.side)

    def state(self) -> dict[str, Any]:
        return {"lbp_pca": self.pca.state_dict()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.pca = VectorPCA.from_state(state["lbp_pca"])


class SequenceRep:
    """Frame sequence onset -> offset, each clip centred and scaled by its onset frame."""

    def __init__(self, clips: ClipArrays) -> None:
        seq = torch.from_numpy(clips.sequence)
        first = seq[:, :1]
        mean = first.mean(dim=(2, 3), keepdim=True)
        std = first.std(dim=(2, 3), keepdim=True).clamp_min(1e-6)
        self.seq = (seq - mean) / std

    def fit(self, index: np.ndarray) -> None:
        del index

    def transform(self, index: np.ndarray) -> torch.Tensor:
        return self.seq[torch.as_tensor(index)]

    def state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        del state


@dataclass(frozen=True)
class TrainContext:
    """What a model factory may need besides the input shape."""

    labels: Sequence[str]
    train_annotations: Sequence[tuple[str, Sequence[int]]]
    input_shape: tuple[int, ...]


def build_rep(name: str, clips: ClipArrays) -> Representation:
    """The representation a model reads."""
    kind = MODELS[name][0]
    if kind == "gabor":
        return GaborRep(clips)
    if kind == "image":
        return ImageRep(clips)
    if kind == "lbp":
        return LbpRep(clips)
    return SequenceRep(clips)


# Share of a class node's row that comes from its emotions (label_graph.label_adjacency).
# Chosen on the source-only dev split of scripts/mer_transfer_experiment.py (mean UF1 of the
# transferred CNN+GCN over 2 splits x 3 seeds): 0.0 -> 0.618, 0.5 -> 0.665, 0.9 -> 0.623.
LABEL_HIERARCHY = 0.5


def build_model(name: str, ctx: TrainContext) -> tuple[nn.Module, dict[str, str]]:
    """A fresh model and notes for the report (e.g. where the label vectors came from)."""
    n = len(ctx.labels)
    shape = ctx.input_shape
    if name == "cnn_gcn":
        nodes = graph_nodes(ctx.labels)
        vectors, source = label_vectors(nodes)
        adj = label_adjacency(nodes, ctx.train_annotations, hierarchy=LABEL_HIERARCHY)
        model = CnnGcn(shape[0], vectors, adj, n_outputs=len(ctx.labels))
        return model, {"label_vectors": source, "graph_nodes": ",".join(nodes)}
    if name == "cnn":
        return CnnOnly(shape[0], n), {}
    if name == "hybridmicronet":
        return HybridMicroNet(shape[0], n), {"weights": "trained from scratch (no ImageNet)"}
    if name == "lbp_vgg16":
        return SmallVgg16(n, shape[-1]), {"weights": "trained from scratch (no ImageNet)"}
    if name == "mer_gcn_transformer":
        return MerGcnTransformer(n, size=shape[-1], frames=shape[0]), {}
    raise ValueError(f"unknown model {name!r}; choose from {sorted(MODELS)}")


MODELS: dict[str, tuple[str, str]] = {
    "cnn_gcn": ("gabor", "Gabor+PCA -> residual CNN, label-graph GCN classifier (source study)"),
    "cnn": ("gabor", "Gabor+PCA -> residual CNN, linear classifier (ablation without GCN)"),
    "mer_gcn_transformer": ("sequence", "AU-node GCN + SPP + Transformer (MER-GCN, paper 001)"),
    "hybridmicronet": ("image", "VGG-16 blocks + ResNet head (HybridMicroNet, paper 003)"),
    "lbp_vgg16": ("lbp", "circular LBP, 64-block weighted multi-scale histograms, PCA, VGG-16"),
}


def transferable_state(
    model: nn.Module, state: dict[str, torch.Tensor]
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """The part of a pre-trained state dict that fits `model` (same name and shape).

    Label-set buffers (word vectors, adjacency) are never copied: they describe the target.
    """
    skip = tuple(getattr(model, "transfer_skip", ()))
    own = model.state_dict()
    keep = {
        k: v
        for k, v in state.items()
        if k in own and own[k].shape == v.shape and not k.endswith(skip)
    }
    return keep, sorted(set(own) - set(keep))
