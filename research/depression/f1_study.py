"""F1-oriented variants of the depression estimate, compared under the nested protocol of
research/depression/train.py (issue 15 point 1; research code, not shipped).

    python -m research.depression.f1_study --root eatd_train --cache FEATDIR \
        --pauses PAUSES.json --out f1_study.json [--only A,B --first-seed 5]

Directions (named in the brief before any run):
- minority augmentation as in the EATD paper (Shen et al. 2022), for volunteer-level
  features: synthetic depressed volunteers whose positive, neutral and negative answers come
  from different depressed volunteers of the same training set (inner and outer), until the
  classes are balanced; features are computed from the mixed answers by the same code as for
  a real person (models/depression/features.py); test volunteers are never mixed;
- per-prompt content: each answer's length and lexicon rates on the negative topic minus the
  other answers, and the negative/positive length ratio;
- voice quality and spectral tilt (jitter, shimmer, HNR, MFCC c1/c2 means, c0 spread) with
  their negative-topic contrasts; pause structure from the project's VAD (research/depression/
  pauses.py) with its negative-topic contrasts;
- small ensembles: one L2 LR per feature block (prosody, voice quality, rate and pauses,
  lexicon, contrasts, text), each calibrated on its inner out-of-fold scores, probabilities
  averaged, instead of one stacked model;
- threshold rules on the inner out-of-fold probabilities: max F1 (the /2 rule), Youden's J,
  prevalence-matched (as many predicted positives as the training prevalence), 0.5.
"model" is `/2` (text + the 42 speech/lexicon/contrast columns, max-F1 threshold); the text
contrasts block became part of `/3`. Every variant sees the same outer and inner folds; C always by inner log-loss; nothing is
tuned on an outer test fold, but picking the best row of many is (the report counts them).
"""

from __future__ import annotations

import json
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contracts.feature_text import FeatureText
from models.depression.features import (
    AUDIO_FEATURES,
    CONTRAST_FEATURES,
    FEATURES,
    TEXT_FEATURES,
    feature_vector,
    person_input,
    recording_values,
    text_values,
    transcript_of,
)
from research.depression import train as T
from research.depression.pauses import PAUSE_STATS, pause_stats

PROMPTS: tuple[str, ...] = ("positive", "neutral", "negative")
NEG = PROMPTS.index("negative")
_COLS = {n: i for i, n in enumerate(FEATURES)}
PROSODY = ("log_f0_mean", "f0_sd_semitones", "f0_range_semitones", "energy_dynamic_db", "zcr",
           "energy_entropy", "spectral_centroid_khz", "spectral_entropy")
VOICE = ("jitter_pct", "shimmer_pct", "hnr_db")
RATE = ("syllables_per_second", "articulation_rate_sps", "nuclei_per_second", "pause_ratio",
        "pauses_per_min", "mean_pause_s", "log_span_s")
TILT = ("mfcc_c1_mean", "mfcc_c2_mean", "mfcc_c0_sd")
TEXT_COUNTS = ("negative_word_rate", "positive_word_rate", "negation_rate",
               "first_person_rate")
RULES: tuple[str, ...] = ("f1", "youden", "prev", "half")


@dataclass
class Answers:
    """Per volunteer and prompt: the speech path's feature texts (None when absent)."""

    fts: list[list[list[FeatureText] | None]]
    pauses: dict[str, dict[str, Any]]  # "name/prompt" -> spans, start, end
    names: list[str]


def load_answers(root: Path, names: Sequence[str], cache_dir: Path | None,
                 pauses: Path | None) -> Answers:
    from research.depression.eatd import recording_feature_texts

    fts = [[recording_feature_texts(root / n, p, cache_dir)[0] for p in PROMPTS] for n in names]
    spans = json.loads(pauses.read_text()) if pauses is not None else {}
    return Answers(fts, spans, list(names))


def _tilt(fts: Sequence[FeatureText]) -> list[float]:
    rate = next((f.values for f in fts if f.kind == "speech_rate"), None)
    if rate is None or not rate.get("mfcc_mean"):
        return [np.nan] * len(TILT)
    m, s = rate["mfcc_mean"], rate["mfcc_std"]
    return [float(m[1]), float(m[2]), float(s[0])]


