"""Sentence polarity: corpus readers, negation/degree scope, training, the shipped weights, CLI.

Fixtures are small files written here in the shared corpora's formats; nothing needs
/work/shared. The shipped-weights tests use the real packaged model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kg.embed import sentence_polarity as sp
from research.polarity.corpora import CorpusFormatError, read_interview_answers, read_labelled
from research.polarity.train import (
    BLEND_GRID,
    C_NGRAM_GRID,
    CORPORA,
    Features,
    balanced_accuracy,
    blend,
    bootstrap_ci,
    fit_embed,
    fit_meta,
    fit_ngram,
    ngram_logit,
    predict_product,
    stack,
    train_and_evaluate,
)

POS = ["这家店的菜很好吃，送得也快", "房间干净，服务非常好，下次还来", "质量很好，很满意，推荐购买",
       "今天和朋友出去玩，特别开心", "物流很快，包装完好，好评", "环境优美，早餐丰富，值得入住"]
NEG = ["我最近总是睡不着，觉得什么都没意思", "房间很脏，服务态度差，不会再来", "质量太差了，用了一天就坏",
       "心情很糟糕，什么都不想做", "等了两个小时还没送到，太失望了", "隔音很差，晚上吵得睡不着"]


def _write_corpora(root: Path, repeat: int = 4) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    pos, neg = POS * repeat, NEG * repeat
    hotel = ["label,review"] + [f"1,{t}{i}" for i, t in enumerate(pos)] + [
        f'0,"{t}{i}"' for i, t in enumerate(neg)]
    (root / CORPORA["reviews_hotel"]).write_text("\n".join(hotel) + "\n", encoding="utf-8")
    shop = ["cat,label,review"] + [f"书籍,1,{t}。{i}" for i, t in enumerate(pos)] + [
        f"水果,0,{t}。{i}" for i, t in enumerate(neg)]
    (root / CORPORA["reviews_shopping"]).write_text("\n".join(shop) + "\n", encoding="utf-8")
    lines = [json.dumps({"id": i, "content": f"{t}！{i}", "label": lab}, ensure_ascii=False)
             for i, (t, lab) in enumerate([(t, "happiness") for t in pos]
                                          + [(t, "sadness") for t in neg]
                                          + [("居然是这样", "surprise")])]
    (root / CORPORA["weibo"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _write_interviews(root: Path) -> Path:
    for i, (p, n) in enumerate(zip(POS, NEG, strict=True)):
        d = root / f"t_{i}"
        d.mkdir(parents=True)
        (d / "positive.txt").write_text(f"嗯，{p}", encoding="utf-8")
        (d / "negative.txt").write_text(f"嗯，{n}", encoding="utf-8")
        (d / "neutral.txt").write_text(f"嗯，我的专业是第{i}个专业，教室在三楼。", encoding="utf-8")
    return root


# ------------------------------------------------------------------ readers


def test_readers_all_formats(tmp_path: Path) -> None:
    root = _write_corpora(tmp_path / "c", repeat=1)
    hotel = read_labelled(root / CORPORA["reviews_hotel"])
    assert [r.label for r in hotel] == ["positive"] * 6 + ["negative"] * 6
    shop = read_labelled(root / CORPORA["reviews_shopping"])
    assert shop[0].group == "书籍" and shop[-1].group == "水果"
    weibo = read_labelled(root / CORPORA["weibo"])
    assert len(weibo) == 12  # surprise left out
    tsv = tmp_path / "x.tsv"
    tsv.write_text("label\ttext\npositive\t很好\n0\t很差\nneutral\t在三楼\n", encoding="utf-8")
    assert [(r.label, r.text) for r in read_labelled(tsv)] == [
        ("positive", "很好"), ("negative", "很差"), ("neutral", "在三楼")]
    eatd = read_labelled(_write_interviews(tmp_path / "eatd"))
    assert len(eatd) == 12 and len({r.group for r in eatd}) == 6


def test_reader_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,x\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="header"):
        read_labelled(bad)
    unknown = tmp_path / "u.tsv"
    unknown.write_text("maybe\t好\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="unknown label"):
        read_labelled(unknown)
    with pytest.raises(CorpusFormatError):
        read_labelled(tmp_path / "missing.csv")
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"content": "x", "label": "like"}\n{oops\n', encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="bad JSON"):
        read_labelled(broken)


# ------------------------------------------------------------------ scope and lexicon


def test_negation_and_degree_scope() -> None:
    toks = sp.scope(["不", "是", "很", "干净"])
    assert [(t.token, t.negated) for t in toks] == [("是", True), ("干净", True)]
    assert toks[1].degree == pytest.approx(1.5)
    double = sp.scope(["不", "是", "不", "好"])
    assert [(t.token, t.negated) for t in double] == [("是", True), ("好", False)]
    far = sp.scope(["没", "去", "那", "里", "开心"])  # beyond the 3-token window
    assert far[-1].negated is False


def test_lexicon_features_flip_under_negation() -> None:
    plain = sp.lexicon_features(sp.scope(["快乐"]), "快乐")
    negated = sp.lexicon_features(sp.scope(["不", "快乐"]), "不快乐")
    assert plain["lex_pos"] > 0 and plain["lex_neg"] == 0
    assert negated["lex_neg"] > 0 and negated["lex_pos"] == 0
    assert sp.lexicon_features([], "我最近总是睡不着")["symptoms"] >= 1
    assert sp.lexicon_features([], "教室在三楼")["has_polar"] == 0.0
    # A word that the lexicons list on both sides (开心 is in a negative list too) is no cue.
    assert sp.lexicon_features(sp.scope(["开心"]), "开心")["lex_pos"] == 0.0
    end = sp.scope(["服务", "好"])  # clause-final 好 is the polar word, not a degree adverb
    assert [t.token for t in end] == ["服务", "好"]


def test_internet_cues() -> None:
    assert sp.internet_cues("今天好开心[哈哈][爱你]") == (3, 0)
    assert sp.internet_cues("心塞[泪]😭") == (0, 3)
    assert sp.internet_cues("教室在三楼[围观]") == (0, 0)  # no cue, an ambiguous emoticon
    assert sp.internet_cues("不哈哈") == (0, 0)  # negated slang is not counted
    feats = sp.lexicon_features([], "出去玩了[嘻嘻]")
    assert feats["lex_pos"] > 0 and feats["has_polar"] == 1.0


def test_neutral_margins_respect_the_budget() -> None:
    from research.polarity.train import CUE_NEUTRAL_BUDGET, NEUTRAL_BUDGET, neutral_margins

    rng = np.random.default_rng(0)
    prob = rng.uniform(0, 1, 2000)
    cue = rng.uniform(0, 1, 2000) < 0.98
    corpus = np.array(["a", "b"] * 1000)
    margin, empty = neutral_margins(prob, cue, corpus)
    assert 0.0 <= margin <= empty
    band = np.where(cue, margin, empty)
    for c in ("a", "b"):
        assert np.mean((np.abs(prob - 0.5) < band)[corpus == c]) <= NEUTRAL_BUDGET + 1e-9
    assert np.mean((cue & (np.abs(prob - 0.5) < band))[corpus == "a"]) <= CUE_NEUTRAL_BUDGET + 1e-9
    assert empty > margin  # cue-less texts get the wider band


def test_decide_neutral_band() -> None:
    assert sp.decide(0.52, True, 0.04, 0.15) == "neutral"
    assert sp.decide(0.60, True, 0.04, 0.15) == "positive"
    assert sp.decide(0.60, False, 0.04, 0.15) == "neutral"  # nothing polar: wider band
    assert sp.decide(0.20, False, 0.04, 0.15) == "negative"


def test_metrics() -> None:
    gold = ["positive"] * 4 + ["negative"] * 4
    pred = ["positive"] * 3 + ["neutral"] + ["negative"] * 4
    assert balanced_accuracy(gold, pred) == pytest.approx((0.75 + 1.0) / 2)
    lo, hi = bootstrap_ci(gold, pred, n_boot=200)
    assert 0.5 <= lo <= 0.875 <= hi <= 1.0


# ------------------------------------------------------------------ training


def test_train_small_corpora_end_to_end(tmp_path: Path) -> None:
    root = _write_corpora(tmp_path / "c")
    out = tmp_path / "w.npz"
    cache = tmp_path / "vectors.sqlite3"
    report = train_and_evaluate(root, out, eatd_dir=_write_interviews(tmp_path / "eatd"),
                                vector_cache=cache, n_news=3, log=lambda m: None)
    assert set(report["leave_one_corpus_out"]) == set(CORPORA)
    for protocol in ("in_corpus_cv", "leave_one_corpus_out"):
        for models in report[protocol].values():
            for m in models.values():
                lo, hi = m["ci95"]
                assert 0.0 <= lo <= m["balanced_accuracy"] <= hi <= 1.0
    assert report["interview_answers"]["volunteers"] == 6
    neutral = report["neutral_texts"]["eatd_neutral_topic_answers"]
    assert neutral["n"] == 6 == neutral["neutral"] + neutral["positive"] + neutral["negative"]
    assert report["neutral_texts"]["news_sentences_peoples_daily_1998"]["n"] == 3
    weights = sp.SentencePolarityWeights.load(out)
    assert weights.meta["trained_on"]["weibo"] == 48
    model = sp.SentencePolarityModel(weights, sp.load_polarity_model())
    a, b = model.score_many([POS[0], NEG[1]])
    assert a.probability > 0.5 > b.probability
    # Same seed, same data: the same weights, whatever BLAS thread count the caller set
    # (training pins BLAS to one thread; OpenBLAS's sums depend on it).
    from threadpoolctl import threadpool_limits

    out2 = tmp_path / "w2.npz"
    with threadpool_limits(limits=2, user_api="blas"):
        train_and_evaluate(root, out2, vector_cache=cache, n_news=3, log=lambda m: None)
    w2 = sp.SentencePolarityWeights.load(out2)
    np.testing.assert_array_equal(weights.coef_sparse, w2.coef_sparse)
    np.testing.assert_array_equal(weights.coef_dense, w2.coef_dense)
    assert weights.coef_embed is not None and w2.coef_embed is not None
    np.testing.assert_array_equal(weights.coef_embed, w2.coef_embed)
    choice = weights.meta["choice"]
    assert choice["C_ngram"] in C_NGRAM_GRID and choice["blend"] in BLEND_GRID
    assert choice["design"] in ("blend", "stack")
    assert 0.0 <= choice["margin"] <= choice["empty_margin"] == weights.empty_margin
    assert set(report["choices"]) == {*(f"in_corpus_fold_{k}" for k in range(1, 6)),
                                      *(f"without_{n}" for n in CORPORA), "shipped"}
    assert {"product", "floor", "ngram_dense_only", "vector_only", "blend"} <= set(
        report["leave_one_corpus_out"]["weibo"])
    # The cache keeps every vector: a second run with it embeds nothing new.
    assert cache.is_file()
    import sqlite3

    with sqlite3.connect(cache) as db:
        n_cached = db.execute("SELECT count(*) FROM vec").fetchone()[0]
    news = 3
    assert n_cached == news + len({sp.encoder_text(t) for t in _all_texts(root, tmp_path / "eatd")})


def _all_texts(root: Path, eatd: Path) -> list[str]:
    rows = [r for name in CORPORA.values() for r in read_labelled(root / name)]
    answers = read_interview_answers(eatd, ("positive", "negative", "neutral"))
    return [r.text for r in rows] + [r.text for r in answers]


def test_runtime_scoring_matches_the_training_path(tmp_path: Path) -> None:
    """The product's scorer (sparse_score + encoder) gives the training path's probabilities,
    and the blend folded into one layer is the blend of the two blocks' logits."""
    texts = POS + NEG
    y = np.array([1] * len(POS) + [0] * len(NEG))
    pnm = sp.load_polarity_model()
    analyses = [sp.analyse(t, pnm) for t in texts]
    feats = Features.of(analyses, sp.sentence_vectors(texts))
    w = np.ones(len(y))
    ngram, embed = fit_ngram(feats, y, w, 2.0), fit_embed(feats.vectors, y, w, 1.0)
    z_ngram = ngram_logit(ngram, feats)
    z_embed = feats.vectors @ embed[0] + embed[1]
    weights = blend(ngram, embed, 0.3)
    prob_train, _ = predict_product(weights, feats)
    np.testing.assert_allclose(prob_train, 1 / (1 + np.exp(-(0.7 * z_ngram + 0.3 * z_embed))),
                               rtol=1e-9)
    weights.save(tmp_path / "w.npz")
    loaded = sp.SentencePolarityWeights.load(tmp_path / "w.npz")
    assert loaded.uses_encoder
    model = sp.SentencePolarityModel(loaded, pnm)
    # float16 n-gram weights on disk: equal to a few 1e-3
    np.testing.assert_allclose([s.probability for s in model.score_many(texts)], prob_train,
                               atol=5e-3)
    assert all(s.label == ("positive" if v else "negative")
               for s, v in zip(model.score_many(texts), y, strict=True))


