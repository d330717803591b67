"""Training and cross-validation of the sentence-polarity model (research code, imported lazily).

`train_and_evaluate(data_dir, out)` reproduces the shipped weights and their metrics:

1. the training corpora of `data_dir` (ChnSentiCorp hotel reviews, SophonPlus online-shopping
   reviews, CLUEmotion Weibo sentences; a seeded, class-balanced cap per corpus);
2. the floor: plain character 1-3-gram TF-IDF + logistic regression, same rows and weights;
3. the product model (kg.embed.sentence_polarity) on the same rows;
4. both under in-corpus 5-fold CV (pooled training, scored per corpus), leave-one-corpus-out
   (train on the others, test on the held-out corpus) and, when `eatd_dir` is given, the
   interview answers (trained on all corpora; evaluation only, bootstrap by volunteer);
5. the final model fit on all corpora, written as .npz with the metrics in its metadata.

Balanced accuracy is over the two gold classes; a `neutral` prediction on a polar text counts
as a miss. Intervals: percentile bootstrap (1000 resamples; by volunteer for interviews).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.embed.sentence_polarity import (
    DENSE_NAMES,
    HASH_BITS,
    SentencePolarityWeights,
    TextAnalysis,
    analyse,
    decide,
    hashed_counts,
    tfidf,
)
from research.polarity.corpora import LabelledText, read_interview_answers, read_labelled

SEED = 20261207
CORPORA = {  # name -> file in the data folder
    "reviews_hotel": "ChnSentiCorp_htl_all.csv",
    "reviews_shopping": "online_shopping_10_cats.csv",
    "weibo": "clue_emotion_valid.jsonl",
}
CAP_PER_CLASS = 4000  # per corpus and class: keeps training under 10 min on 2 cores
C = 2.0  # inverse L2 strength, fixed a priori (not tuned on any test fold)
DENSE_SCALE = 1.0
MARGIN = 0.0
EMPTY_MARGIN = 0.06
N_BOOT = 1000


@dataclass
class Dataset:
    rows: list[LabelledText]
    corpus: np.ndarray  # corpus name per row
    y: np.ndarray  # 1 positive, 0 negative
    groups: np.ndarray


def load_corpora(data_dir: Path, cap: int | None = None, seed: int = SEED) -> Dataset:
    cap = CAP_PER_CLASS if cap is None else cap
    rows: list[LabelledText] = []
    corpus: list[str] = []
    for name, fname in CORPORA.items():
        path = Path(data_dir) / fname
        polar = [r for r in read_labelled(path) if r.label in ("positive", "negative")]
        for label in ("positive", "negative"):
            part = [r for r in polar if r.label == label]
            random.Random(f"{seed}:{name}:{label}").shuffle(part)
            rows += part[:cap]
            corpus += [name] * len(part[:cap])
    y = np.array([1 if r.label == "positive" else 0 for r in rows])
    return Dataset(rows, np.array(corpus), y, np.array([r.group for r in rows]))


def corpus_weights(corpus: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each corpus weighs the same in total, and each class the same within a corpus."""
    w = np.zeros(len(y))
    names = sorted(set(corpus.tolist()))
    for name in names:
        for cls in (0, 1):
            idx = (corpus == name) & (y == cls)
            if idx.any():
                w[idx] = len(y) / (len(names) * 2 * idx.sum())
    return w


# ------------------------------------------------------------------- metrics


def balanced_accuracy(gold: Sequence[str], pred: Sequence[str],
                      classes: Sequence[str] = ("positive", "negative")) -> float:
    """Mean recall over the gold classes present; any other prediction counts as a miss."""
    g, p = np.asarray(gold), np.asarray(pred)
    recalls = [float(np.mean(p[g == c] == c)) for c in classes if (g == c).any()]
    return float(np.mean(recalls)) if recalls else float("nan")