def _per_answer(a: Answers) -> dict[str, np.ndarray]:
    """(n, 3, k) arrays per prompt: audio features, tilt, pause stats, text values."""
    n = len(a.names)
    audio = np.full((n, 3, len(AUDIO_FEATURES)), np.nan)
    tilt = np.full((n, 3, len(TILT)), np.nan)
    pause = np.full((n, 3, len(PAUSE_STATS)), np.nan)
    text = np.full((n, 3, len(TEXT_FEATURES)), np.nan)
    for i, row in enumerate(a.fts):
        for j, fts in enumerate(row):
            if fts is None:
                continue
            if (rv := recording_values(fts)) is not None:
                audio[i, j] = [np.nan if rv[f] is None else rv[f] for f in AUDIO_FEATURES]
                tilt[i, j] = _tilt(fts)
            if (ps := a.pauses.get(f"{a.names[i]}/{PROMPTS[j]}")) is not None:
                st = pause_stats(ps["spans"], ps["start"], ps["end"])
                pause[i, j] = [st[k] for k in PAUSE_STATS]
            if t := transcript_of(fts):
                tv = text_values(t, 0)
                text[i, j] = [tv[k] for k in TEXT_FEATURES]
    return {"audio": audio, "tilt": tilt, "pause": pause, "text": text}


