"""Extended circular LBP + 64-block weighting + multi-scale partition histograms + PCA +
VGG-16 (paper 004, image branch).

LBP: P neighbours on a circle of radius R, bilinear interpolation, uniform patterns (59
bins for P = 8). The code image is split into 8 x 8 = 64 blocks whose histograms are
weighted by a fixed face-region weight map (eyes/brows and mouth count double), and the
histograms of coarser partitions (1x1, 2x2, 4x4) are concatenated with it. PCA reduces
the vector; the VGG-16 (13 conv + 3 FC layers, widths / 16, trained from scratch: no
ImageNet weights exist here) reads it reshaped to a square single-channel map.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from models.mer.hybrid import vgg_block

PARTITIONS = (1, 2, 4, 8)

# Fixed block weights, rows top to bottom of an aligned face crop (8 x 8 blocks).
ROW_WEIGHTS = (1.0, 1.5, 2.0, 2.0, 1.0, 2.0, 2.0, 0.5)
COLUMN_EDGE_WEIGHT = 0.5  # outermost columns: hair / background


def block_weights() -> np.ndarray:
    """(8, 8) weight map; why: eyes, brows and mouth carry most micro-expression AUs."""
    w = np.tile(np.asarray(ROW_WEIGHTS)[:, None], (1, 8))
    w[:, [0, 7]] *= COLUMN_EDGE_WEIGHT
    return w


def _uniform_table(points: int) -> np.ndarray:
    """Map each P-bit code to its uniform-pattern bin (P*(P-1)+2 bins + 1 for the rest)."""
    table = np.zeros(2**points, dtype=np.int64)
    next_bin = 0
    for code in range(2**points):
        bits = [(code >> i) & 1 for i in range(points)]
        transitions = sum(bits[i] != bits[(i + 1) % points] for i in range(points))
        if transitions <= 2:
            table[code] = next_bin
            next_bin += 1
        else:
            table[code] = -1
    table[table < 0] = next_bin
    return table


def circular_lbp(images: np.ndarray, points: int = 8, radius: float = 1.0) -> np.ndarray:
    """Uniform-pattern circular LBP codes, vectorised over a batch (N, H, W) -> (N, H, W)."""
    if images.ndim != 3:
        raise ValueError(f"expected (N, H, W) images, got shape {images.shape}")
    n, h, w = images.shape
    pad = math.ceil(radius) + 1
    padded = np.pad(images.astype(np.float64), ((0, 0), (pad, pad), (pad, pad)), mode="edge")
    ys, xs = np.mgrid[0:h, 0:w]
    codes = np.zeros((n, h, w), dtype=np.int64)
    for p in range(points):
        angle = 2 * math.pi * p / points
        sy, sx = ys + pad - radius * math.sin(angle), xs + pad + radius * math.cos(angle)
        y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
        fy, fx = sy - y0, sx - x0
        value = (
            padded[:, y0, x0] * (1 - fy) * (1 - fx)
            + padded[:, y0, x0 + 1] * (1 - fy) * fx
            + padded[:, y0 + 1, x0] * fy * (1 - fx)
            + padded[:, y0 + 1, x0 + 1] * fy * fx
        )
        codes |= (value >= images - 1e-12).astype(np.int64) << p
    return _uniform_table(points)[codes]


def partition_histograms(codes: np.ndarray, bins: int) -> np.ndarray:
    """Multi-scale partition histograms (N, sum_s s*s*bins), finest 8x8 level block-weighted."""
    n, h, w = codes.shape
    weights = block_weights()
    feats = []
    for s in PARTITIONS:
        bh, bw = h // s, w // s
        cut = codes[:, : bh * s, : bw * s]
        by = np.arange(bh * s) // bh
        bx = np.arange(bw * s) // bw
        block = (by[:, None] * s + bx[None, :])[None]  # (1, H', W')
        index = (np.arange(n)[:, None, None] * s * s + block) * bins + cut
        hist = np.bincount(index.ravel(), minlength=n * s * s * bins).astype(np.float64)
        hist = hist.reshape(n, s, s, bins) / (bh * bw)
        if s == 8:
            hist = hist * weights[None, :, :, None]
        feats.append(hist.reshape(n, -1))
    return np.concatenate(feats, axis=1)


def lbp_features(images: np.ndarray, radii: tuple[float, ...] = (1.0, 2.0)) -> np.ndarray:
    """Extended LBP at several radii, multi-scale weighted histograms, concatenated."""
    bins = 8 * 7 + 3
    return np.concatenate(
        [partition_histograms(circular_lbp(images, 8, r), bins) for r in radii], axis=1
    )


class VectorPCA:
    """Plain PCA (fitted per training fold) with zero-padding when the fold is too small."""

    def __init__(self, n_components: int = 64) -> None:
        self.n_components = n_components
        self.mean: torch.Tensor | None = None
        self.components: torch.Tensor | None = None
        self.scale: torch.Tensor | None = None

    def fit(self, x: torch.Tensor) -> VectorPCA:
        x = x.to(torch.float64)
        self.mean = x.mean(dim=0)
        _, _, vh = torch.linalg.svd(x - self.mean, full_matrices=False)
        comps = vh[: self.n_components]
        signs = torch.sign(comps[torch.arange(len(comps)), comps.abs().argmax(dim=1)])
        self.components = comps * signs[:, None]
        first = (x - self.mean) @ self.components[0]
        # Scale = std of the first component on the training fold. Why fitted here: taking
        # it from whatever batch was transformed gave a 6-clip test fold another scale.
        self.scale = first.std().clamp_min(1e-8) if len(x) > 1 else torch.tensor(1.0)
        return self

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if self.mean is None or self.components is None:
            raise RuntimeError("VectorPCA.transform called before fit")
        z = (x.to(torch.float64) - self.mean) @ self.components.T
        if self.scale is not None:
            z = z / self.scale.to(z.dtype)
        if z.shape[1] < self.n_components:
            z = torch.nn.functional.pad(z, (0, self.n_components - z.shape[1]))
        return z.to(torch.float32)

    def state_dict(self) -> dict[str, torch.Tensor | int]:
        if self.mean is None or self.components is None:
            raise RuntimeError("VectorPCA not fitted")
        state: dict[str, torch.Tensor | int] = {
            "n_components": self.n_components, "mean": self.mean, "components": self.components
        }  # fmt: skip
        if self.scale is not None:
            state["scale"] = self.scale
        return state

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor | int]) -> VectorPCA:
        n = state["n_components"]
        pca = cls(int(n))
        mean, comps = state["mean"], state["components"]
        if not isinstance(mean, torch.Tensor) or not isinstance(comps, torch.Tensor):
            raise ValueError("corrupt VectorPCA state")
        pca.mean, pca.components = mean, comps
        scale = state.get("scale")
        pca.scale = scale if isinstance(scale, torch.Tensor) else None
        return pca


class SmallVgg16(nn.Module):
    """VGG-16 layout (2-2-3-3-3 convs, 3 FC) at 1/16 width on an (1, s, s) PCA map."""

    # Trained from scratch on ~50 clips = one Adam step per epoch: the training loss sat at
    # ln(3) for 25-40 epochs on the synthetic target before fitting started (measured), so
    # early stopping waits this many epochs (research.mer.train.fit).
    min_epochs = 40

    def __init__(self, n_classes: int, side: int, width: int = 4) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        cin, size = 1, side
        for i, convs in enumerate((2, 2, 3, 3, 3)):
            cout = width * 2 ** min(i, 3)
            block = vgg_block(cin, cout, convs)
            if size < 2:  # no room left to pool: keep the convs, drop the pooling
                block = nn.Sequential(*list(block.children())[:-1])
            else:
                size //= 2
            blocks.append(block)
            cin = cout
        self.features = nn.Sequential(*blocks)
        flat = cin * size * size
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(flat, 64),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(64, 64),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(64, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))
