"""Training and subject-level evaluation of the depression estimate (research code).

Protocol (fixed before looking at test folds):
- outer: stratified K-fold over volunteers, repeated over seeds; every number is out-of-fold;
- inside each outer training set: a stratified inner K-fold chooses each component's
  regularisation strength C from a fixed grid (inner out-of-fold log-loss; L2 for the
  character n-grams and for the 48 speech+lexicon+contrast features), gives out-of-fold scores on
  which the stacked Platt layer is fitted, and the decision threshold on those calibrated
  inner out-of-fold probabilities (the model: prevalence-matched, as many predicted positives
  as training positives; the fallback and the floor: max F1);
- the floor (character n-grams alone) gets the same nested C choice and Platt calibration;
- "model_no_prompts" is the shipped fallback: the same recipe on the 24 features without the
  negative-topic contrasts, L1 (the /1 model), scored on test volunteers whose contrasts are
  hidden, as a counseling session without prompt labels is scored.
Nothing is tuned on an outer test fold. scikit-learn is used here only; scoring is numpy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.depression.features import FEATURES, PROMPT_FEATURES, TEXT_CONTRAST_FEATURES
from models.depression.model import DenseLR, DepressionModel, SpeechHead, TextLR
from models.depression.text import CharNgrams

C_GRID: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # text (L2)
C_GRID_DENSE: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0)  # speech+lexicon+contrasts (L2)
INNER_FOLDS = 5
NGRAM_MAX = 2
MIN_DF = 2


@dataclass
class Data:
    names: list[str]
    texts: list[str]
    dense: np.ndarray  # (n, FEATURES), NaN where missing
    y: np.ndarray  # 1 = SDS index >= 53
    sds: np.ndarray

    def without_prompts(self) -> Data:
        """The same volunteers with the negative-topic contrasts unknown (NaN)."""
        dense = self.dense.copy()
        dense[:, CONTRAST_COLUMNS] = np.nan
        return Data(self.names, self.texts, dense, self.y, self.sds)


CONTRAST_COLUMNS = np.array([FEATURES.index(f) for f in PROMPT_FEATURES], dtype=int)
ALL_COLUMNS = np.arange(len(FEATURES))
NO_PROMPT_COLUMNS = np.array([i for i in ALL_COLUMNS if i not in CONTRAST_COLUMNS], dtype=int)
# the /2 model's 42 columns (no text contrasts), for the studies that compare against /2
V2_COLUMNS = np.array([i for i, f in enumerate(FEATURES) if f not in TEXT_CONTRAST_FEATURES],
                      dtype=int)


DENSE_PENALTY = "l2"  # 48 correlated features, ~66 training volunteers
FALLBACK_PENALTY = "l1"  # the 24 features without contrasts: the /1 recipe


def _lr(x: np.ndarray, y: np.ndarray, c: float, penalty: str = "l2") -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if penalty == "l1":
        # l1_ratio=1 is the L1 penalty (scikit-learn >= 1.8 deprecates `penalty=`)
        m = LogisticRegression(C=c, l1_ratio=1.0, class_weight="balanced", max_iter=5000,
                               solver="liblinear", random_state=0)  # liblinear shuffles
    else:
        m = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="lbfgs")
    m.fit(x, y)
    return m.coef_[0].astype(np.float64), float(m.intercept_[0])


def fit_text(texts: Sequence[str], y: np.ndarray, c: float) -> TextLR:
    ng = CharNgrams.fit(texts, NGRAM_MAX, MIN_DF)
    coef, b = _lr(ng.transform(texts), y, c)
    return TextLR(ng, coef, b)


def fit_dense(x: np.ndarray, y: np.ndarray, c: float, penalty: str = DENSE_PENALTY) -> DenseLR:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # an all-NaN column -> 0
        med = np.nanmedian(x, axis=0)
    med = np.where(np.isnan(med), 0.0, med)
    filled = np.where(np.isnan(x), med, x)
    mean, sd = filled.mean(axis=0), filled.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    coef, b = _lr((filled - mean) / sd, y, c, penalty)
    return DenseLR(med, mean, sd, coef, b)


def _folds(y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    k = max(2, min(k, int(min(np.bincount(y, minlength=2)))))
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(y)), y))


def _logloss(y: np.ndarray, s: np.ndarray) -> float:
    """Log-loss after a 1-D Platt fit: judges the ranking and spread of scores, not their scale."""
    a, b = _platt(s[:, None], y)
    p = np.clip(1 / (1 + np.exp(-(s * a[0] + b))), 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _platt(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=1.0, max_iter=2000, solver="lbfgs")
    m.fit(s, y)
    return m.coef_[0].astype(np.float64), float(m.intercept_[0])


Scorer = Callable[[Data, np.ndarray], np.ndarray]  # scores of rows j of a Data
Component = Callable[[np.ndarray, np.ndarray, float], Scorer]


def _text_component(data: Data) -> Component:
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> Scorer:
        m = fit_text([data.texts[i] for i in idx], y, c)
        return lambda d, j: m.score([d.texts[i] for i in j])
    return fit


def _penalty(columns: np.ndarray) -> str:
    return FALLBACK_PENALTY if np.array_equal(columns, NO_PROMPT_COLUMNS) else DENSE_PENALTY


def _dense_component(data: Data, columns: np.ndarray) -> Component:
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> Scorer:
        m = fit_dense(data.dense[np.ix_(idx, columns)], y, c, _penalty(columns))
        return lambda d, j: m.score(d.dense[np.ix_(j, columns)])
    return fit


def _inner(data: Data, component: Component, idx: np.ndarray, y: np.ndarray, seed: int,
           grid: Sequence[float]) -> tuple[float, np.ndarray]:
    """Choose C by inner out-of-fold log-loss; return it and its out-of-fold scores."""
    folds = _folds(y, INNER_FOLDS, seed)
    best: tuple[float, float, np.ndarray] | None = None
    for c in grid:
        oof = np.zeros(len(idx))
        for tr, te in folds:
            oof[te] = component(idx[tr], y[tr], c)(data, idx[te])
        loss = _logloss(y, oof) if SELECT_BY == "logloss" else -_auc(y, oof)
        if best is None or loss < best[0] - 1e-9:
            best = (loss, c, oof)
    assert best is not None
    return best[1], best[2]


SELECT_BY = "logloss"


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / max(diff.size, 1))


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut maximising F1 (midpoint between neighbouring scores)."""
    order = np.unique(p)
    cuts = np.concatenate([[0.0], (order[:-1] + order[1:]) / 2]) if order.size > 1 else order
    best, best_f1 = 0.5, -1.0
    for t in cuts:
        f1 = f1_score(y, p > t)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def prevalence_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The cut giving as many predicted positives as there are positives (decision p > cut):
    the shipped head's rule (research/depression/f1_study.py compared it with max F1)."""
    k = int(y.sum())
    order = np.sort(p)[::-1]
    if k <= 0:
        return float(order[0])
    if k >= order.size:
        return 0.0
    return float((order[k - 1] + order[k]) / 2)