def test_stacked_layer_folds_into_one_linear_layer(tmp_path: Path) -> None:
    """The stacked layer over the two blocks' logits and the standardised dense features,
    folded into the stored coefficients, gives the same logit (and survives saving)."""
    texts = POS + NEG
    y = np.array([1] * len(POS) + [0] * len(NEG))
    pnm = sp.load_polarity_model()
    feats = Features.of([sp.analyse(t, pnm) for t in texts], sp.sentence_vectors(texts))
    w = np.ones(len(y))
    ngram, embed = fit_ngram(feats, y, w, 2.0), fit_embed(feats.vectors, y, w, 1.0)
    dense_std = (feats.dense - ngram.dense_mean) / ngram.dense_scale
    x = np.column_stack([ngram_logit(ngram, feats), feats.vectors @ embed[0] + embed[1],
                         dense_std])
    coef, b = fit_meta(x, y, w, 1.0)
    assert coef.shape == (2 + len(sp.DENSE_NAMES),)
    weights = stack(ngram, embed, coef, b)
    prob, _ = predict_product(weights, feats)
    np.testing.assert_allclose(prob, 1 / (1 + np.exp(-(x @ coef + b))), rtol=1e-9)
    weights.save(tmp_path / "w.npz")
    model = sp.SentencePolarityModel(sp.SentencePolarityWeights.load(tmp_path / "w.npz"), pnm)
    np.testing.assert_allclose([s.probability for s in model.score_many(texts)], prob, atol=5e-3)


