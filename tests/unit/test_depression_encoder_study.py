"""The sentence-encoder study of the depression estimate (research/depression/encoder_study.py):
its feature blocks, threshold rules and nested comparison on small generated data."""

from __future__ import annotations

import numpy as np

from research.depression import encoder_study as S
from research.depression.train import Data, best_f1_threshold


def test_blocks_from_vectors_handle_a_missing_answer() -> None:
    rng = np.random.default_rng(0)
    answers = rng.normal(size=(4, 3, 6))
    answers[1, 0] = np.nan  # volunteer 1 has no positive-topic answer
    anchors = rng.normal(size=(2, 6))
    b = S.blocks_from_vectors(answers, rng.normal(size=(4, 6)), anchors)
    assert b["e_mean"].shape == (4, 6) and b["e_concat"].shape == (4, 18)
    assert b["e_anchor"].shape == (4, 4) and b["e_anchor_mean"].shape == (4, 2)
    np.testing.assert_allclose(b["e_contrast"][1], answers[1, 2] - answers[1, 1])
    np.testing.assert_allclose(b["e_mean"][1], answers[1, 1:].mean(axis=0))
    sims = answers[0] @ anchors.T
    np.testing.assert_allclose(b["e_anchor"][0, 2:], sims[2] - sims[:2].mean(axis=0))


def test_youden_and_f1_thresholds_separate_clean_scores() -> None:
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.9])
    for t in (S.youden_threshold(y, p), best_f1_threshold(y, p)):
        assert 0.3 < t < 0.6


def test_compare_is_nested_and_deterministic() -> None:
    rng = np.random.default_rng(1)
    n = 24
    y = np.array([1] * 8 + [0] * 16)
    words = ["我很难过睡不着", "今天天气很好", "还可以吧", "没有意思"]
    texts = [words[int(v) * 2 + int(rng.integers(0, 2))] + str(i) for i, v in enumerate(y == 0)]
    dense = rng.normal(size=(n, 42)) + y[:, None] * 0.8
    data = Data([f"v{i}" for i in range(n)], texts, dense, y, 40.0 + 20 * y)
    blocks = S.blocks_from_vectors(rng.normal(size=(n, 3, 5)) + y[:, None, None],
                                   rng.normal(size=(n, 5)), rng.normal(size=(3, 5)))
    variants = {"model+e_anchor": ("text", "dense", "e_anchor"), "e_pca": ("e_pca",)}
    a = S.compare(data, blocks, [0], 2, variants)
    b = S.compare(data, blocks, [0], 2, {"e_pca": ("e_pca",)})
    assert set(a) == {f"{v}|{r}" for v in variants for r in S.RULES}
    for k in a:
        p = a[k]["prob"][0]
        assert np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(a["e_pca|f1"]["prob"], b["e_pca|f1"]["prob"])
    assert a["model+e_anchor|half"]["thresholds"] == [0.5, 0.5]


def test_paired_difference_of_identical_variants_is_zero() -> None:
    y = np.array([0, 1] * 10)
    prob = np.linspace(0.1, 0.9, 20)[None, :].repeat(2, axis=0)
    cell = {"prob": prob, "pred": (prob > 0.5).astype(int)}
    better = {"prob": np.where(y == 1, 0.9, 0.1)[None, :].repeat(2, axis=0),
              "pred": y[None, :].repeat(2, axis=0)}
    same = S.paired_difference({"a": cell, "b": cell}, "a", "b", y, n_boot=200)
    assert same["auc"] == {"value": 0.0, "lo": 0.0, "hi": 0.0}
    gain = S.paired_difference({"a": cell, "b": better}, "a", "b", y, n_boot=200)
    assert gain["auc"]["value"] > 0 and gain["f1"]["lo"] >= 0