def threshold_for(variant: str, y: np.ndarray, p: np.ndarray) -> float:
    """The model with prompt contrasts: prevalence-matched; the floor, the speech component
    and the fallback head keep max F1 (as in /1 and /2)."""
    return prevalence_threshold(y, p) if variant == "model" else best_f1_threshold(y, p)


def f1_score(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum((pred == 1) & (y == 1)))
    fp = float(np.sum((pred == 1) & (y == 0)))
    fn = float(np.sum((pred == 0) & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0


@dataclass
class Fitted:
    """A fitted variant: (data, test indices) -> calibrated probabilities; its threshold."""

    predict: Scorer
    threshold: float
    info: dict[str, Any]


def fit_variant(data: Data, idx: np.ndarray, variant: str, seed: int) -> Fitted:
    y = data.y[idx]
    comps: list[tuple[Component, Sequence[float]]] = []
    if variant in ("floor", "model", "model_no_prompts"):
        comps.append((_text_component(data), C_GRID))
    if variant in ("speech", "model"):
        comps.append((_dense_component(data, ALL_COLUMNS), C_GRID_DENSE))
    if variant == "model_no_prompts":
        comps.append((_dense_component(data, NO_PROMPT_COLUMNS), C_GRID_DENSE))
    cs, oofs = [], []
    for comp, grid in comps:
        c, oof = _inner(data, comp, idx, y, seed, grid)
        cs.append(c)
        oofs.append(oof)
    s = np.column_stack(oofs)
    a, b = _platt(s, y)
    p_oof = 1 / (1 + np.exp(-(s @ a + b)))
    threshold = threshold_for(variant, y, p_oof)
    finals = [comp(idx, y, c) for (comp, _g), c in zip(comps, cs, strict=True)]

    def predict(d: Data, j: np.ndarray) -> np.ndarray:
        z = np.column_stack([f(d, j) for f in finals]) @ a + b
        return 1 / (1 + np.exp(-z))

    return Fitted(predict, threshold, {"C": cs, "stack_coef": a.tolist(), "stack_intercept": b})


VARIANTS = ("floor", "speech", "model", "model_no_prompts")


def cross_validate(data: Data, seeds: Sequence[int], folds: int,
                   progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Out-of-fold probabilities and decisions per variant, seed and volunteer."""
    n = len(data.y)
    out: dict[str, dict[str, Any]] = {
        v: {"prob": np.zeros((len(seeds), n)), "pred": np.zeros((len(seeds), n), dtype=int),
            "thresholds": [], "C": []} for v in VARIANTS}
    hidden = data.without_prompts()
    for r, seed in enumerate(seeds):
        for k, (tr, te) in enumerate(_folds(data.y, folds, seed)):
            if progress:
                progress(f"seed {seed} fold {k + 1}/{folds}")
            for v in VARIANTS:
                fitted = fit_variant(data, tr, v, seed + 1000 * (k + 1))
                p = fitted.predict(hidden if v == "model_no_prompts" else data, te)
                out[v]["prob"][r, te] = p
                out[v]["pred"][r, te] = (p > fitted.threshold).astype(int)
                out[v]["thresholds"].append(fitted.threshold)
                out[v]["C"].append(fitted.info["C"])
    return out


def train_final(data: Data, seed: int, meta: dict[str, Any]) -> DepressionModel:
    """The shipped model: the same nested recipe on all volunteers."""
    idx = np.arange(len(data.y))
    y = data.y
    c_text, oof_t = _inner(data, _text_component(data), idx, y, seed, C_GRID)
    heads, cs = [], []
    for variant, columns in (("model", ALL_COLUMNS), ("model_no_prompts", NO_PROMPT_COLUMNS)):
        c_dense, oof_d = _inner(data, _dense_component(data, columns), idx, y, seed,
                                C_GRID_DENSE)
        s = np.column_stack([oof_t, oof_d])
        a, b = _platt(s, y)
        threshold = threshold_for(variant, y, 1 / (1 + np.exp(-(s @ a + b))))
        dense = fit_dense(data.dense[:, columns], y, c_dense, _penalty(columns))
        heads.append(SpeechHead(dense, columns, a, b, threshold))
        cs.append(c_dense)
    text = fit_text(data.texts, y, c_text)
    meta = {**meta, "C_text": c_text, "C_dense": cs[0], "C_dense_no_prompts": cs[1]}
    return DepressionModel(text, heads[0], heads[1], meta)


def data_from_subjects(subjects: Sequence[Any]) -> Data:
    """Data from research.depression.eatd.Subject records."""
    from models.depression.features import feature_vector

    return Data(
        names=[s.name for s in subjects],
        texts=[s.person.transcript for s in subjects],
        dense=np.array([feature_vector(s.person) for s in subjects]),
        y=np.array([int(s.depressed) for s in subjects]),
        sds=np.array([s.sds_index for s in subjects], dtype=np.float64),
    )
