"""Sentence-encoder feature blocks for the depression estimate, compared under the nested
protocol of research/depression/train.py (issue 15 point 1; research code, not shipped).

    python -m research.depression.encoder_study --root eatd_train --cache FEATDIR \
        --vectors /work/cache/vectors/eatd.sqlite3 --out encoder_study.json

Each answer (positive, neutral, negative prompt) is embedded by the packaged encoder
(kg/embed/sentence_encoder.py, multilingual-e5-small). Blocks: the mean of the three answer
vectors, the negative-minus-other contrast, the three vectors side by side, the vector of the
whole transcript, a PCA (8 + 8 components, fitted inside each training fold) of mean and
contrast, and the cosine to 20 symptom sentences written from the Zung SDS items beforehand
(mean over answers, and negative minus other). Each block is an L2 logistic regression whose C
is chosen by inner CV log-loss, alone and stacked with the shipped model's two components; the
threshold rules (max inner-CV F1, Youden's J on the inner out-of-fold probabilities, 0.5) are
applied to the same probabilities. Every variant sees the same outer folds; nothing is tuned on
an outer test fold, but picking the best of these comparisons would be (the report counts them).
`--only A,B` runs two variants (e.g. on fresh splits with `--first-seed 5`) and prints their
paired bootstrap difference over volunteers; "fallback" is the shipped fallback head's recipe
(text + the 24 features without contrasts, L1), for sessions whose prompts are unknown.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from research.depression import train as T

PROMPTS: tuple[str, ...] = ("positive", "neutral", "negative")
PCA_COMPONENTS = 8
C_GRID_EMBED: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
# Zung SDS items as first-person symptom descriptions (reversed items turned to the symptom).
ANCHORS: tuple[str, ...] = (
    "我觉得闷闷不乐，情绪低沉", "早上起来心情最差", "我经常想哭，一阵阵地哭出来",
    "我晚上睡不好觉，总是失眠", "我没有胃口，吃不下东西", "我对什么都提不起兴趣，感觉不到快乐",
    "我的体重在下降", "我有便秘的苦恼", "我心跳得比平时快", "我无缘无故地感到疲乏，没有力气",
    "我脑子很乱，想不清楚事情", "平常做的事情现在都觉得很困难", "我觉得不安，平静不下来",
    "我对未来没有希望", "我比平常容易生气激动", "我很难做决定", "我觉得自己没有用，没有人需要我",
    "我的生活过得没有意思", "我觉得如果我死了别人会过得好些", "以前感兴趣的事现在都不感兴趣了",
)
# variant -> its stacked components (all with every threshold rule)
VARIANTS: dict[str, tuple[str, ...]] = {
    "floor": ("text",), "model": ("text", "dense"),
    "e_mean": ("e_mean",), "e_contrast": ("e_contrast",), "e_concat": ("e_concat",),
    "e_whole": ("e_whole",), "e_pca": ("e_pca",), "e_anchor": ("e_anchor",),
    "e_anchor_mean": ("e_anchor_mean",),
    "model+e_mean": ("text", "dense", "e_mean"), "model+e_whole": ("text", "dense", "e_whole"),
    "model+e_pca": ("text", "dense", "e_pca"), "model+e_anchor": ("text", "dense", "e_anchor"),
    "model+e_anchor_mean": ("text", "dense", "e_anchor_mean"),
    "dense+e_pca": ("dense", "e_pca"), "dense+e_anchor": ("dense", "e_anchor"),
}
EXTRA_VARIANTS: dict[str, tuple[str, ...]] = {
    "fallback": ("text", "fallback"), "fallback+e_anchor_mean": ("text", "fallback", "e_anchor_mean"),
}
RULES: tuple[str, ...] = ("f1", "youden", "half")


def answer_texts(root: Path, names: Sequence[str]) -> list[list[str]]:
    """Per volunteer, the transcript of each prompt's answer ('' when absent)."""
    out = []
    for name in names:
        row = []
        for p in PROMPTS:
            f = root / name / f"{p}.txt"
            row.append(f.read_text(encoding="utf-8").strip() if f.is_file() else "")
        out.append(row)
    return out