def _mean_and_contrast(x: np.ndarray) -> np.ndarray:
    """(n, 3, k) -> (n, 2k): mean over answers and negative minus the other answers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN rows stay NaN
        mean = np.nanmean(x, axis=1)
        other = np.nanmean(x[:, [j for j in range(3) if j != NEG]], axis=1)
    return np.concatenate([mean, x[:, NEG] - other], axis=1)


def feature_blocks(data: T.Data, a: Answers) -> dict[str, np.ndarray]:
    pa = _per_answer(a)
    text = pa["text"]
    lc = text[:, :, TEXT_FEATURES.index("log_chars")]
    counts = text[:, :, [TEXT_FEATURES.index(k) for k in TEXT_COUNTS]]
    tc = _mean_and_contrast(np.concatenate([lc[:, :, None], counts], axis=2))
    k = 1 + len(TEXT_COUNTS)
    ratio = (lc[:, NEG] - lc[:, PROMPTS.index("positive")])[:, None]
    cols = lambda names: data.dense[:, [_COLS[n] for n in names]]  # noqa: E731
    return {
        "tcontrast": np.concatenate([tc[:, k:], ratio], axis=1),
        "tilt": _mean_and_contrast(pa["tilt"]),
        "pause": _mean_and_contrast(pa["pause"]),
        "b_prosody": cols(PROSODY),
        "b_voice": np.concatenate([cols(VOICE), _mean_and_contrast(pa["tilt"])[:, :3]], axis=1),
        "b_rate": np.concatenate([cols(RATE), _mean_and_contrast(pa["pause"])[:, :5]], axis=1),
        "b_lexicon": cols(TEXT_FEATURES),
        "b_contrasts": data.dense[:, [_COLS[n] for n in CONTRAST_FEATURES]],
    }


# -- minority augmentation ---------------------------------------------------------------------
class Mixer:
    """Synthetic depressed volunteers from the answers of depressed training volunteers."""

    def __init__(self, data: T.Data, a: Answers) -> None:
        self.data, self.a = data, a
        self._memo: dict[tuple[int, ...], tuple[np.ndarray, str]] = {}

    def triples(self, idx: np.ndarray, y: np.ndarray) -> list[tuple[int, ...]]:
        pos = idx[y == 1]
        n_new = int((y == 0).sum() - (y == 1).sum())
        if n_new <= 0 or pos.size < 2:
            return []
        rng = np.random.default_rng(zlib.crc32(np.sort(idx).astype(np.int64).tobytes()))
        have = [[int(i) for i in pos if self.a.fts[i][j] is not None] for j in range(3)]
        out: list[tuple[int, ...]] = []
        while len(out) < n_new:
            t = tuple(int(rng.choice(h)) for h in have)
            if len(set(t)) > 1:  # at least two volunteers mixed
                out.append(t)
        return out

    def person(self, t: tuple[int, ...]) -> tuple[np.ndarray, str]:
        if t not in self._memo:
            recs = [self.a.fts[i][j] for j, i in enumerate(t)]
            prompts = [PROMPTS[j] for j, r in enumerate(recs) if r is not None]
            person = person_input([r for r in recs if r is not None], prompts)
            self._memo[t] = (feature_vector(person), person.transcript)
        return self._memo[t]


def _aug_dense_component(data: T.Data, mixer: Mixer) -> T.Component:
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> T.Scorer:
        syn = [mixer.person(t)[0] for t in mixer.triples(idx, y)]
        x = data.dense[idx]
        if syn:
            x = np.vstack([x, np.array(syn)])
        yy = np.concatenate([y, np.ones(len(syn), dtype=int)])
        m = T.fit_dense(x[:, T.V2_COLUMNS], yy, c)
        return lambda d, j: m.score(d.dense[np.ix_(j, T.V2_COLUMNS)])
    return fit


def _aug_text_component(data: T.Data, mixer: Mixer) -> T.Component:
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> T.Scorer:
        syn = [mixer.person(t)[1] for t in mixer.triples(idx, y)]
        texts = [data.texts[i] for i in idx] + syn
        yy = np.concatenate([y, np.ones(len(syn), dtype=int)])
        m = T.fit_text(texts, yy, c)
        return lambda d, j: m.score([d.texts[i] for i in j])
    return fit


def _block_component(x: np.ndarray, extra: np.ndarray | None = None) -> T.Component:
    """L2 LR on `x` (with the /2 dense features first when `extra` is given)."""
    full = x if extra is None else np.concatenate([extra, x], axis=1)

    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> T.Scorer:
        m = T.fit_dense(full[idx], y, c)
        return lambda _d, j: m.score(full[j])
    return fit


def components(data: T.Data, blocks: dict[str, np.ndarray], mixer: Mixer
               ) -> dict[str, tuple[T.Component, Sequence[float]]]:
    comps: dict[str, tuple[T.Component, Sequence[float]]] = {
        "text": (T._text_component(data), T.C_GRID),
        "dense": (T._dense_component(data, T.V2_COLUMNS), T.C_GRID_DENSE),
        "text_aug": (_aug_text_component(data, mixer), T.C_GRID),
        "dense_aug": (_aug_dense_component(data, mixer), T.C_GRID_DENSE),
    }
    for name, x in blocks.items():
        comps[name] = (_block_component(x), T.C_GRID_DENSE)
        if not name.startswith("b_"):  # the /2 dense features extended by the block
            comps[f"dense+{name}"] = (_block_component(x, data.dense[:, T.V2_COLUMNS]),
                                      T.C_GRID_DENSE)
    return comps


ENSEMBLE = ("text", "b_prosody", "b_voice", "b_rate", "b_lexicon", "b_contrasts")
# variant -> (components, how they are combined: stacked Platt or averaged calibrated probs)
VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "model": (("text", "dense"), "stack"),
    "model_aug": (("text_aug", "dense_aug"), "stack"),
    "model_aug_dense": (("text", "dense_aug"), "stack"),
    "model+tcontrast": (("text", "dense+tcontrast"), "stack"),
    "model+tilt": (("text", "dense+tilt"), "stack"),
    "model+pause": (("text", "dense+pause"), "stack"),
    "model+3blocks": (("text", "dense", "tcontrast", "tilt", "pause"), "stack"),
    "avg6": (ENSEMBLE, "avg"),
    "avg6+tcontrast": ((*ENSEMBLE, "tcontrast"), "avg"),
    "avg_model": (("text", "dense"), "avg"),
}


def oracle_f1(y: np.ndarray, p: np.ndarray) -> float:
    """The best F1 any threshold reaches on these probabilities: tuned on the volunteers it
    scores, so a ceiling for threshold rules at this ranking, never a result."""
    return T.f1_score(y, (p > T.best_f1_threshold(y, p)).astype(int))


def _rule(rule: str, y: np.ndarray, p: np.ndarray) -> float:
    from research.depression.encoder_study import youden_threshold

    if rule == "f1":
        return T.best_f1_threshold(y, p)
    if rule == "youden":
        return youden_threshold(y, p)
    if rule == "prev":
        return T.prevalence_threshold(y, p)
    return 0.5


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def combine(how: str, oof: np.ndarray, test: np.ndarray, y: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated (inner out-of-fold, test) probabilities from component scores."""
    if how == "stack":
        a, b = T._platt(oof, y)
        return _sigmoid(oof @ a + b), _sigmoid(test @ a + b)
    p_oof, p_test = [], []
    for k in range(oof.shape[1]):
        a, b = T._platt(oof[:, [k]], y)
        p_oof.append(_sigmoid(oof[:, k] * a[0] + b))
        p_test.append(_sigmoid(test[:, k] * a[0] + b))
    return np.mean(p_oof, axis=0), np.mean(p_test, axis=0)


