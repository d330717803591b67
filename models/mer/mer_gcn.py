"""MER-GCN + Transformer (paper 001): AU-node graph per frame, three neighbour subsets,
spatial pyramid pooling over face regions, Transformer encoder over the frame sequence.

Nodes sit at fixed AU-region centres of an aligned, cropped face (fractions of the crop),
so no landmarks are needed at training time. A node's input is the patch of the frame and
of its difference to the onset frame. Scaled down from the paper (9 GCN layers 64/128/256,
6 encoder layers, d_model 512) to 3 GCN layers and 2 encoder layers of width 64.
"""

from __future__ import annotations

import math

import torch
from torch import nn

# (name, x, y, region): region = 0 brows, 1 eyes, 2 cheeks/nose, 3 mouth/chin (for SPP).
AU_NODES: tuple[tuple[str, float, float, int], ...] = (
    ("AU1_L", 0.40, 0.25, 0),
    ("AU1_R", 0.60, 0.25, 0),
    ("AU2_L", 0.25, 0.24, 0),
    ("AU2_R", 0.75, 0.24, 0),
    ("AU4", 0.50, 0.28, 0),
    ("AU5_7_L", 0.33, 0.36, 1),
    ("AU5_7_R", 0.67, 0.36, 1),
    ("AU6_L", 0.28, 0.52, 2),
    ("AU6_R", 0.72, 0.52, 2),
    ("AU9", 0.50, 0.50, 2),
    ("AU10", 0.50, 0.64, 3),
    ("AU12_15_L", 0.34, 0.73, 3),
    ("AU12_15_R", 0.66, 0.73, 3),
    ("AU23_25", 0.50, 0.74, 3),
    ("AU17_26", 0.50, 0.88, 3),
)
NEIGHBOUR_RADIUS = 0.2


def partition_adjacency(
    nodes: tuple[tuple[str, float, float, int], ...] = AU_NODES, radius: float = NEIGHBOUR_RADIUS
) -> torch.Tensor:
    """(3, N, N): root, centripetal and centrifugal subsets (ST-GCN spatial configuration).

    Centre of gravity = mean node position. A neighbour j of root i is centripetal when it is
    closer to the centre than i, centrifugal when farther; i itself (and equal distances)
    form the root subset. Each subset is column-normalised by node degree.
    """
    pos = torch.tensor([[x, y] for _, x, y, _ in nodes], dtype=torch.float64)
    centre = pos.mean(dim=0)
    dist = torch.cdist(pos, pos)
    to_centre = (pos - centre).norm(dim=1)
    neighbour = (dist <= radius).to(torch.float64)
    subsets = torch.zeros(3, len(nodes), len(nodes), dtype=torch.float64)
    for i in range(len(nodes)):
        for j in range(len(nodes)):
            if not neighbour[i, j]:
                continue
            delta = to_centre[j] - to_centre[i]
            k = 0 if i == j or abs(delta) < 1e-9 else (1 if delta < 0 else 2)
            subsets[k, i, j] = 1.0
    degree = neighbour.sum(dim=0)
    return (subsets / degree[None, None, :]).to(torch.float32)


