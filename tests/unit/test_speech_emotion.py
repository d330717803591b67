"""Attention-LSTM speech emotion model: frame features and the attention mechanism.
(EmoDB-layout training, runtime and CLI: test_speech_emotion_emodb.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from models.speech_emotion.features import (
    FEATURE_DIM,
    clip_features,
    cmvn,
    load_clip,
    standardise,
)
from models.speech_emotion.model import AttentionLSTM

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"


def test_features_shape_and_standardisation() -> None:
    feats = clip_features(load_clip(SPEECH / "zh_01.flac"))
    assert feats.shape[1] == FEATURE_DIM == 360
    assert 450 < feats.shape[0] < 500  # 4.86 s at a 10 ms hop
    (z,), _ = standardise([feats])
    assert np.allclose(z.mean(axis=0), 0, atol=1e-3)
    u = cmvn(feats)
    assert np.allclose(u.mean(axis=0), 0, atol=1e-3)
    assert np.allclose(u.std(axis=0)[u.std(axis=0) > 0.1], 1, atol=1e-2)


def test_attention_masks_padding_and_sums_to_one() -> None:
    torch.manual_seed(0)
    model = AttentionLSTM(8, 3, hidden=6)
    x = torch.randn(2, 5, 8)
    lengths = torch.tensor([5, 3])
    w = model.attention(x, lengths)
    assert torch.allclose(w.sum(dim=1), torch.ones(2))
    assert torch.all(w[1, 3:] == 0)
    assert model(x, lengths).shape == (2, 3)