def compare(data: T.Data, comps: dict[str, tuple[T.Component, Sequence[float]]],
            seeds: Sequence[int], folds: int,
            variants: dict[str, tuple[tuple[str, ...], str]],
            rules: Sequence[str] = RULES,
            progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Out-of-fold probabilities and decisions for every `variant|rule` (the layout of
    train.cross_validate); each component is fitted once per outer fold and shared."""
    needed = sorted({c for names, _ in variants.values() for c in names})
    n = len(data.y)
    cv: dict[str, dict[str, Any]] = {
        f"{v}|{r}": {"prob": np.zeros((len(seeds), n)),
                     "pred": np.zeros((len(seeds), n), dtype=int), "thresholds": []}
        for v in variants for r in rules}
    for r_, seed in enumerate(seeds):
        for k, (tr, te) in enumerate(T._folds(data.y, folds, seed)):
            y = data.y[tr]
            fitted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            for name in needed:  # the same inner folds as train.fit_variant uses
                comp, grid = comps[name]
                c, oof = T._inner(data, comp, tr, y, seed + 1000 * (k + 1), grid)
                fitted[name] = (oof, comp(tr, y, c)(data, te))
            for v, (names, how) in variants.items():
                p_oof, p = combine(how, np.column_stack([fitted[m][0] for m in names]),
                                   np.column_stack([fitted[m][1] for m in names]), y)
                for rule in rules:
                    t = _rule(rule, y, p_oof)
                    cell = cv[f"{v}|{rule}"]
                    cell["prob"][r_, te] = p
                    cell["pred"][r_, te] = (p > t).astype(int)
                    cell["thresholds"].append(t)
            if progress:
                progress(f"seed {seed} fold {k + 1}/{folds}")
    return cv


def main(argv: Sequence[str] | None = None) -> None:
    from research.depression.encoder_study import paired_difference, study_parser, table
    from research.depression.metrics import auc, summarise
    from research.depression.report import load_data

    ap = study_parser(__doc__)
    ap.add_argument("--pauses", type=Path, default=None,
                    help="pause spans JSON ('name/prompt' -> spans, start, end)")
    args = ap.parse_args(argv)
    names = [v for v in args.only.split(",") if v] or list(VARIANTS)
    if unknown := [v for v in names if v not in VARIANTS]:
        ap.error(f"unknown variants {unknown}; known: {sorted(VARIANTS)}")
    data, _info = load_data(args.root, args.cache, 1)
    answers = load_answers(args.root, data.names, args.cache, args.pauses)
    comps = components(data, feature_blocks(data, answers), Mixer(data, answers))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    cv = compare(data, comps, seeds, args.folds, {v: VARIANTS[v] for v in names},
                 progress=print)
    summary: dict[str, Any] = summarise(cv, data.y, data.sds, args.boot)
    print("\n".join(table(summary)))
    for key, r in cv.items():
        if key.endswith("|f1"):
            print(key, "per repeat AUC", [round(auc(data.y, p), 3) for p in r["prob"]],
                  "F1", [round(T.f1_score(data.y, d), 3) for d in r["pred"]])
    summary["oracle_f1"] = {key: round(oracle_f1(data.y, r["prob"].mean(axis=0)), 4)
                            for key, r in cv.items() if key.endswith("|f1")}
    print("oracle F1 (threshold tuned on the test volunteers; a ceiling, not a result)",
          summary["oracle_f1"])
    if "model" in names:
        summary["paired_difference"] = {
            f"{v}|{rule} - model|f1": paired_difference(cv, "model|f1", f"{v}|{rule}", data.y,
                                                         args.boot)
            for v in names for rule in RULES if (v, rule) != ("model", "f1")}
        for k, d in summary["paired_difference"].items():
            print("paired", k, d)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
