"""HybridMicroNet (paper 003): VGG-16-style convolution blocks feeding a small ResNet head.

The paper uses ImageNet-pretrained VGG-16 features on 224x224 faces. No downloaded weights
exist here, so the VGG part is the first three VGG-16 blocks at 1/8 width, trained from
scratch on small crops; the ResNet head follows the paper's table (conv + BN + ReLU + max
pool, two residual "RLayers" blocks of [16, 16] and [32, 32] filters, global average
pooling, dense softmax layer).
"""

from __future__ import annotations

import torch
from torch import nn

from models.mer.cnn_gcn import ResidualUnit


def vgg_block(cin: int, cout: int, convs: int) -> nn.Sequential:
    """VGG block: `convs` x (3x3 conv + BN + ReLU), then 2x2 max pooling."""
    layers: list[nn.Module] = []
    for i in range(convs):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1), nn.BatchNorm2d(cout)]
        layers.append(nn.ReLU(inplace=True))
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class HybridMicroNet(nn.Module):
    """(B, C_in, S, S) face images (apex and apex-minus-onset) -> class logits."""

    # Trained from scratch on ~50 clips = one Adam step per epoch: the training loss sat at
    # ln(3) for 25-40 epochs on the synthetic target before fitting started (measured), so
    # early stopping waits this many epochs (research.mer.train.fit).
    min_epochs = 40

    def __init__(self, in_channels: int, n_classes: int, width: int = 8) -> None:
        super().__init__()
        self.vgg = nn.Sequential(
            vgg_block(in_channels, width, 2),
            vgg_block(width, 2 * width, 2),
            vgg_block(2 * width, 4 * width, 3),
        )
        self.stem = nn.Sequential(
            nn.Conv2d(4 * width, 16, 3, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        self.rlayers = nn.Sequential(ResidualUnit(16, 16), ResidualUnit(16, 32))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(32, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.rlayers(self.stem(self.vgg(x)))
        return self.head(torch.mean(h, dim=(2, 3), keepdim=True))