def test_stacked_degree_adverbs_are_bounded() -> None:
    """很好很好…: every 好 before another word reads as an adverb; the product stays bounded."""
    pnm = sp.load_polarity_model()
    a = sp.analyse("很好" * 200, pnm)
    lo, hi = sp.DEGREE_BOUNDS
    assert all(lo <= st.degree <= hi for st in a.scoped)
    assert np.all(np.isfinite(a.dense())) and a.lexicon["lex_pos"] < 100


def test_weights_without_vector_block_never_load_the_encoder(tmp_path: Path) -> None:
    pnm = sp.load_polarity_model()
    feats = Features.of([sp.analyse(t, pnm) for t in POS + NEG], np.zeros((12, 384)))
    y = np.array([1] * 6 + [0] * 6)
    ngram = fit_ngram(feats, y, np.ones(12), 2.0)
    no_vec = blend(ngram, (np.ones(384), 0.0), 0.0)
    assert not no_vec.uses_encoder
    no_vec.save(tmp_path / "w.npz")
    model = sp.SentencePolarityModel(sp.SentencePolarityWeights.load(tmp_path / "w.npz"), pnm)
    # vectors of NaN would poison the score if they were read
    probs = model.weights.probabilities([sp.analyse(POS[0], pnm)], np.full((1, 384), np.nan))
    assert 0.5 < probs[0] <= 1.0
    with np.load(tmp_path / "w.npz") as z:
        bad = {k: z[k] for k in z.files}
    bad["encoder"] = np.array("another-encoder")
    np.savez(tmp_path / "bad.npz", **bad)
    with pytest.raises(sp.SentencePolarityError, match="encoder"):
        sp.SentencePolarityWeights.load(tmp_path / "bad.npz")


