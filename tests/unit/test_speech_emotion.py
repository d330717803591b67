"""Attention-LSTM speech emotion model: loader, features, model, one-command training.

The dataset is SYNTHETIC (sox re-renderings of the committed samples, see
models/speech_emotion/synthetic.py); it checks the machinery, not emotion accuracy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from models.speech_emotion.data import DatasetError, class_names, read_dataset
from models.speech_emotion.features import FEATURE_DIM, clip_features, load_clip, standardise
from models.speech_emotion.model import AttentionLSTM
from models.speech_emotion.synthetic import make_dataset
from models.speech_emotion.train import evaluate, train

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("sox") is None:
        pytest.skip("needs Debian package sox")
    out = tmp_path_factory.mktemp("se")
    sources = sorted(SPEECH.glob("zh_0[1-5].flac"))
    make_dataset(out, sources, variants=1, seed=1)
    return out


def test_loader_reads_adapter_csv(dataset: Path) -> None:
    clips = read_dataset(dataset)
    assert len(clips) == 15
    assert {c.split for c in clips} == {"train", "val", "test"}
    assert class_names(clips) == ["neutral", "high_arousal_proxy", "low_arousal_proxy"]
    # Test sentences never occur in training (split by source utterance).
    train_src = {c.speaker for c in clips if c.split == "train"}
    assert not train_src & {c.speaker for c in clips if c.split == "test"}


def test_loader_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"labels\.csv"):
        read_dataset(tmp_path)
    (tmp_path / "labels.csv").write_text("path,split,label\nmissing.wav,train,sad\n",
                                         encoding="utf-8")
    with pytest.raises(DatasetError, match="not found"):
        read_dataset(tmp_path)
    (tmp_path / "labels.csv").write_text("path,label\nx.wav,sad\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="missing columns"):
        read_dataset(tmp_path)


def test_features_shape_and_standardisation() -> None:
    feats = clip_features(load_clip(SPEECH / "zh_01.flac"))
    assert feats.shape[1] == FEATURE_DIM == 360
    assert 450 < feats.shape[0] < 500  # 4.86 s at a 10 ms hop
    (z,), _ = standardise([feats])
    assert np.allclose(z.mean(axis=0), 0, atol=1e-3)


def test_attention_masks_padding_and_sums_to_one() -> None:
    torch.manual_seed(0)
    model = AttentionLSTM(8, 3, hidden=6)
    x = torch.randn(2, 5, 8)
    lengths = torch.tensor([5, 3])
    w = model.attention(x, lengths)
    assert torch.allclose(w.sum(dim=1), torch.ones(2))
    assert torch.all(w[1, 3:] == 0)
    assert model(x, lengths).shape == (2, 3)


def test_train_and_evaluate_one_command(dataset: Path, tmp_path: Path) -> None:
    ckpt = tmp_path / "m.pt"
    result = train(dataset, ckpt, epochs=2, hidden=8)
    assert ckpt.is_file() and len(result["history"]) == 2
    assert result["test"]["n"] == 3
    again = evaluate(dataset, ckpt)
    assert again["n"] == 3 and 0.0 <= again["accuracy"] <= 1.0
    assert np.array(again["confusion"]).sum() == 3
