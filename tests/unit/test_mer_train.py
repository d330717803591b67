"""The one training command end to end on the SYNTHETIC CASME II-layout fixture (tiny settings:
32 px crops, 2 epochs), every model, plus pre-training and transfer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from models.mer.zoo import MODELS
from research.mer.train import RunConfig, main, run

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "datasets"


def tiny(model: str, out: Path, **kw: object) -> RunConfig:
    return RunConfig(
        model=model, data=FIX / "casme2", format="casme2", out=out, epochs=2, size=32,
        frames=4, threads=1, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_runs_loso_and_writes_outputs(model: str, tmp_path: Path) -> None:
    result = run(tiny(model, tmp_path))
    assert result["n_clips"] == 10 and result["n_subjects"] == 3  # EP10_01 has no frames
    assert len(result["folds"]) == 3
    assert 0.0 <= result["uf1"] <= 1.0 and 0.0 <= result["uar"] <= 1.0
    assert sum(map(sum, result["confusion"])) == 10
    assert (tmp_path / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    rows = (tmp_path / "predictions.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "dataset,subject,clip,true,predicted" and len(rows) == 11
    saved = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert saved["uf1"] == result["uf1"] and saved["config"]["model"] == model


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    a = run(tiny("cnn", tmp_path / "a"))
    b = run(tiny("cnn", tmp_path / "b"))
    assert a["confusion"] == b["confusion"] and a["uf1"] == b["uf1"]


def test_pretrain_then_transfer(tmp_path: Path) -> None:
    pre = run(tiny("cnn_gcn", tmp_path / "pre", protocol="full"))
    ckpt = torch.load(pre["checkpoint"], weights_only=True)
    assert ckpt["model"] == "cnn_gcn" and "gabor_pca" in ckpt["rep"]
    moved = run(tiny("cnn_gcn", tmp_path / "ft", pretrained=Path(pre["checkpoint"])))
    fold = moved["folds"][0]
    assert int(fold["transferred"]) > 10 and "label_vectors" in fold["fresh"]
    # a CNN trunk can be transferred into the model without GCN as well
    cnn = run(tiny("cnn", tmp_path / "cnn", pretrained=Path(pre["checkpoint"])))
    assert int(cnn["folds"][0]["transferred"]) > 10
    with pytest.raises(ValueError, match="reads sequence inputs"):
        run(tiny("mer_gcn_transformer", tmp_path / "x", pretrained=Path(pre["checkpoint"])))


def test_cli_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--model", "cnn", "--data", str(tmp_path / "none"), "--format", "casme2",
                 "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 2
    assert "dataset folder not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--model", "resnet9000", "--data", ".", "--format", "casme2", "--out", "o"])
