"""Neutral-text detector: news split, threshold under a cap, weights file, training end to end.

Fixtures (polar corpora, a People's-Daily-format news file, an EATD-style folder) are written
here by code; nothing needs /work/shared. The encoder is the real packaged one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.embed.sentence_polarity import DENSE_NAMES
from research.polarity.neutral import (
    NeutralDetectorError,
    NeutralDetectorWeights,
    cap_threshold,
    news_split,
    train_and_evaluate,
    training_weights,
)
from research.polarity.train import CORPORA

GOOD = ["服务很好，非常满意", "特别开心，推荐大家来", "味道好极了，还会再来", "物流快，质量好，好评"]
BAD = ["太差了，再也不来了", "很失望，质量不行", "服务态度恶劣，生气", "难吃，浪费钱，后悔"]
NEWS = ["国务院召开常务会议/n 研究/v 春运/n 工作/n 。/w", "新华社/nt 北京/ns 一月/t 五日/t 电/n 。/w",
        "会议/n 在/p 人民大会堂/n 举行/v 。/w", "该/r 厂/n 去年/t 产量/n 为/v 三千/m 吨/q 。/w"]


def _polar(root: Path, repeat: int = 5) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rows = [(1, f"{t}{k}") for k in range(repeat) for t in GOOD]
    rows += [(0, f"{t}{k}") for k in range(repeat) for t in BAD]
    (root / CORPORA["reviews_hotel"]).write_text(
        "label,review\n" + "".join(f"{y},{t}\n" for y, t in rows), encoding="utf-8")
    (root / CORPORA["reviews_shopping"]).write_text(
        "cat,label,review\n" + "".join(f"书,{y},{t}。\n" for y, t in rows), encoding="utf-8")
    (root / CORPORA["weibo"]).write_text("".join(json.dumps(
        {"content": f"{t}！", "label": "like" if y else "anger"}, ensure_ascii=False) + "\n"
        for y, t in rows), encoding="utf-8")
    return root


def _news(path: Path, days: int = 12) -> Path:
    lines = [f"{line.split('/', 1)[0]}{d}/m {line}" for d in range(days) for line in NEWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _eatd(root: Path, people: int = 4) -> Path:
    for i in range(people):
        d = root / f"t_{i}"
        d.mkdir(parents=True)
        (d / "positive.txt").write_text(f"嗯，{GOOD[i]}", encoding="utf-8")
        (d / "negative.txt").write_text(f"嗯，{BAD[i]}", encoding="utf-8")
        (d / "neutral.txt").write_text(f"我的专业是第{i}个专业，教室在三楼。", encoding="utf-8")
    return root


def test_news_split_is_disjoint_by_line_and_strips_tags(tmp_path: Path) -> None:
    split = news_split(_news(tmp_path / "199801.txt"), n_train=20, n_test=5, seed=1)
    assert split.info["cut_line"] == 36 and len(split.train) == 20 and len(split.test) == 5
    assert all(line < 36 for line in split.train_line.tolist())
    assert not {r.text for r in split.train} & {r.text for r in split.test}
    assert all("/" not in r.text and r.label == "neutral" for r in split.train + split.test)
    assert news_split(tmp_path / "199801.txt", 20, 5, seed=1).train == split.train


def test_cap_threshold_is_the_smallest_within_the_cap() -> None:
    scores = np.linspace(0.0, 1.0, 1001)
    t = cap_threshold(scores, 0.01)
    assert np.mean(scores >= t) <= 0.01
    assert np.mean(scores >= np.nextafter(t, -np.inf)) > 0.01
    assert cap_threshold(np.array([0.2, 0.4]), 0.0) > 0.4


def test_training_weights_balance_news_and_polar_corpora() -> None:
    neutral = np.array([False] * 6 + [True] * 3)
    corpus = np.array(["a"] * 4 + ["b"] * 2 + ["news"] * 3)
    w = training_weights(neutral, corpus)
    assert w[neutral].sum() == pytest.approx(w[~neutral].sum())
    assert w[corpus == "a"].sum() == pytest.approx(w[corpus == "b"].sum())


def test_weights_round_trip_and_errors(tmp_path: Path) -> None:
    nd = len(DENSE_NAMES)
    w = NeutralDetectorWeights(np.zeros(384), np.ones(nd), np.zeros(nd), np.ones(nd), -1.0, 0.7,
                               {"x": 1})
    w.save(tmp_path / "n.npz")
    back = NeutralDetectorWeights.load(tmp_path / "n.npz")
    assert back.threshold == 0.7 and back.meta == {"x": 1} and not back.uses_encoder
    p = back.probabilities(np.zeros((2, nd)), None)
    assert p == pytest.approx([1 / (1 + np.e)] * 2)
    with pytest.raises(NeutralDetectorError, match="no such"):
        NeutralDetectorWeights.load(tmp_path / "none.npz")
    with pytest.raises(NeutralDetectorError, match="named features"):
        back.probabilities(np.zeros((1, 3)), None)


def test_train_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "neutral.npz"
    report = train_and_evaluate(
        _polar(tmp_path / "data"), out, eatd_dir=_eatd(tmp_path / "eatd"),
        vector_cache=tmp_path / "v.sqlite3", n_news_train=24, n_news_test=8,
        news_path=_news(tmp_path / "199801.txt"), log=lambda m: None)
    assert set(report["feature_sets"]) == {"vector+named", "named"}
    res = report["feature_sets"]["vector+named"]
    assert set(res["leave_one_corpus_out"]) == set(CORPORA)
    for m in res["leave_one_corpus_out"].values():
        assert 0.0 <= m["detector_false_neutral"]["rate"] <= 1.0
    iv = res["interviews"]
    assert iv["volunteers"] == 4 and set(iv["neutral_rate_new"]) == {"neutral", "positive",
                                                                     "negative"}
    w = NeutralDetectorWeights.load(out)
    assert w.uses_encoder and 0.0 < w.threshold <= 1.0
    assert w.meta["choice"]["C"] in (0.001, 0.01, 0.1) and "metrics" in w.meta


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    out = tmp_path / "n.npz"
    res = CliRunner().invoke(app, ["kg", "neutral-train", "--data", str(tmp_path / "none"),
                                   "--out", str(out)])
    assert res.exit_code == 2 and "not a folder" in res.output and not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(app, ["kg", "neutral-train", "--data", str(empty),
                                   "--out", str(out)])
    assert res.exit_code == 2 and not out.exists()
