"""Attention-LSTM speech emotion classifier (paper 004, Fig. 2): LSTM -> attention ->
LSTM -> softmax.

The first (optionally bidirectional) LSTM learns frame representations a_t; attention scores
e_t = v^T tanh(W a_t) give weights w_t = softmax_t(e_t) (eq. 5) that re-weight each frame; the
second LSTM reads the weighted sequence and its last state feeds the softmax classifier
(`head="lstm"`, the paper's layout) — or, with `head="pool"`, the attention-weighted sum of
the frames does (attention pooling). Inputs are standardised inside the model with the training
statistics (`norm_mean`, `norm_scale` buffers), so saved weights carry their normalisation.
"""

from __future__ import annotations

import torch
from torch import nn


class AttentionLSTM(nn.Module):
    norm_mean: torch.Tensor
    norm_scale: torch.Tensor

    def __init__(self, input_dim: int, n_classes: int, hidden: int = 64,
                 attn_dim: int = 32, dropout: float = 0.2, *, bidirectional: bool = False,
                 head: str = "lstm", input_dropout: float = 0.0) -> None:
        super().__init__()
        if head not in ("lstm", "pool"):
            raise ValueError(f"head {head!r} not in ('lstm', 'pool')")
        self.head = head
        self.register_buffer("norm_mean", torch.zeros(input_dim))
        self.register_buffer("norm_scale", torch.ones(input_dim))
        self.in_drop = nn.Dropout(input_dropout)
        self.lstm1 = nn.LSTM(input_dim, hidden, batch_first=True, bidirectional=bidirectional)
        width = hidden * (2 if bidirectional else 1)
        self.score = nn.Sequential(nn.Linear(width, attn_dim), nn.Tanh(),
                                   nn.Linear(attn_dim, 1, bias=False))
        self.lstm2 = nn.LSTM(width, hidden, batch_first=True) if head == "lstm" else None
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden if head == "lstm" else width, n_classes)

    def set_normalisation(self, mean: torch.Tensor, scale: torch.Tensor) -> None:
        self.norm_mean.copy_(mean)
        self.norm_scale.copy_(scale)

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.in_drop((x - self.norm_mean) / self.norm_scale)
        a, _ = self.lstm1(x)
        e = self.score(a).squeeze(-1)
        pad = torch.arange(x.shape[1], device=x.device)[None, :] >= lengths[:, None]
        return a, torch.softmax(e.masked_fill(pad, float("-inf")), dim=1)

    def attention(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Per-frame weights (B, T), zero on padding, summing to 1 over each clip."""
        return self._encode(x, lengths)[1]

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (B, n_classes) for padded features x (B, T, D) with true `lengths`."""
        a, w = self._encode(x, lengths)
        if self.lstm2 is None:
            return self.out(self.drop((a * w.unsqueeze(-1)).sum(dim=1)))
        # Scale by length so the weighted frames keep the magnitude of unweighted ones.
        weighted = a * (w * lengths[:, None].to(a.dtype)).unsqueeze(-1)
        packed = nn.utils.rnn.pack_padded_sequence(
            weighted, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm2(packed)
        return self.out(self.drop(h[-1]))
