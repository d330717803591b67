"""Attention-LSTM speech emotion model: frame features and the attention mechanism.
(EmoDB-layout training, runtime and CLI: test_speech_emotion_emodb.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.speech_emotion.features import FEATURE_DIM, frame_features, load_clip
from models.speech_emotion.model import AttentionLSTM

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"


def test_frame_features_shape_and_gain_invariance() -> None:
    y = load_clip(SPEECH / "zh_01.flac")
    feats = frame_features(y)
    assert feats.shape[1] == FEATURE_DIM == 120
    assert 225 < feats.shape[0] < 250  # 4.86 s at 20 ms steps
    # one gain offset per utterance: a 4x louder recording gives the same frames (above the
    # -100 dB floor that near-silent bins hit)
    loud = feats[:, :40] > -50
    np.testing.assert_allclose(frame_features(4 * y)[:, :40][loud], feats[:, :40][loud],
                               atol=1e-2)
    # but the level of each frame relative to the loudest ones is kept (no per-dim CMVN)
    assert np.percentile(feats[:, :40].mean(axis=1), 95) == pytest.approx(0, abs=1.0)


@pytest.mark.parametrize("head", ["lstm", "pool"])
def test_attention_masks_padding_and_sums_to_one(head: str) -> None:
    torch.manual_seed(0)
    model = AttentionLSTM(8, 3, hidden=6, bidirectional=head == "pool", head=head)
    x = torch.randn(2, 5, 8)
    lengths = torch.tensor([5, 3])
    w = model.attention(x, lengths)
    assert torch.allclose(w.sum(dim=1), torch.ones(2))
    assert torch.all(w[1, 3:] == 0)
    assert model(x, lengths).shape == (2, 3)
    # the saved input normalisation is part of the weights
    model.set_normalisation(torch.full((8,), 2.0), torch.full((8,), 3.0))
    assert set(model.state_dict()) >= {"norm_mean", "norm_scale"}
    model.eval()
    ref = AttentionLSTM(8, 3, hidden=6, bidirectional=head == "pool", head=head)
    ref.load_state_dict({**model.state_dict(), "norm_mean": torch.zeros(8),
                         "norm_scale": torch.ones(8)})
    ref.eval()
    torch.testing.assert_close(model(2 + 3 * x, lengths), ref(x, lengths))


@pytest.mark.parametrize(("head", "bidirectional"), [("pool", True), ("lstm", False),
                                                     ("lstm", True)])
def test_numpy_inference_matches_torch(head: str, bidirectional: bool) -> None:
    """The product scores with numpy (no torch import); it must equal the trained module."""
    from models.speech_emotion.runtime import AttentionLstmNumpy

    torch.manual_seed(1)
    model = AttentionLSTM(12, 7, hidden=5, attn_dim=4, bidirectional=bidirectional, head=head)
    model.set_normalisation(torch.randn(12), torch.rand(12) + 0.5)
    model.eval()
    x = torch.randn(3, 9, 12)
    with torch.no_grad():
        ref = torch.softmax(model(x, torch.full((3,), 9)), dim=1).numpy()
    arrays = {k: v.numpy() for k, v in model.state_dict().items()}
    got = AttentionLstmNumpy(arrays, {"bidirectional": bidirectional, "head": head}).probs(
        x.numpy())
    np.testing.assert_allclose(got, ref, atol=1e-5)


def test_feature_sentence_is_language_neutral() -> None:
    """The caveat fits every session language (an English session is not 'Mandarin')."""
    from ingest.audio.emotion import sentence

    zh, en = sentence({"label": "sadness", "label_zh": "悲伤", "probability": 0.62})
    assert en.endswith("unvalidated on counseling speech)") and "Mandarin" not in en
    assert zh.endswith("未在咨询语音上验证）") and "汉语" not in zh
