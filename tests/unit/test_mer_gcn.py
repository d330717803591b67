"""The CNN+GCN classifier's fixes for issue 7: label node features, smoothing, GCN step size."""

from __future__ import annotations

import numpy as np
import torch

from models.mer.cnn_gcn import CnnGcn
from models.mer.label_graph import label_adjacency, label_vectors, node_features
from research.mer.train import RunConfig, fit

LABELS = ["negative", "positive", "surprise"]
# SYNTHETIC annotations: one clip per class with prototype AUs.
ANNOTATIONS = [("negative", (4, 7)), ("positive", (6, 12)), ("surprise", (1, 2, 26))]


def test_node_features_are_centred_unit_rows() -> None:
    raw = np.array([[10.0, 1.0, 0.0], [10.0, 0.0, 1.0], [10.0, 1.0, 1.0]], dtype=np.float32)
    out = node_features(raw)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert np.allclose(out[:, 0], 0.0, atol=1e-6)  # the component all labels share is gone
    assert node_features(np.eye(3, dtype=np.float32)).shape == (3, 3)


def test_initial_classifier_rows_are_not_smoothed_together() -> None:
    """Raw word vectors + reweight 0.25 gave linked labels rows at cosine ~0.96 at init."""
    vectors, _ = label_vectors(LABELS)
    adj = label_adjacency(LABELS, ANNOTATIONS)
    assert adj[0, 2] > 0  # negative and surprise are linked (fear shares AU1/2/5/26)
    cos = []
    for seed in range(10):
        torch.manual_seed(seed)
        w = CnnGcn(4, vectors, adj).classifier_weights().detach()
        u = torch.nn.functional.normalize(w, dim=1)
        cos.append(float((u @ u.T)[0, 2]))
    assert np.mean(cos) < 0.5


def test_gcn_layers_get_the_scaled_learning_rate() -> None:
    model = CnnGcn(4, np.eye(3, dtype=np.float32), np.eye(3))
    groups = model.param_groups(1e-3)
    assert groups[1]["lr"] == 1e-3 * model.gcn_lr_scale < 1e-3
    seen = [id(p) for g in groups for p in g["params"]]  # type: ignore[attr-defined]
    assert sorted(seen) == sorted(id(p) for p in model.parameters())


def test_fit_uses_the_groups_and_learns_synthetic_classes(tmp_path: object) -> None:
    """A separable SYNTHETIC problem: class k lights up channel k; the model must fit it."""
    torch.manual_seed(0)
    y = torch.arange(3).repeat(16)
    x = torch.randn(len(y), 4, 8, 8) * 0.1
    x[torch.arange(len(y)), y] += 1.0
    model = CnnGcn(4, label_vectors(LABELS)[0], label_adjacency(LABELS, ANNOTATIONS))
    before = model.gc1.weight.detach().clone()
    cfg = RunConfig(model="cnn_gcn", data=tmp_path, format="casme2", out=tmp_path, epochs=30)  # type: ignore[arg-type]
    fit(model, x, y, x[:0], y[:0], cfg, 3, seed=0)
    model.eval()
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).float().mean())
    assert acc > 0.9
    assert not torch.equal(before, model.gc1.weight)  # the GCN itself trains, slowly


def test_warm_up_models_are_not_stopped_early(tmp_path: object) -> None:
    """min_epochs: early stopping and the best-epoch choice start only after the warm-up."""
    from models.mer.cnn_gcn import CnnOnly

    torch.manual_seed(0)
    y = torch.arange(3).repeat(4)
    x = torch.randn(len(y), 4, 8, 8)  # SYNTHETIC noise: validation loss cannot improve much
    model = CnnOnly(4, 3)
    model.min_epochs = 6  # type: ignore[assignment]
    cfg = RunConfig(model="cnn", data=tmp_path, format="casme2", out=tmp_path, epochs=2, patience=1)  # type: ignore[arg-type]
    info = fit(model, x, y, x[:6], y[:6], cfg, 3, seed=0)
    assert info["best_epoch"] >= 6


def test_class_and_emotion_label_sets_share_one_graph() -> None:
    """Transfer through labels: a source labelled with emotions and a target labelled with
    MEGC classes must give the GCN the same nodes, output labels first."""
    from models.mer.label_graph import graph_nodes

    classes = graph_nodes(LABELS)
    emotions = graph_nodes(["anger", "contempt", "disgust", "happiness", "surprise"])
    assert classes[:3] == LABELS
    assert set(classes) == set(emotions)
    assert {"happiness", "anger", "fear"} <= set(classes)


def test_class_rows_draw_on_their_emotions_only_one_way() -> None:
    from models.mer.label_graph import graph_nodes

    nodes = graph_nodes(LABELS)
    flat = label_adjacency(nodes, ANNOTATIONS)
    adj = label_adjacency(nodes, ANNOTATIONS, hierarchy=0.5)
    pos, happy = nodes.index("positive"), nodes.index("happiness")
    assert adj[pos, happy] > flat[pos, happy] + 0.4
    assert np.allclose(adj[happy], flat[happy])  # emotions never listen back


def test_gcn_outputs_only_the_class_rows() -> None:
    from models.mer.label_graph import graph_nodes

    nodes = graph_nodes(LABELS)
    vectors, _ = label_vectors(nodes)
    model = CnnGcn(4, vectors, label_adjacency(nodes, ANNOTATIONS), n_outputs=3)
    assert model.classifier_weights().shape[0] == 3
    assert model(torch.randn(2, 4, 8, 8)).shape == (2, 3)


def test_transferred_weights_fine_tune_at_their_own_rate(tmp_path: object) -> None:
    """Loaded weights take lr x finetune_lr_scale; a fresh head and the GCN's own slower
    group keep their rates."""
    from models.mer.cnn_gcn import CnnOnly
    from research.mer.train import optimiser_groups

    cfg = RunConfig(model="cnn", data=tmp_path, format="casme2", out=tmp_path, finetune_lr_scale=0.5)  # type: ignore[arg-type]
    model = CnnOnly(4, 3)
    loaded = {n for n, _ in model.named_parameters() if n.startswith("cnn.")}
    groups = optimiser_groups(model, cfg, loaded)
    head = {id(p) for p in model.head.parameters()}
    for group in groups:
        ids = {id(p) for p in group["params"]}
        assert group["lr"] == (1e-3 if ids <= head else 5e-4)
    gcn = CnnGcn(4, np.eye(3, dtype=np.float32), np.eye(3))
    every = {n for n, _ in gcn.named_parameters()}
    rates = sorted(g["lr"] for g in optimiser_groups(gcn, cfg, every))
    assert rates == [1e-3 * gcn.gcn_lr_scale * 0.5, 5e-4]
