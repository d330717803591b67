"""Attention-LSTM speech emotion classifier (paper 004, Fig. 2): LSTM -> attention ->
LSTM -> softmax.

The first LSTM learns frame representations a_t; attention scores e_t = v^T tanh(W a_t)
give weights w_t = softmax_t(e_t) (eq. 5) that re-weight each frame; the second LSTM reads
the weighted sequence and its last state feeds the softmax classifier.
"""

from __future__ import annotations

import torch
from torch import nn


class AttentionLSTM(nn.Module):
    def __init__(self, input_dim: int, n_classes: int, hidden: int = 64,
                 attn_dim: int = 32, dropout: float = 0.2) -> None:
        super().__init__()
        self.lstm1 = nn.LSTM(input_dim, hidden, batch_first=True)
        self.score = nn.Sequential(nn.Linear(hidden, attn_dim), nn.Tanh(),
                                   nn.Linear(attn_dim, 1, bias=False))
        self.lstm2 = nn.LSTM(hidden, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_classes)

    def _encode(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
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
        # Scale by length so the weighted frames keep the magnitude of unweighted ones.
        weighted = a * (w * lengths[:, None].to(a.dtype)).unsqueeze(-1)
        packed = nn.utils.rnn.pack_padded_sequence(
            weighted, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm2(packed)
        return self.out(self.drop(h[-1]))