class PartitionGraphConv(nn.Module):
    """sum_k (A_k * M_k) X W_k with a learned edge-importance mask M_k per subset."""

    adjacency: torch.Tensor

    def __init__(self, cin: int, cout: int, adjacency: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("adjacency", adjacency)
        self.importance = nn.Parameter(torch.ones_like(adjacency))
        self.linear = nn.Linear(cin, cout * adjacency.shape[0])
        self.norm = nn.LayerNorm(cout)
        self.cout = cout
        self.skip: nn.Module = nn.Identity() if cin == cout else nn.Linear(cin, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, T, N, C)
        b, t, n, _ = x.shape
        h = self.linear(x).view(b, t, n, -1, self.cout)  # (B, T, N, K, C')
        a = self.adjacency * self.importance  # (K, N, N)
        out = torch.einsum("kij,btikc->btjc", a, h)
        return torch.relu(self.norm(out + self.skip(x)))


class RegionPyramidPool(nn.Module):
    """SPP over the face graph: pool all nodes, upper/lower face, and the 4 regions."""

    masks: torch.Tensor

    def __init__(self, regions: list[int]) -> None:
        super().__init__()
        levels = [[0] * len(regions), [0 if r < 2 else 1 for r in regions], regions]
        masks = []
        for level in levels:
            for group in sorted(set(level)):
                masks.append([1.0 if g == group else 0.0 for g in level])
        m = torch.tensor(masks)
        self.register_buffer("masks", m / m.sum(dim=1, keepdim=True))

    @property
    def bins(self) -> int:
        return int(self.masks.shape[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (B, T, N, C) -> (B, T, bins * C)
        return torch.einsum("gn,btnc->btgc", self.masks, x).flatten(2)


class MerGcnTransformer(nn.Module):
    """Frame sequence (B, T, S, S) -> class logits."""

    # Trained from scratch on ~50 clips = one Adam step per epoch: the training loss sat at
    # ln(3) for 25-40 epochs on the synthetic target before fitting started (measured), so
    # early stopping waits this many epochs (research.mer.train.fit).
    min_epochs = 40

    centres: torch.Tensor

    def __init__(
        self, n_classes: int, size: int, frames: int, patch: int = 0, width: int = 32
    ) -> None:
        super().__init__()
        self.patch = patch or max(4, size // 6)
        self.size = size
        adjacency = partition_adjacency()
        self.register_buffer("centres", _centres(size, self.patch))
        self.embed = nn.Linear(2 * self.patch * self.patch, width)
        self.gcn = nn.ModuleList(
            [
                PartitionGraphConv(width, width, adjacency),
                PartitionGraphConv(width, width, adjacency),
                PartitionGraphConv(width, 2 * width, adjacency),
            ]
        )
        self.spp = RegionPyramidPool([r for *_, r in AU_NODES])
        d_model = 2 * width
        self.project = nn.Linear(self.spp.bins * 2 * width, d_model)
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        self.position = nn.Parameter(_sinusoid(frames + 1, d_model), requires_grad=False)
        layer = nn.TransformerEncoderLayer(
            d_model, nhead=4, dim_feedforward=2 * d_model, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(d_model, n_classes))

    def node_inputs(self, seq: torch.Tensor) -> torch.Tensor:
        """(B, T, S, S) -> (B, T, N, 2*p*p): frame patch and frame-minus-onset patch."""
        diff = seq - seq[:, :1]
        both = torch.stack([seq, diff], dim=2)  # (B, T, 2, S, S)
        p = self.patch
        patches = [both[..., int(y) : int(y) + p, int(x) : int(x) + p] for x, y in self.centres]
        return torch.stack(patches, dim=2).flatten(3)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        h = self.embed(self.node_inputs(seq))
        for layer in self.gcn:
            h = layer(h)
        tokens = self.project(self.spp(h))  # (B, T, d)
        tokens = torch.cat([self.cls.expand(len(tokens), -1, -1), tokens], dim=1)
        tokens = tokens + self.position[: tokens.shape[1]]
        return self.head(self.encoder(tokens)[:, 0])


def _centres(size: int, patch: int) -> torch.Tensor:
    """Top-left corners of the node patches, clamped inside the crop."""
    out = []
    for _, x, y, _ in AU_NODES:
        cx = min(max(round(x * size - patch / 2), 0), size - patch)
        cy = min(max(round(y * size - patch / 2), 0), size - patch)
        out.append([cx, cy])
    return torch.tensor(out, dtype=torch.float32)


def _sinusoid(length: int, dim: int) -> torch.Tensor:
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(pos * div)
    table[:, 1::2] = torch.cos(pos * div)
    return table
