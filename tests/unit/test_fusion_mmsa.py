"""MMSA label.csv loader and metrics on a small fixture written here (not a real dataset)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.fusion.hgc import HGCConfig
from models.fusion.mmsa import MMSAFormatError, load_label_csv, mmsa_metrics
from research.fusion.train import train_eval_mmsa

POS = ["what a great and lovely movie", "i really loved it, wonderful", "happy and great fun"]
NEG = ["this was awful and boring", "terrible, i hated the awful plot", "boring and sad waste"]


def _write(path: Path, mosei_order: bool = False) -> Path:
    cols = (["video_id", "clip_id", "text", "label", "annotation", "mode", "label_T", "label_A",
             "label_V"] if mosei_order else
            ["video_id", "clip_id", "text", "label", "label_T", "label_A", "label_V",
             "annotation", "mode"])
    rows = []
    for i in range(24):
        pos = i % 2 == 0
        text = (POS if pos else NEG)[i % 3]
        mode = "train" if i < 16 else ("validation" if i < 18 else "test")
        rec = {"video_id": f"vid{i // 4}", "clip_id": str(i), "text": text,
               "label": f"{(1.5 if pos else -1.5) + 0.1 * (i % 3):.1f}", "label_T": "",
               "label_A": "", "label_V": "", "annotation": "Positive" if pos else "Negative",
               "mode": mode}
        rows.append(",".join(f'"{rec[c]}"' for c in cols))
    path.write_text(",".join(cols) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mosei_order", [False, True])
def test_loader_reads_by_column_name(tmp_path: Path, mosei_order: bool) -> None:
    rows = load_label_csv(_write(tmp_path / "label.csv", mosei_order))
    assert len(rows) == 24
    assert rows[0].key == "vid0$_$0" and rows[0].label == 1.5 and rows[0].label_t is None
    assert {r.mode for r in rows} == {"train", "valid", "test"}


def test_loader_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("video_id,clip_id,text\nv,1,x\n", encoding="utf-8")
    with pytest.raises(MMSAFormatError, match="missing column"):
        load_label_csv(bad)
    bad.write_text("video_id,clip_id,text,label,mode\nv,1,x,0.5,dev\n", encoding="utf-8")
    with pytest.raises(MMSAFormatError, match="mode"):
        load_label_csv(bad)
    with pytest.raises(MMSAFormatError, match="no such"):
        load_label_csv(tmp_path / "none.csv")


def test_metrics_follow_mmsa_conventions() -> None:
    m = mmsa_metrics([1.0, -0.5, 0.2, -2.0], [2.0, -1.0, 0.0, 1.0])
    assert m["Has0_acc_2"] == 0.75  # 0 counts as non-negative
    assert m["Non0_acc_2"] == pytest.approx(2 / 3)  # the zero label is dropped
    assert m["MAE"] == pytest.approx((1 + 0.5 + 0.2 + 3) / 4)
    with pytest.raises(ValueError):
        mmsa_metrics([], [])


def test_train_and_report_on_fixture(tmp_path: Path) -> None:
    rows = load_label_csv(_write(tmp_path / "label.csv"))
    m = train_eval_mmsa(rows, cfg=HGCConfig(epochs=40, seed=0, batch_size=8))
    assert set(m) >= {"Non0_acc_2", "Non0_F1", "MAE", "Has0_acc_2", "Corr"}
    assert m["Non0_acc_2"] >= 0.75  # separable toy texts: fails if training is broken
    feats = {r.key: {"content": np.ones(3) * (r.label > 0)} for r in rows}
    assert train_eval_mmsa(rows, feats, HGCConfig(epochs=5))["MAE"] >= 0
    with pytest.raises(KeyError, match="no features"):
        train_eval_mmsa(rows, {}, HGCConfig(epochs=1))