def bootstrap_ci(gold: Sequence[str], pred: Sequence[str], groups: Sequence[str] | None = None,
                 n_boot: int = N_BOOT, seed: int = SEED,
                 metric: Callable[[Sequence[str], Sequence[str]], float] = balanced_accuracy,
                 ) -> tuple[float, float]:
    """Percentile 95 % interval; resampling whole groups when `groups` is given."""
    g, p = np.asarray(gold), np.asarray(pred)
    rng = np.random.default_rng(seed)
    if groups is None:
        units = [np.array([i]) for i in range(len(g))]
    else:
        grp = np.asarray(groups)
        units = [np.flatnonzero(grp == u) for u in sorted(set(grp.tolist()))]
    if len(units) == len(g):
        draws = [rng.integers(0, len(g), len(g)) for _ in range(n_boot)]
    else:
        draws = [np.concatenate([units[j] for j in rng.integers(0, len(units), len(units))])
                 for _ in range(n_boot)]
    vals = np.array([metric(g[d].tolist(), p[d].tolist()) for d in draws])
    vals = vals[~np.isnan(vals)]
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def summarise(gold: Sequence[str] | np.ndarray, pred: Sequence[str] | np.ndarray,
              groups: Sequence[str] | None = None) -> dict[str, Any]:
    lo, hi = bootstrap_ci(list(gold), list(pred), groups)
    labels = ("positive", "negative", "neutral")
    g, p = np.asarray(gold), np.asarray(pred)
    confusion = {a: {b: int(((g == a) & (p == b)).sum()) for b in labels} for a in labels
                 if (g == a).any()}
    polar = np.isin(g, ("positive", "negative"))
    return {"n": len(g), "balanced_accuracy": round(balanced_accuracy(list(gold), list(pred)), 4),
            "ci95": [round(lo, 4), round(hi, 4)],
            "neutral_rate": round(float(np.mean(p[polar] == "neutral")) if polar.any() else 0.0, 4),
            "confusion": confusion}


# ------------------------------------------------------------------- models


def analyse_all(rows: Sequence[LabelledText], log: Callable[[str], None] = print
                ) -> list[TextAnalysis]:
    from kg.embed.polarity import load_polarity_model

    pnm = load_polarity_model()
    t0 = time.time()
    out = []
    for i, r in enumerate(rows):
        out.append(analyse(r.text, pnm))
        if (i + 1) % 5000 == 0:
            log(f"analysed {i + 1}/{len(rows)} texts ({time.time() - t0:.0f} s)")
    return out


@dataclass
class Features:
    counts: Any  # CSR hashed term counts
    dense: np.ndarray
    has_polar: np.ndarray

    @classmethod
    def of(cls, analyses: Sequence[TextAnalysis]) -> Features:
        return cls(hashed_counts([a.hash_terms() for a in analyses]),
                   np.stack([a.dense() for a in analyses]),
                   np.array([bool(a.lexicon["has_polar"]) for a in analyses]))

    def take(self, idx: np.ndarray) -> Features:
        return Features(self.counts[idx], self.dense[idx], self.has_polar[idx])


def _idf(counts: Any) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    return np.asarray(np.log((1.0 + n) / (1.0 + df)) + 1.0)


def fit_product(f: Features, y: np.ndarray, w: np.ndarray, meta: dict[str, Any] | None = None
                ) -> SentencePolarityWeights:
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    idf = _idf(f.counts)
    mean = f.dense.mean(axis=0)
    scale = f.dense.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = sp.hstack([tfidf(f.counts, idf), sp.csr_matrix((f.dense - mean) / scale * DENSE_SCALE)]
                  ).tocsr()
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=SEED)
    lr.fit(x, y, sample_weight=w)
    coef = lr.coef_.ravel()
    n_hash = 2**HASH_BITS
    return SentencePolarityWeights(
        idf=idf, coef_sparse=coef[:n_hash], coef_dense=coef[n_hash:] * DENSE_SCALE,
        dense_mean=mean, dense_scale=scale, intercept=float(lr.intercept_[0]), margin=MARGIN,
        empty_margin=EMPTY_MARGIN, meta=meta or {})


def predict_product(weights: SentencePolarityWeights, f: Features) -> tuple[np.ndarray, list[str]]:
    x = tfidf(f.counts, weights.idf)
    z = (x @ weights.coef_sparse + ((f.dense - weights.dense_mean) / weights.dense_scale)
         @ weights.coef_dense + weights.intercept)
    prob = 1.0 / (1.0 + np.exp(-np.asarray(z).ravel()))
    labels = [decide(float(p), bool(h), weights.margin, weights.empty_margin)
              for p, h in zip(prob, f.has_polar, strict=True)]
    return prob, labels