def blocks_from_vectors(answers: np.ndarray, whole: np.ndarray, anchors: np.ndarray
                        ) -> dict[str, np.ndarray]:
    """Feature blocks from per-answer vectors (n, 3, d; NaN rows where an answer is missing),
    whole-transcript vectors (n, d) and anchor vectors (k, d)."""
    neg = answers[:, PROMPTS.index("negative")]
    others = answers[:, [i for i, p in enumerate(PROMPTS) if p != "negative"]]
    sims = answers @ anchors.T  # (n, 3, k), NaN where the answer is missing
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(answers, axis=1)
        sim_mean = np.nanmean(sims, axis=1)
        sim_other = np.nanmean(sims[:, [0, 1]], axis=1)
        other = np.nanmean(others, axis=1)
    return {
        "e_mean": mean, "e_contrast": neg - other, "e_whole": whole,
        "e_concat": answers.reshape(len(answers), -1),
        "e_anchor": np.concatenate([sim_mean, sims[:, 2] - sim_other], axis=1),
        "e_anchor_mean": sim_mean,
    }


def encoder_blocks(texts: Sequence[Sequence[str]], vectors: Path | None
                   ) -> dict[str, np.ndarray]:
    from kg.embed.sentence_encoder import DIM, encode

    flat = [t for row in texts for t in row if t]
    vecs = encode(flat, cache=vectors).astype(np.float64)
    answers = np.full((len(texts), len(PROMPTS), DIM), np.nan)
    k = 0
    for i, row in enumerate(texts):
        for j, t in enumerate(row):
            if t:
                answers[i, j] = vecs[k]
                k += 1
    whole = encode(["\n".join(t for t in row if t) for row in texts], cache=vectors)
    anchors = encode(list(ANCHORS), cache=vectors).astype(np.float64)
    return blocks_from_vectors(answers, whole.astype(np.float64), anchors)


def _block_component(x: np.ndarray) -> T.Component:
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> T.Scorer:
        m = T.fit_dense(x[idx], y, c)
        return lambda _d, j: m.score(x[j])
    return fit


def _pca_component(blocks: Sequence[np.ndarray], k: int = PCA_COMPONENTS) -> T.Component:
    """PCA of each block fitted on the training rows only, then an L2 logistic regression."""
    def fit(idx: np.ndarray, y: np.ndarray, c: float) -> T.Scorer:
        bases = []
        for b in blocks:
            filled = np.nan_to_num(b)
            mu = filled[idx].mean(axis=0)
            _, _, vt = np.linalg.svd(filled[idx] - mu, full_matrices=False)
            bases.append((filled, mu, vt[:k]))

        def project(j: np.ndarray) -> np.ndarray:
            return np.concatenate([(f[j] - mu) @ v.T for f, mu, v in bases], axis=1)

        m = T.fit_dense(project(idx), y, c)
        return lambda _d, j: m.score(project(j))
    return fit


def youden_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The cut maximising sensitivity + specificity − 1 (decision: p > cut)."""
    order = np.unique(p)
    cuts = np.concatenate([[0.0], (order[:-1] + order[1:]) / 2]) if order.size > 1 else order
    best, best_j = 0.5, -2.0
    for t in cuts:
        pred = p > t
        j = float(pred[y == 1].mean() - pred[y == 0].mean())
        if j > best_j + 1e-12:
            best, best_j = float(t), j
    return best


def components(data: T.Data, blocks: dict[str, np.ndarray]
               ) -> dict[str, tuple[T.Component, Sequence[float]]]:
    comps: dict[str, tuple[T.Component, Sequence[float]]] = {
        "text": (T._text_component(data), T.C_GRID),
        "dense": (T._dense_component(data, T.V2_COLUMNS), T.C_GRID_DENSE),  # the /2 model
        "fallback": (T._dense_component(data, T.NO_PROMPT_COLUMNS), T.C_GRID_DENSE),
        "e_pca": (_pca_component([blocks["e_mean"], blocks["e_contrast"]]), T.C_GRID_DENSE),
    }
    for name in ("e_mean", "e_contrast", "e_concat", "e_whole"):
        comps[name] = (_block_component(blocks[name]), C_GRID_EMBED)
    for name in ("e_anchor", "e_anchor_mean"):
        comps[name] = (_block_component(blocks[name]), T.C_GRID_DENSE)
    return comps


def compare(data: T.Data, blocks: dict[str, np.ndarray], seeds: Sequence[int], folds: int,
            variants: dict[str, tuple[str, ...]] = VARIANTS,
            progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Out-of-fold probabilities and decisions for every `variant|rule`, as cross_validate:
    each variant's components stacked by one Platt fit (f1_study.compare does the folds)."""
    from research.depression.f1_study import compare as compare_variants

    return compare_variants(data, components(data, blocks), seeds, folds,
                            {v: (names, "stack") for v, names in variants.items()}, RULES,
                            progress)


