"""Depression features from the joint graph space (kg/align): a handful, each interpretable
(research code: compared against `/3` by research/depression/graph_study.py, not shipped).

Per answer, from the project's joint Word2Vec/node2vec space of the knowledge graph:
- `graph_sds_symptom`: the aligner's score of the answer for the best-matching symptom that an
  SDS item of the graph assesses (`scale_item:SDS:* -ASSESSES-> symptom:*`: depressed mood,
  sleep, fatigue, anhedonia, hopelessness, worthlessness, suicidal ideation, ...): how strongly
  the answer activates the SDS symptoms of the graph;
- `graph_valence`: the cosine of the answer's vector (mean of its word vectors) to the
  negative-emotion concepts' centroid minus that to the positive-emotion concepts' centroid.
Per person: their mean over the answers and, when the prompts are known, the negative-topic
answer minus the other answers (as models/depression/features.py does for voice and text).

The space belongs to a product home (it is built per graph); when the graph lacks the SDS
items or the emotion concepts, `GraphProbe.of` says which, and without a probe the values are
NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kg.align.aligner import Aligner
    from kg.graph_view import GraphView

SDS_ITEM_PREFIX = "scale_item:SDS:"
ASSESSES = "ASSESSES"
NEGATIVE_EMOTIONS: tuple[str, ...] = ("emotion:sadness", "emotion:fear", "emotion:anger",
                                      "emotion:disgust", "valence:negative", "polarity:negative")
POSITIVE_EMOTIONS: tuple[str, ...] = ("emotion:happiness", "emotion:interest",
                                      "valence:positive", "polarity:positive")
GRAPH_BASE: tuple[str, ...] = ("graph_sds_symptom", "graph_valence")
NEGATIVE_PROMPT = "negative"
GRAPH_FEATURES: tuple[str, ...] = (*GRAPH_BASE,
                                   *("negative_minus_other_" + n for n in GRAPH_BASE))


def sds_symptoms(view: GraphView) -> list[str]:
    """The symptoms the graph's SDS items assess, sorted."""
    adj = view.adjacency((ASSESSES,))
    return sorted({dst for src, out in adj.items() if src.startswith(SDS_ITEM_PREFIX)
                   for rel, dst, _w in out if rel == ASSESSES})


def _centroid(aligner: Aligner, ids: Sequence[str]) -> np.ndarray | None:
    rows = [aligner.index[c] for c in ids if c in aligner.index]
    if not rows:
        return None
    v = np.asarray(aligner.space.name_matrix)[rows].mean(axis=0).astype(np.float64)
    n = float(np.linalg.norm(v))
    return v / n if n else None


@dataclass(frozen=True)
class GraphProbe:
    aligner: Aligner
    symptoms: tuple[str, ...]
    valence_axis: np.ndarray  # unit negative centroid minus unit positive centroid

    @classmethod
    def of(cls, aligner: Aligner, view: GraphView) -> GraphProbe:
        """ValueError naming what the graph lacks."""
        symptoms = tuple(c for c in sds_symptoms(view) if c in aligner.index)
        if not symptoms:
            raise ValueError("the graph has no SDS items with assessed symptoms")
        neg, pos = _centroid(aligner, NEGATIVE_EMOTIONS), _centroid(aligner, POSITIVE_EMOTIONS)
        if neg is None or pos is None:
            raise ValueError("the graph lacks the emotion/valence concepts")
        return cls(aligner, symptoms, neg - pos)

    def answer_values(self, text: str) -> tuple[float, float]:
        """(graph_sds_symptom, graph_valence) of one answer; NaN when no word is known."""
        best = self.aligner.rank_among(text, self.symptoms, top_k=1)
        vec, _coverage = self.aligner.space.text_vector(text)
        valence = float(vec.astype(np.float64) @ self.valence_axis) if vec is not None else math.nan
        symptom = best[0].score if best and vec is not None else math.nan
        return symptom, valence


def graph_vector(probe: GraphProbe | None, answers: Sequence[tuple[str | None, str]]
                 ) -> np.ndarray:
    """GRAPH_FEATURES of one person's (prompt, transcript) answers (NaN without a probe)."""
    out = np.full(len(GRAPH_FEATURES), np.nan)
    if probe is None:
        return out
    per = [(p, probe.answer_values(t)) for p, t in answers if t.strip()]
    k = len(GRAPH_BASE)
    for j in range(k):
        every = [v[j] for _p, v in per if math.isfinite(v[j])]
        neg = [v[j] for p, v in per if p == NEGATIVE_PROMPT and math.isfinite(v[j])]
        other = [v[j] for p, v in per
                 if p is not None and p != NEGATIVE_PROMPT and math.isfinite(v[j])]
        if every:
            out[j] = float(np.mean(every))
        if neg and other:
            out[k + j] = float(np.mean(neg) - np.mean(other))
    return out