def test_missing_weights_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(sp.SentencePolarityError, match="polarity-train"):
        sp.SentencePolarityWeights.load(tmp_path / "none.npz")


# ------------------------------------------------------------------ shipped model


@pytest.fixture(scope="module")
def shipped() -> sp.SentencePolarityModel:
    return sp.load_sentence_polarity()


def test_shipped_weights_small_and_no_pickle() -> None:
    assert sp.WEIGHTS_FILE.stat().st_size < 4 * 2**20
    with np.load(sp.WEIGHTS_FILE, allow_pickle=False) as z:
        assert "coef_sparse" in z


@pytest.mark.parametrize(("text", "label"), [
    ("我最近总是睡不着，觉得什么都没意思", "negative"),
    ("这家店的菜很好吃，送得也快", "positive"),
    ("今天和朋友一起出去玩，非常开心，感觉很幸福。", "positive"),
    ("我最近一直失眠，觉得很绝望，活着很痛苦。", "negative"),
    ("房间不是很干净，服务也不太好", "negative"),
    ("不开心", "negative"),
])
def test_shipped_sentences(shipped: sp.SentencePolarityModel, text: str, label: str) -> None:
    s = shipped.score(text)
    assert s.label == label, s
    assert (s.probability > 0.5) == (label == "positive")


