"""Gabor bank, LBP, metrics and the label graph on inputs with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.mer.clips import phase_shift, register
from models.mer.gabor import GaborPCA, gabor_bank_freq, gabor_magnitudes
from models.mer.label_graph import AU_EMOTIONS, label_adjacency, prior_matrix
from models.mer.lbp_vgg import circular_lbp, lbp_features
from research.mer.metrics import confusion, uar, uf1


def stripes(period: float, angle: float, side: int = 64) -> torch.Tensor:
    yy, xx = torch.meshgrid(torch.arange(side.__float__()), torch.arange(side.__float__()), indexing="ij")
    phase = 2 * math.pi / period * (xx * math.cos(angle) + yy * math.sin(angle))
    return torch.cos(phase)[None]


def test_gabor_bank_shape_and_zero_dc() -> None:
    bank = gabor_bank_freq(32, 32)
    assert bank.shape == (40, 32, 32)
    assert torch.allclose(bank[:, 0, 0], torch.zeros(40), atol=1e-6)  # DC-free wavelets


@pytest.mark.parametrize(("orientation", "scale"), [(0, 0), (2, 0), (4, 2)])
def test_gabor_picks_the_stripe_orientation_and_scale(orientation: int, scale: int) -> None:
    k = (math.pi / 2) / math.sqrt(2) ** scale
    img = stripes(2 * math.pi / k, math.pi * orientation / 8)
    energy = gabor_magnitudes(img)[0].mean(dim=(1, 2)).reshape(5, 8)
    assert divmod(int(energy.argmax()), 8) == (scale, orientation)


def test_gabor_downsampling_and_pca() -> None:
    maps = gabor_magnitudes(torch.rand(6, 32, 32))
    assert maps.shape == (6, 40, 8, 8)
    pca = GaborPCA(5).fit(maps)
    out = pca.transform(maps)
    assert out.shape == (6, 5, 8, 8)
    variances = out.transpose(0, 1).reshape(5, -1).var(dim=1)
    assert torch.all(variances[:-1] >= variances[1:] - 1e-4)  # ordered components
    again = GaborPCA.from_state(pca.state_dict()).transform(maps)
    assert torch.allclose(out, again)
    with pytest.raises(ValueError, match="divisible"):
        gabor_magnitudes(torch.rand(1, 30, 30))


def test_lbp_codes_and_histograms() -> None:
    flat = np.full((1, 16, 16), 0.5)
    codes = circular_lbp(flat)
    assert np.all(codes == codes[0, 0, 0])  # a flat patch is one uniform pattern
    feats = lbp_features(np.random.default_rng(0).random((2, 32, 32)))
    assert feats.shape == (2, 2 * 59 * (1 + 4 + 16 + 64))
    assert np.allclose(feats[:, :59].sum(axis=1), 1.0)  # the 1x1 level is a distribution


def test_registration_undoes_a_shift() -> None:
    from scipy.ndimage import gaussian_filter
    from scipy.ndimage import shift as nd_shift

    ref = gaussian_filter(np.random.default_rng(1).random((64, 64)), 2).astype(np.float32)
    moved = nd_shift(ref, (2.0, -1.0), mode="nearest")
    dy, dx = phase_shift(ref, moved)
    assert abs(dy + 2.0) < 0.4 and abs(dx - 1.0) < 0.4
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(register(ref, moved) - ref)[inner].mean() < np.abs(moved - ref)[inner].mean() / 2


def test_megc_metrics() -> None:
    y, p = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    assert confusion(y, p, 3).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    f1s = [2 * 1 / (2 + 1 + 1), 2 * 2 / (4 + 1), 2 * 1 / (2 + 1)]
    assert uf1(y, p, 3) == pytest.approx(np.mean(f1s))
    assert uar(y, p, 3) == pytest.approx(np.mean([0.5, 1.0, 0.5]))
    assert uf1([0, 0], [0, 0], 3) == 1.0  # absent classes are left out


def test_label_graph_from_au_table() -> None:
    assert AU_EMOTIONS[12] == ("happiness", "contempt")
    prior = prior_matrix(["positive", "negative", "surprise"], [6, 12, 26])
    assert prior.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    adj = label_adjacency(["positive", "negative", "surprise"], [("positive", [6, 12])])
    assert adj.shape == (3, 3) and np.allclose(adj, adj.T)
    assert adj[1, 2] > 0  # negative and surprise share AU1/4/5/26... through fear
    assert np.all(np.diag(adj) > 0)


def test_label_vectors_come_from_word2vec_or_say_onehot() -> None:
    from models.mer.label_graph import label_vectors

    vectors, source = label_vectors(["positive", "negative", "surprise"])
    assert vectors.shape[0] == 3
    if source == "onehot":  # only when neither kg.embed nor the synonyms file is installed
        assert np.allclose(vectors, np.eye(3))
    else:
        assert vectors.shape[1] == 100 and not np.allclose(vectors[0], vectors[1])


def test_vector_pca_output_does_not_depend_on_the_batch() -> None:
    """A test fold of 1 or 6 clips must get the training fold's scaling (SYNTHETIC vectors)."""
    import torch

    from models.mer.lbp_vgg import VectorPCA

    gen = torch.Generator().manual_seed(0)
    train, test = torch.randn(40, 20, generator=gen), torch.randn(6, 20, generator=gen)
    pca = VectorPCA(8).fit(train)
    whole = pca.transform(test)
    assert torch.allclose(pca.transform(test[:1]), whole[:1], atol=1e-6)
    again = VectorPCA.from_state(pca.state_dict())
    assert torch.allclose(again.transform(test), whole)
