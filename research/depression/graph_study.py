"""The joint graph space as depression features, against the shipped `/3` (issue 15 point 1;
research code, not shipped).

    MINDKG_HOME=HOME MINDKG_CACHE_DIR=CACHE python -m research.depression.graph_study \
        --root eatd_train --cache FEATDIR --out graph_study.json --first-seed 20

Features (research/depression/graph_features.py, fixed before any run): per answer, the aligner's score
for the best-matching SDS-assessed symptom of the graph and the answer's projection on the
negative-minus-positive emotion axis of the joint space; per volunteer their mean over the
three answers and the negative-topic answer minus the others (4 columns).
Variants, all with `/3`'s prevalence-matched threshold (and max F1 for information):
- "v3": `/3` (text + the 48 speech/lexicon/contrast columns), the baseline;
- "v3+graph": the 4 graph columns added to `/3`'s dense component (the one candidate that
  may ship);
- "v3 stack graph": the graph columns as a third stacked component (information only);
- "graph": the 4 columns alone (information only: is there any signal).
The split seeds are given on the command line and were written down before the run; every
variant sees the same outer and inner folds (research.depression.f1_study.compare).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.depression.features import transcript_of
from research.depression import train as T
from research.depression.f1_study import PROMPTS, _block_component, compare, load_answers
from research.depression.graph_features import GRAPH_FEATURES, GraphProbe, graph_vector

VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "v3": (("text", "dense3"), "stack"),
    "v3+graph": (("text", "dense3+graph"), "stack"),
    "v3 stack graph": (("text", "dense3", "graph"), "stack"),
    "graph": (("graph",), "stack"),
}
RULES = ("prev", "f1")


def load_probe() -> GraphProbe:
    """The probe over the product home's graph and joint space (MINDKG_HOME, MINDKG_CACHE_DIR)."""
    from contracts.settings import load_settings
    from kg.align.service import load_aligner
    from kg.graph_view import graph_view
    from kg.store.factory import open_store

    settings = load_settings()
    store = open_store(settings)
    return GraphProbe.of(load_aligner(store, settings, progress=print), graph_view(store))


def graph_block(root: Path, names: Sequence[str], cache: Path | None, probe: GraphProbe
                ) -> np.ndarray:
    answers = load_answers(root, names, cache, None)
    rows = []
    for row in answers.fts:
        per = [(PROMPTS[j], t) for j, fts in enumerate(row)
               if fts is not None and (t := transcript_of(fts))]
        rows.append(graph_vector(probe, per))
    return np.array(rows)


def main(argv: Sequence[str] | None = None) -> None:
    from research.depression.encoder_study import paired_difference, study_parser, table
    from research.depression.f1_study import oracle_f1
    from research.depression.metrics import auc, summarise
    from research.depression.report import load_data

    args = study_parser(__doc__, variants=False, require_first_seed=True).parse_args(argv)
    data, _info = load_data(args.root, args.cache, 1)
    t0 = time.perf_counter()
    graph = graph_block(args.root, data.names, args.cache, load_probe())
    print(f"graph features of {len(data.names)} volunteers: {time.perf_counter() - t0:.1f} s")
    dense3 = data.dense[:, T.ALL_COLUMNS]
    comps: dict[str, tuple[T.Component, Sequence[float]]] = {
        "text": (T._text_component(data), T.C_GRID),
        "dense3": (T._dense_component(data, T.ALL_COLUMNS), T.C_GRID_DENSE),
        "dense3+graph": (_block_component(graph, dense3), T.C_GRID_DENSE),
        "graph": (_block_component(graph), T.C_GRID_DENSE),
    }
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    cv = compare(data, comps, seeds, args.folds, VARIANTS, RULES, progress=print)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out.with_suffix(".npz"), graph=graph, y=data.y,
             **{f"{k}/{part}": np.asarray(r[part]) for k, r in cv.items()
                for part in ("prob", "pred")})
    summary: dict[str, Any] = summarise(cv, data.y, data.sds, args.boot)
    print("\n".join(table(summary)))
    for key, r in cv.items():
        print(key, "per repeat AUC", [round(auc(data.y, p), 3) for p in r["prob"]],
              "F1", [round(T.f1_score(data.y, d), 3) for d in r["pred"]],
              "confusion", summary[key]["confusion"])
    summary["seeds"] = seeds
    summary["graph_features"] = {
        "names": list(GRAPH_FEATURES),
        "auc_each": [round(auc(data.y, np.nan_to_num(graph[:, j], nan=np.nanmedian(graph[:, j]))),
                           4) for j in range(graph.shape[1])]}
    print("graph columns alone, AUC of each raw value:",
          dict(zip(GRAPH_FEATURES, summary["graph_features"]["auc_each"], strict=True)))
    summary["oracle_f1"] = {key: round(oracle_f1(data.y, r["prob"].mean(axis=0)), 4)
                            for key, r in cv.items() if key.endswith("|prev")}
    print("oracle F1 (threshold tuned on the test volunteers; a ceiling)", summary["oracle_f1"])
    summary["paired_difference"] = {}
    for v in ("v3+graph", "v3 stack graph"):
        for rule in RULES:
            key = f"{v}|{rule} - v3|{rule}"
            summary["paired_difference"][key] = paired_difference(
                cv, f"v3|{rule}", f"{v}|{rule}", data.y, args.boot)
            print("paired", key, summary["paired_difference"][key])
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
