"""The trained micro-expression classifier in the video path (models/mer/runtime.py).

End to end on SYNTHETIC data the project generates: a CAS(ME)^3 Part A-layout folder ->
`mindkg mer train` -> `mindkg analyze` of a session bundle with `me_weights` set, whose
micro-expression feature texts then name that model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from api.cli import app
from models.mer.runtime import ME_MODELS, load_me_classifier, shipped_weights

SAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "samples/sessions/zh_w03_multimodal"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """W trained by the CLI on a generated CAS(ME)^3-layout folder (1 face, 6 clips)."""
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp("mer")
    runner = CliRunner()
    r = runner.invoke(app, ["mer", "sample", "--out", str(tmp / "casme3"), "--faces", "1",
                            "--per-class", "2", "--seed", "3"])
    assert r.exit_code == 0, r.output
    sheet = next((tmp / "casme3").glob("*part_A_ME_label*.csv"))
    assert sheet.read_text().splitlines()[0].startswith("Subject,Filename,Onset,Apex,Offset")
    assert (tmp / "casme3/part_A/data/part_A/spNO.1/a/color").is_dir()
    w = tmp / "W.pt"
    r = runner.invoke(app, ["mer", "train", "--dataset", "casme3", "--root", str(tmp / "casme3"),
                            "--out", str(w), "--epochs", "1", "--threads", "1"])
    assert r.exit_code == 0, r.output
    return w


def test_train_writes_weights_and_report(trained: Path) -> None:
    report = json.loads(trained.with_name("W.pt.json").read_text())
    assert report["n_clips"] == 6 and report["labels"] == ["negative", "positive", "surprise"]
    assert report["synthetic"] is True and report["faces"] == "align"
    clf = load_me_classifier(None, trained)
    assert clf is not None and clf.name.startswith("cnn_gcn@synthetic-")
    assert "SYNTHETIC" in clf.description
    assert load_me_classifier("cnn_gcn", trained) is clf  # loaded once per process
    faces = (np.random.default_rng(0).random((5, 128, 128)) * 255).astype(np.uint8)
    me_class, emotion, conf, probs = clf.classify(faces, {})
    assert me_class in {"negative", "positive", "surprise"} and emotion is None
    assert 0 < conf <= 1 and abs(sum(probs) - 1) < 1e-3 and len(probs) == 3


def test_bad_choices_are_clear_errors(trained: Path, tmp_path: Path) -> None:
    assert load_me_classifier("rules", None) is None
    with pytest.raises(ValueError, match="no weights shipped for lbp_vgg16: train with"):
        load_me_classifier("lbp_vgg16", None)
    with pytest.raises(ValueError, match="holds 'cnn_gcn' weights, not 'hybridmicronet'"):
        load_me_classifier("hybridmicronet", trained)
    with pytest.raises(ValueError, match="unknown micro-expression model"):
        load_me_classifier("resnet", None)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_me_classifier(None, bad)
    with pytest.raises(ValueError, match="no such file"):
        load_me_classifier(None, tmp_path / "missing.pt")
    assert set(ME_MODELS) == {"cnn_gcn", "hybridmicronet", "mer_gcn_transformer", "lbp_vgg16",
                              "rules"}


def test_train_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["mer", "train", "--dataset", "casme3", "--root", str(tmp_path),
                            "--out", str(tmp_path / "W.pt")])
    assert r.exit_code == 2 and "no annotation sheet" in r.output
    r = runner.invoke(app, ["mer", "train", "--dataset", "nope", "--root", str(tmp_path),
                            "--out", str(tmp_path / "W.pt")])
    assert r.exit_code == 2 and "--dataset must be one of" in r.output
    assert not (tmp_path / "W.pt").exists()


def test_shipped_weights_load() -> None:
    path = shipped_weights("cnn_gcn")
    assert path is not None and path.is_file() and path.stat().st_size < 1_000_000
    clf = load_me_classifier(None, None)
    assert clf is not None and clf.name.startswith("cnn_gcn@synthetic-")
    assert "shipped weights trained on SYNTHETIC clips" in clf.description


@pytest.mark.slow
def test_analyze_uses_the_configured_weights(trained: Path, tmp_path: Path) -> None:
    """`mindkg analyze` with me_weights=W: every micro-expression text names W's model."""
    from contracts.settings import Settings
    from kg.seed import build_default_seed, load_seed
    from kg.store.factory import open_store
    from tests.conftest import SHARED_CACHE

    home = tmp_path / "home"
    with open_store(Settings(home=home, cache_dir=SHARED_CACHE)) as store:
        load_seed(store, build_default_seed())
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(f'me_weights = "{trained}"\n', encoding="utf-8")
    env = {"MINDKG_HOME": str(home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_CACHE_DIR": str(SHARED_CACHE) if SHARED_CACHE else ""}
    r = CliRunner().invoke(app, ["analyze", str(SAMPLE_BUNDLE), "--json", "--no-write"], env=env)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    events = [f for f in data["feature_texts"] if f["kind"] == "micro_expression"]
    assert events
    name = load_me_classifier(None, trained).name  # type: ignore[union-attr]
    for e in events:
        assert e["values"]["classifier"] == name
        assert e["values"]["representation_kind"].startswith(f"{name} class probabilities")
        assert len(e["values"]["representation"]) == 3
    summary = next(f for f in data["feature_texts"] if f["kind"] == "action_units")
    components = summary["values"]["components"]
    assert components["me_classifier"] == name
    assert "trained on SYNTHETIC clips" in components["me_classifier_detail"]
    r = CliRunner().invoke(app, ["analyze", str(SAMPLE_BUNDLE), "--me-model", "resnet"], env=env)
    assert r.exit_code == 2 and "--me-model must be one of" in r.output
