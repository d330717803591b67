"""Residual CNN over Gabor-PCA maps, with or without the label-graph GCN classifier.

Source study section 5.2 / Table 2: conv units of two 3x3 convolutions with BN, residual
shortcuts, kernels doubling per unit, global max pooling to D dims, dropout 0.5; the GCN
turns label word vectors into the classifier weights W (C x D) and logits = W x. Widths are
scaled down (16/32 instead of 64/128) so training on 2 CPU cores takes minutes.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.mer.label_graph import node_features


class ResidualUnit(nn.Module):
    """[3x3 conv, BN, ReLU] x 2 with a shortcut (1x1 projection when the width changes)."""

    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
            nn.BatchNorm2d(cout),
        )
        self.shortcut: nn.Module = (
            nn.Identity()
            if cin == cout and stride == 1
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


class ResidualCNN(nn.Module):
    """Gabor-PCA maps (N, k, h, w) -> global max-pooled features (N, D)."""

    def __init__(self, in_channels: int, width: int = 16, units: int = 2) -> None:
        super().__init__()
        layers: list[nn.Module] = [ResidualUnit(in_channels, width)]
        channels = width
        for _ in range(units - 1):
            layers.append(ResidualUnit(channels, channels * 2, stride=2))
            channels *= 2
        self.features = nn.Sequential(*layers)
        self.out_dim = channels
        self.dropout = nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(torch.amax(self.features(x), dim=(2, 3)))


class GraphConv(nn.Module):
    """Kipf-Welling graph convolution on a fixed normalised adjacency: A X W."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cin, cout))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        return adj @ (x @ self.weight)


class CnnGcn(nn.Module):
    """CNN+GCN: logits = s * x W^T with W = GCN(label vectors, label adjacency), rows of W
    and x L2-normalised (a cosine classifier) and s learned.

    Label vectors enter centred and unit-length (`label_graph.node_features`). Vectors and
    adjacency are buffers of the target label set; they are rebuilt for each dataset and
    not transferred, so a pre-trained model adapts to new classes.
    """

    transfer_skip = ("label_vectors", "adjacency")
    # Adam step of the GCN layers relative to the base lr. Why: Adam moves each of the
    # ~8.5k GCN weights by about lr per step and their effects add up in W, so at lr 1e-3
    # the classifier rows turned ~45x faster per step than a linear head's (measured) and
    # early stopping on a few validation clips caught them at random points.
    gcn_lr_scale = 0.1
    label_vectors: torch.Tensor
    adjacency: torch.Tensor

    def __init__(
        self,
        in_channels: int,
        label_vectors: np.ndarray,
        adjacency: np.ndarray,
        width: int = 16,
        hidden: int = 64,
        n_outputs: int | None = None,
    ) -> None:
        super().__init__()
        self.cnn = ResidualCNN(in_channels, width)
        # The graph may hold more nodes than there are classes (label_graph.graph_nodes: the
        # rest of the emotion hierarchy); the first n_outputs rows are the classifier.
        self.n_outputs = n_outputs or len(label_vectors)
        self.register_buffer("label_vectors", torch.from_numpy(node_features(label_vectors)))
        self.register_buffer("adjacency", torch.as_tensor(adjacency, dtype=torch.float32))
        self.gc1 = GraphConv(label_vectors.shape[1], hidden)
        self.gc2 = GraphConv(hidden, self.cnn.out_dim)
        self.act = nn.LeakyReLU(0.2)
        # logits = W x on unit-length W rows and x, times a learned scale: raw GCN outputs
        # grew logits past 100 and made training jump between epochs.
        self.scale = nn.Parameter(torch.tensor(10.0))

    def param_groups(self, lr: float) -> list[dict[str, object]]:
        """Optimiser groups: GCN layers at lr * gcn_lr_scale, everything else at lr."""
        gcn = [*self.gc1.parameters(), *self.gc2.parameters()]
        ids = {id(p) for p in gcn}
        rest = [p for p in self.parameters() if id(p) not in ids]
        return [{"params": rest, "lr": lr}, {"params": gcn, "lr": lr * self.gcn_lr_scale}]

    def classifier_weights(self) -> torch.Tensor:
        """W (C, D) from the label graph: the rows of the output labels."""
        adj, vec = self.adjacency, self.label_vectors
        return self.gc2(self.act(self.gc1(vec, adj)), adj)[: self.n_outputs]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = nn.functional.normalize(self.cnn(x), dim=1)
        weights = nn.functional.normalize(self.classifier_weights(), dim=1)
        return self.scale * features @ weights.T


class CnnOnly(nn.Module):
    """The same residual CNN with a plain linear classifier: the ablation without the GCN."""

    def __init__(self, in_channels: int, n_classes: int, width: int = 16) -> None:
        super().__init__()
        self.cnn = ResidualCNN(in_channels, width)
        self.head = nn.Linear(self.cnn.out_dim, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.cnn(x))