def floor_fit_predict(train_texts: Sequence[str], y: np.ndarray, w: np.ndarray,
                      test_texts: Sequence[str]) -> list[str]:
    """The floor: char 1-3-gram TF-IDF + logistic regression, binary output (no neutral)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    x = vec.fit_transform([t[:1000] for t in train_texts])
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=SEED)
    lr.fit(x, y, sample_weight=w)
    pred = lr.predict(vec.transform([t[:1000] for t in test_texts]))
    return ["positive" if v == 1 else "negative" for v in pred]


def snownlp_predict(texts: Sequence[str]) -> list[str]:
    from snownlp import SnowNLP

    return ["positive" if SnowNLP(t[:1000]).sentiments > 0.5 else "negative" for t in texts]


# ------------------------------------------------------------------- protocol


def _gold(y: np.ndarray) -> list[str]:
    return ["positive" if v == 1 else "negative" for v in y]


def train_and_evaluate(data_dir: Path, out: Path, *, eatd_dir: Path | None = None,
                       snownlp: bool = False, snownlp_cap: int = 1000,
                       log: Callable[[str], None] = print) -> dict[str, Any]:
    t0 = time.time()
    data = load_corpora(data_dir)
    log(f"{len(data.rows)} texts: " + ", ".join(
        f"{n} {int((data.corpus == n).sum())}" for n in CORPORA))
    analyses = analyse_all(data.rows, log)
    feats = Features.of(analyses)
    texts = [r.text for r in data.rows]
    names = list(CORPORA)
    report: dict[str, Any] = {"seed": SEED, "cap_per_class": CAP_PER_CLASS, "C": C,
                              "margin": MARGIN, "empty_margin": EMPTY_MARGIN,
                              "in_corpus_cv": {}, "leave_one_corpus_out": {}}

    # in-corpus 5-fold CV (pooled training folds, stratified by corpus x label)
    from sklearn.model_selection import StratifiedKFold

    strata = np.array([f"{c}:{v}" for c, v in zip(data.corpus, data.y, strict=True)])
    pred_p = np.empty(len(texts), dtype=object)
    pred_f = np.empty(len(texts), dtype=object)
    for k, (tr, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=SEED)
                                 .split(texts, strata)):
        w = corpus_weights(data.corpus[tr], data.y[tr])
        pred_p[te] = predict_product(fit_product(feats.take(tr), data.y[tr], w), feats.take(te))[1]
        pred_f[te] = floor_fit_predict([texts[i] for i in tr], data.y[tr], w,
                                       [texts[i] for i in te])
        log(f"in-corpus fold {k + 1}/5 done ({time.time() - t0:.0f} s)")
    gold = np.array(_gold(data.y))
    for name in names:
        m = data.corpus == name
        report["in_corpus_cv"][name] = {"product": summarise(gold[m], pred_p[m]),
                                        "floor": summarise(gold[m], pred_f[m])}

    # leave one corpus out
    for name in names:
        te = np.flatnonzero(data.corpus == name)
        tr = np.flatnonzero(data.corpus != name)
        w = corpus_weights(data.corpus[tr], data.y[tr])
        p = predict_product(fit_product(feats.take(tr), data.y[tr], w), feats.take(te))[1]
        f = floor_fit_predict([texts[i] for i in tr], data.y[tr], w, [texts[i] for i in te])
        report["leave_one_corpus_out"][name] = {"product": summarise(gold[te], p),
                                                "floor": summarise(gold[te], f)}
        log(f"leave-one-corpus-out {name} done ({time.time() - t0:.0f} s)")

    # final model on everything
    w_all = corpus_weights(data.corpus, data.y)
    meta = {"trained_on": {n: int((data.corpus == n).sum()) for n in names}, "seed": SEED,
            "C": C, "dense_names": list(DENSE_NAMES), "hash_bits": HASH_BITS}
    weights = fit_product(feats, data.y, w_all, meta)

    if eatd_dir is not None:
        answers = read_interview_answers(eatd_dir)
        a_feats = Features.of(analyse_all(answers, log))
        a_gold = [r.label for r in answers]
        a_groups = [r.group for r in answers]
        p = predict_product(weights, a_feats)[1]
        f = floor_fit_predict(texts, data.y, w_all, [r.text for r in answers])
        report["interview_answers"] = {"product": summarise(a_gold, p, a_groups),
                                       "floor": summarise(a_gold, f, a_groups),
                                       "volunteers": len(set(a_groups))}
        if snownlp:
            report["interview_answers"]["snownlp"] = summarise(
                a_gold, snownlp_predict([r.text for r in answers]), a_groups)

    if snownlp:  # on a seeded, class-balanced sample of each corpus (snownlp is slow)
        report["snownlp"] = {}
        for name in names:
            idx = []
            for cls in (0, 1):
                ids = np.flatnonzero((data.corpus == name) & (data.y == cls)).tolist()
                random.Random(f"{SEED}:snow:{name}:{cls}").shuffle(ids)
                idx += ids[: snownlp_cap // 2]
            report["snownlp"][name] = summarise(gold[idx], snownlp_predict(
                [texts[i] for i in idx]))
            log(f"snownlp {name} done ({time.time() - t0:.0f} s)")

    report["seconds"] = round(time.time() - t0, 1)
    weights.meta["metrics"] = {k: v for k, v in report.items() if k != "seconds"}
    weights.save(Path(out))
    log(f"wrote {out} ({Path(out).stat().st_size / 2**20:.2f} MiB) in {report['seconds']} s")
    return report