def paired_difference(cv: dict[str, dict[str, Any]], a: str, b: str, y: np.ndarray,
                      n_boot: int = 2000, seed: int = 0) -> dict[str, dict[str, float]]:
    """b minus a on the same volunteers (repeat-averaged probabilities, majority decisions):
    AUC and F1 differences with percentile 95 % intervals over volunteer resamples."""
    from research.depression.metrics import auc

    pa, pb = cv[a]["prob"].mean(axis=0), cv[b]["prob"].mean(axis=0)
    da = (cv[a]["pred"].mean(axis=0) > 0.5).astype(int)
    db = (cv[b]["pred"].mean(axis=0) > 0.5).astype(int)

    def diff(i: np.ndarray) -> tuple[float, float]:
        return (auc(y[i], pb[i]) - auc(y[i], pa[i]),
                T.f1_score(y[i], db[i]) - T.f1_score(y[i], da[i]))

    rng = np.random.default_rng(seed)
    draws = [diff(i) for i in (rng.integers(0, len(y), len(y)) for _ in range(n_boot))
             if np.unique(y[i]).size == 2]
    point = diff(np.arange(len(y)))
    out = {}
    for k, name in enumerate(("auc", "f1")):
        lo, hi = np.percentile([d[k] for d in draws], [2.5, 97.5])
        out[name] = {"value": round(point[k], 4), "lo": round(float(lo), 4),
                     "hi": round(float(hi), 4)}
    return out


def table(summary: dict[str, Any]) -> list[str]:
    def cell(m: dict[str, Any], q: str) -> str:
        return f"{m[q]['value']:.3f} [{m[q]['lo']:.2f}, {m[q]['hi']:.2f}]"

    lines = ["| variant | rule | AUC | F1 | Spearman vs SDS | ECE | F1 per repeat |",
             "|---|---|---|---|---|---|---|"]
    for key, s in summary.items():
        v, rule = key.split("|")
        m = s["metrics"]
        lines.append(f"| {v} | {rule} | {cell(m, 'auc')} | {cell(m, 'f1')} | "
                     f"{cell(m, 'spearman_sds')} | {cell(m, 'ece')} | "
                     f"{s['per_repeat']['f1']['mean']:.3f} |")
    return lines


def _per_repeat_auc(prob: np.ndarray, y: np.ndarray) -> list[float]:
    from research.depression.metrics import auc

    return [auc(y, p) for p in prob]


def study_parser(doc: str | None, *, variants: bool = True, require_first_seed: bool = False
                 ) -> argparse.ArgumentParser:
    """The options the depression studies take (this one, f1_study, graph_study); each adds its
    own. `variants`: offer `--only`; `require_first_seed`: a study on fresh splits must name
    its first seed."""
    ap = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=None, help="speech feature cache folder")
    ap.add_argument("--out", type=Path, required=True, help="JSON summary to write")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--boot", type=int, default=2000)
    if require_first_seed:
        ap.add_argument("--first-seed", type=int, required=True)
    else:
        ap.add_argument("--first-seed", type=int, default=0)
    if variants:
        ap.add_argument("--only", default="", help="comma-separated variants (default: all)")
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    from research.depression.metrics import summarise
    from research.depression.report import load_data

    ap = study_parser(__doc__)
    ap.add_argument("--vectors", type=Path, default=None, help="sentence vector SQLite cache")
    args = ap.parse_args(argv)
    known = {**VARIANTS, **EXTRA_VARIANTS}
    names = [v for v in args.only.split(",") if v] or list(VARIANTS)
    if unknown := [v for v in names if v not in known]:
        ap.error(f"unknown variants {unknown}; known: {sorted(known)}")
    data, _info = load_data(args.root, args.cache, 1)
    blocks = encoder_blocks(answer_texts(args.root, data.names), args.vectors)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    cv = compare(data, blocks, seeds, args.folds, {v: known[v] for v in names}, progress=print)
    summary: dict[str, Any] = summarise(cv, data.y, data.sds, args.boot)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print("\n".join(table(summary)))
    if len(names) == 2:
        a, b = (f"{v}|f1" for v in names)
        summary["paired_difference"] = {f"{b} - {a}": paired_difference(cv, a, b, data.y,
                                                                         args.boot)}
        for k in (a, b):
            print(k, "per repeat AUC", [round(float(x), 3) for x in
                                        _per_repeat_auc(cv[k]["prob"], data.y)],
                  "F1", [round(T.f1_score(data.y, d), 3) for d in cv[k]["pred"]])
        print("paired", summary["paired_difference"])
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