def test_shipped_keeps_pnm_cosines(shipped: sp.SentencePolarityModel) -> None:
    s = shipped.score("今天和朋友一起出去玩，非常开心，感觉很幸福。")
    assert s.cos_p > s.cos_n
    assert 0.0 < s.coverage <= 1.0
    assert shipped.score("开心") == shipped.score("开心")  # deterministic
    with pytest.raises(ValueError):
        shipped.score("  ")


def test_speech_content_uses_sentence_model() -> None:
    from ingest.audio.content import polarity

    pol, why = polarity("我最近总是睡不着，觉得什么都没意思")
    assert why is None and pol is not None
    assert pol["label"] == "negative"
    assert 0.0 <= pol["probability_positive"] < 0.5
    assert {"cos_p", "cos_n", "cos_m", "coverage", "tokens"} <= set(pol)


# ------------------------------------------------------------------ CLI


def test_cli_polarity_file_json_and_eval(tmp_path: Path) -> None:
    from api.cli import app

    runner = CliRunner()
    texts = tmp_path / "t.txt"
    texts.write_text(f"{POS[0]}\n\n{NEG[0]}\n", encoding="utf-8")
    res = runner.invoke(app, ["kg", "polarity", "--file", str(texts), "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [r["label"] for r in rows] == ["positive", "negative"]
    assert {"label", "probability_positive", "cos_p", "cos_n", "cos_m"} <= set(rows[0])
    res = runner.invoke(app, ["kg", "polarity", POS[1]])
    assert res.exit_code == 0 and "positive" in res.stdout

    tsv = tmp_path / "s.tsv"
    tsv.write_text("".join(f"1\t{t}\n" for t in POS) + "".join(f"0\t{t}\n" for t in NEG),
                   encoding="utf-8")
    res = runner.invoke(app, ["eval", "sentiment", str(tsv), "--out", str(tmp_path / "ev")])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "ev" / "report.json").read_text(encoding="utf-8"))
    assert report["n"] == 12 and report["balanced_accuracy"] >= 0.75
    assert (tmp_path / "ev" / "confusion.png").read_bytes()[:4] == b"\x89PNG"

    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["eval", "sentiment", str(bad), "--out", str(tmp_path / "no")])
    assert res.exit_code == 2 and not (tmp_path / "no").exists()
    res = runner.invoke(app, ["kg", "polarity", "--file", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2


# ------------------------------------------------------------------ training cost, same bits


def test_vectorised_bootstrap_gives_the_loop_values() -> None:
    """bootstrap_ci's vectorised balanced accuracy equals the metric resample by resample
    (the generic path), per row and by group, with classes missing from some resamples."""
    rng = np.random.default_rng(3)
    labels = np.array(["positive", "negative", "neutral"])
    for trial in range(8):
        n = int(rng.integers(1, 120))
        gold = labels[rng.integers(0, 2 if trial % 3 else 1, n)].tolist()
        pred = labels[rng.integers(0, 3, n)].tolist()
        groups = None if trial % 2 else [f"g{int(v)}" for v in rng.integers(0, 1 + n // 4, n)]
        assert bootstrap_ci(gold, pred, groups, n_boot=150) == bootstrap_ci(
            gold, pred, groups, n_boot=150, metric=lambda g, p: balanced_accuracy(g, p))


def test_parallel_analysis_gives_the_serial_features(monkeypatch: pytest.MonkeyPatch) -> None:
    import research.polarity.train as train
    from research.polarity.corpora import LabelledText

    rows = [LabelledText(t + str(i), "positive") for i, t in enumerate((POS + NEG) * 2)]
    vectors = np.arange(len(rows) * 2, dtype=np.float64).reshape(len(rows), 2)
    monkeypatch.setattr(train, "ANALYSIS_CHUNK", 5)
    par = Features.of_rows(rows, vectors, workers=2, log=lambda m: None)
    pnm = sp.load_polarity_model()
    ser = Features.of([sp.analyse(r.text, pnm) for r in rows], vectors)
    assert (par.counts != ser.counts).nnz == 0 and par.counts.shape == ser.counts.shape
    np.testing.assert_array_equal(par.counts.indptr, ser.counts.indptr)
    np.testing.assert_array_equal(par.dense, ser.dense)
    np.testing.assert_array_equal(par.has_polar, ser.has_polar)
    np.testing.assert_array_equal(par.vectors, ser.vectors)


def test_shared_fit_pool_gives_the_private_fits() -> None:
    """fit_product on a shared pool with shared fits (by training rows) gives the bits of a
    private run, and a fit asked for twice on the same rows is computed once."""
    from research.polarity.train import FitPool, fit_product

    texts = [t + str(i) for i, t in enumerate((POS + NEG) * 3)]
    y = np.array(([1] * len(POS) + [0] * len(NEG)) * 3)
    corpus = np.array(["a", "b", "c"] * (len(texts) // 3))
    pnm = sp.load_polarity_model()
    rng = np.random.default_rng(0)
    feats = Features.of([sp.analyse(t, pnm) for t in texts], rng.normal(size=(len(texts), 8)))
    alone, choice, _ = fit_product(feats, y, corpus, by_corpus=True)
    pool = FitPool()
    calls: list[str] = []
    try:
        tr = np.flatnonzero(corpus != "c")
        first = pool.shared(("x", 1.0, tr.tobytes()), 0.0, lambda: calls.append("x") or 1)
        again = pool.shared(("x", 1.0, tr.tobytes()), 0.0, lambda: calls.append("x") or 2)
        assert first.result() == again.result() == 1 and calls == ["x"]
        rows = np.arange(len(texts))
        shared, choice2, _ = fit_product(feats, y, corpus, by_corpus=True, pool=pool, rows=rows)
        sub, _, _ = fit_product(feats.take(tr), y[tr], corpus[tr], by_corpus=True, pool=pool,
                                rows=tr)
    finally:
        pool.close()
    assert choice == choice2
    for a, b in ((alone.coef_sparse, shared.coef_sparse), (alone.coef_dense, shared.coef_dense),
                 (alone.coef_embed, shared.coef_embed)):
        np.testing.assert_array_equal(a, b)
    sub_alone, _, _ = fit_product(feats.take(tr), y[tr], corpus[tr], by_corpus=True)
    np.testing.assert_array_equal(sub.coef_sparse, sub_alone.coef_sparse)
    np.testing.assert_array_equal(sub.coef_embed, sub_alone.coef_embed)
