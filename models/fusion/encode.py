"""Feature texts -> vectors, per group (micro-expression, content, intonation, rate, scales).

Two encoders: `values_vector` (always available; a fixed layout read from FeatureText values,
the documented fallback) and `joint_vector` (the joint word/node space of issue 3: mean of the
word vectors of the feature text plus the vectors of its aligned concepts), used when a
trained space is passed in. The learned fusion consumes either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from contracts.feature_text import FeatureText
from kg.align.policy import feature_concepts
from models.fusion.channels import PROSODY_LOAD, RATE_LOAD
from models.fusion.state import EMOTIONS, LEVELS, RISKS

GROUPS: tuple[str, ...] = ("micro_expression", "content", "intonation", "rate", "scales")
AU_ORDER: tuple[int, ...] = (1, 2, 4, 5, 6, 7, 9, 12, 14, 15, 17, 20, 23, 24, 26, 43)
_PROSODY = tuple(PROSODY_LOAD)
_RATE = tuple(RATE_LOAD)
_POL = ("positive", "negative", "neutral")
GROUP_DIMS: dict[str, int] = {
    "micro_expression": len(EMOTIONS) + len(AU_ORDER) + 1,
    "content": 2 * len(_POL) + 2,
    "intonation": len(_PROSODY),
    "rate": len(_RATE),
    "scales": len(LEVELS) + 1 + len(RISKS),
}


def group_of(feature: FeatureText) -> str | None:
    return {"micro_expression": "micro_expression", "action_units": "micro_expression",
            "macro_expression": "micro_expression",
            "speech_content": "content", "intonation": "intonation", "speech_rate": "rate",
            "scale_score": "scales"}.get(feature.kind)


def _group_values(group: str, feats: Sequence[FeatureText]) -> np.ndarray:
    v = np.zeros(GROUP_DIMS[group])
    for f in feats:
        vals = f.values
        if group == "micro_expression":
            cls = vals.get("me_class")
            if cls in EMOTIONS:
                v[EMOTIONS.index(str(cls))] += 1
            for a in vals.get("dominant_aus", []):
                n = int(str(a).removeprefix("AU")) if str(a).removeprefix("AU").isdigit() else -1
                if n in AU_ORDER:
                    v[len(EMOTIONS) + AU_ORDER.index(n)] += 1
            v[-1] += f.confidence
        elif group == "content":
            pol = vals.get("polarity")
            if isinstance(pol, dict):
                if pol.get("label") in _POL:
                    v[_POL.index(str(pol["label"]))] = 1
                for i, k in enumerate(_POL):
                    v[3 + i] = float(dict(pol.get("cosines", {})).get(k, 0.0))
            v[6] = len(vals.get("symptoms", []) or []) / 8
            v[7] = float(vals.get("suicide_risk", "none") != "none")
        elif group in ("intonation", "rate"):
            codes = _PROSODY if group == "intonation" else _RATE
            if vals.get("descriptor") in codes:
                v[codes.index(str(vals["descriptor"]))] += 1
        else:
            if vals.get("level") in LEVELS:
                v[LEVELS.index(str(vals["level"]))] += 1
            v[4] += LEVELS.index(str(vals["level"])) / 3 if vals.get("level") in LEVELS else 0
            if vals.get("risk_level") in RISKS:
                v[5 + RISKS.index(str(vals["risk_level"]))] += 1
    denom = float(max(1, len(feats))) if group != "micro_expression" else max(1.0, float(v[:4].sum()))
    return v / denom


def by_group(features: Sequence[FeatureText]) -> dict[str, list[FeatureText]]:
    out: dict[str, list[FeatureText]] = {}
    for f in features:
        g = group_of(f)
        if g:
            out.setdefault(g, []).append(f)
    return out


def values_vector(features: Sequence[FeatureText]) -> dict[str, np.ndarray]:
    """Per present group, a fixed-layout vector (the fallback encoder); absent groups omitted."""
    return {g: _group_values(g, fs) for g, fs in by_group(features).items()}


def joint_vector(
    features: Sequence[FeatureText],
    word_vector: Callable[[str], np.ndarray | None],
    concept_vector: Callable[[str], np.ndarray | None],
    tokenize: Callable[[str], list[str]],
) -> dict[str, np.ndarray]:
    """Per present group: mean of its texts' word vectors and its concepts' vectors (joint space).

    `word_vector` / `concept_vector` return None for unknown tokens / concepts; a group with no
    known token or concept is left out (and so reported missing by the caller).
    """
    out: dict[str, np.ndarray] = {}
    for g, fs in by_group(features).items():
        vecs = [vec for f in fs for t in tokenize(f.text.zh) if (vec := word_vector(t)) is not None]
        vecs += [vec for f in fs for c in feature_concepts(f) if (vec := concept_vector(c)) is not None]
        if vecs:
            m = np.mean(np.stack(vecs), axis=0)
            out[g] = m / (np.linalg.norm(m) or 1.0)
    return out


def keyed_vector_lookups(
    keyed_vectors: object, node_prefix: str | None = None
) -> tuple[Callable[[str], np.ndarray | None], Callable[[str], np.ndarray | None]]:
    """Word and concept lookups from a joint gensim KeyedVectors (kg.embed.word_vectors.
    load_model): words by token, concepts by `node_prefix + concept id` as node2vec names them.
    """
    from kg.embed.node2vec import DEFAULT_PREFIX

    prefix = DEFAULT_PREFIX if node_prefix is None else node_prefix
    index: dict[str, int] = dict(getattr(keyed_vectors, "key_to_index", {}))
    vectors = np.asarray(getattr(keyed_vectors, "vectors", np.zeros((0, 0))))

    def word(token: str) -> np.ndarray | None:
        i = index.get(token)
        return None if i is None else vectors[i]

    def concept(cid: str) -> np.ndarray | None:
        return word(prefix + cid)

    return word, concept
