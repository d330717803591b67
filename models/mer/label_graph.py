"""The emotion-label graph of the CNN+GCN: nodes = class labels, node features = word vectors,
edges = shared AUs (training-set co-occurrence plus the source study's AU->emotion table).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

Lookup = Callable[[str], "np.ndarray | None"]

# Source study, Table 1: AU -> emotions it takes part in.
AU_EMOTIONS: dict[int, tuple[str, ...]] = {
    1: ("sadness", "surprise", "fear", "interest"),
    2: ("surprise", "fear", "interest"),
    4: ("sadness", "fear", "anger", "confusion"),
    5: ("surprise", "fear", "anger", "interest"),
    6: ("happiness",),
    7: ("confusion", "fear", "anger"),
    9: ("disgust",),
    12: ("happiness", "contempt"),
    14: ("contempt", "boredom"),
    15: ("sadness", "disgust", "confusion"),
    17: ("sadness", "surprise", "fear"),
    20: ("fear",),
    23: ("anger", "confusion", "boredom"),
    24: ("boredom",),
    26: ("surprise", "fear"),
    43: ("boredom",),
}

# Emotion -> MEGC-style class, for class-level label sets. interest/confusion/boredom are not
# MEGC emotions; MindKG files them under 'others' (docs/mer_models.md).
EMOTION_CLASS = {
    "happiness": "positive",
    "sadness": "negative",
    "fear": "negative",
    "anger": "negative",
    "disgust": "negative",
    "contempt": "negative",
    "repression": "negative",
    "surprise": "surprise",
    "interest": "others",
    "confusion": "others",
    "boredom": "others",
}

# Chinese words looked up in the project's Word2Vec (the `synonyms` vectors are Chinese);
# several words per label are averaged, missing ones skipped.
LABEL_WORDS: dict[str, tuple[str, ...]] = {
    "positive": ("积极", "正向", "快乐"),
    "negative": ("消极", "负向", "悲伤"),
    "surprise": ("惊讶", "吃惊"),
    "others": ("中性", "平静"),
    "happiness": ("高兴", "快乐"),
    "sadness": ("悲伤", "伤心"),
    "fear": ("恐惧", "害怕"),
    "anger": ("愤怒", "生气"),
    "disgust": ("厌恶", "讨厌"),
    "contempt": ("轻蔑", "鄙视"),
    "repression": ("压抑", "抑制"),
    "interest": ("兴趣",),
    "confusion": ("困惑",),
    "boredom": ("无聊",),
}


def prior_matrix(labels: Sequence[str], aus: Sequence[int]) -> np.ndarray:
    """(C, A) 0/1 matrix: label c is linked to AU a by the source study's table."""
    out = np.zeros((len(labels), len(aus)), dtype=np.float64)
    for j, au in enumerate(aus):
        for emotion in AU_EMOTIONS.get(au, ()):
            for i, label in enumerate(labels):
                if label == emotion or EMOTION_CLASS.get(emotion) == label:
                    out[i, j] = 1.0
    return out


def cooccurrence_matrix(
    labels: Sequence[str], aus: Sequence[int], samples: Sequence[tuple[str, Sequence[int]]]
) -> np.ndarray:
    """(C, A): P(AU a is coded | label c) over the training annotations."""
    index = {au: j for j, au in enumerate(aus)}
    counts = np.zeros((len(labels), len(aus)))
    totals = np.zeros(len(labels))
    for label, sample_aus in samples:
        if label not in labels:
            continue
        i = labels.index(label)
        totals[i] += 1
        for au in set(sample_aus):
            if au in index:
                counts[i, index[au]] += 1
    return counts / np.maximum(totals, 1)[:, None]


def graph_nodes(labels: Sequence[str]) -> list[str]:
    """The label graph's nodes: the output labels, then the rest of their emotion hierarchy.

    A class label brings in its emotions and an emotion its class, closed over both
    directions, so 'positive/negative/surprise' and 'happiness/anger/.../surprise' give the
    same node set: a GCN pre-trained on emotion labels then computes the class rows of a
    target with class labels from the same graph (the point of transfer through labels).
    """
    nodes = list(dict.fromkeys(labels))
    frontier = list(nodes)
    while frontier:
        label = frontier.pop()
        linked = [EMOTION_CLASS.get(label, label)]
        linked += [e for e, c in EMOTION_CLASS.items() if c == label]
        for other in linked:
            if other not in nodes:
                nodes.append(other)
                frontier.append(other)
    return nodes


def hierarchy_rows(nodes: Sequence[str]) -> dict[int, list[int]]:
    """Class node index -> indices of its emotion nodes (a class is never its own child)."""
    rows: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        children = [j for j, e in enumerate(nodes) if e != node and EMOTION_CLASS.get(e) == node]
        if children:
            rows[i] = children
    return rows


def label_adjacency(
    labels: Sequence[str],
    samples: Sequence[tuple[str, Sequence[int]]],
    *,
    threshold: float = 0.3,
    reweight: float = 0.1,
    hierarchy: float = 0.0,
) -> np.ndarray:
    """Normalised (C, C) adjacency from the labels' AU profiles (ML-GCN style).

    Profile = training co-occurrence + table prior (row-normalised); edge when the cosine
    similarity of two profiles reaches `threshold`; neighbours share `reweight` of each row
    and the node keeps the rest, so a label is not drowned by its neighbours; then
    symmetric normalisation D^-1/2 A D^-1/2. reweight 0.1 rather than ML-GCN's 0.2-0.25:
    with 3-4 labels one neighbour takes the whole share, and two propagation steps at 0.25
    left classifier rows of linked labels at cosine 0.66 at initialisation (0.09 at 0.1);
    chosen on the source-only dev split (docs/mer_models.md).
    """
    aus = sorted(set(AU_EMOTIONS) | {a for _, sa in samples for a in sa})
    profile = cooccurrence_matrix(labels, aus, samples) + prior_matrix(labels, aus)
    norms = np.linalg.norm(profile, axis=1, keepdims=True)
    unit = profile / np.maximum(norms, 1e-12)
    sim = unit @ unit.T
    binary = (sim >= threshold).astype(np.float64)
    np.fill_diagonal(binary, 0.0)
    adj = np.eye(len(labels))
    row_sums = binary.sum(axis=1)
    for i in range(len(labels)):
        if row_sums[i] > 0:
            adj[i] = binary[i] * reweight / row_sums[i]
            adj[i, i] = 1.0 - reweight
    sym = (adj + adj.T) / 2
    d = 1.0 / np.sqrt(sym.sum(axis=1))
    out = sym * d[:, None] * d[None, :]
    if hierarchy > 0:
        # Directed emotion -> class edges: a class row takes `hierarchy` of its mass from the
        # mean of its emotions, which never listen back (their rows stay as trained).
        for i, children in hierarchy_rows(labels).items():
            out[i] *= 1.0 - hierarchy
            out[i, children] += hierarchy / len(children)
    return out


def node_features(vectors: np.ndarray) -> np.ndarray:
    """Label word vectors centred over the label set, then L2-normalised (rows).

    Why: emotion words share a large common Word2Vec component (pairwise cosine 0.3-0.6 for
    the MEGC labels, norms 18-26). Raw, that common part survived two graph convolutions and
    the classifier rows started nearly parallel (cosine 0.96 for negative vs surprise), so
    the GCN first had to undo its own smoothing. Centring keeps only what tells the labels
    apart; unit length keeps W x in the range of a linear layer (the paper also
    L2-normalises its Word2Vec emotion vectors).
    """
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.maximum(norms, 1e-12)).astype(np.float32)


def synonyms_vector_file() -> Path | None:
    """words.vector inside the installed `synonyms` package (found without importing it,
    because importing synonyms loads its whole model)."""
    spec = importlib.util.find_spec("synonyms")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "words.vector"
    return path if path.is_file() else None


def label_vectors(labels: Sequence[str]) -> tuple[np.ndarray, str]:
    """(C, d) node features for the labels and where they came from.

    Order of preference: the project's kg.embed.word_vectors, the `synonyms` package's
    Word2Vec file read with gensim, else one-hot vectors (logged and reported as 'onehot',
    because a GCN on one-hot nodes has no semantic prior).
    """
    lookup = _project_lookup() or _synonyms_lookup()
    if lookup is not None:
        fn, source = lookup
        rows = []
        for label in labels:
            found = [v for w in LABEL_WORDS.get(label, (label,)) if (v := fn(w)) is not None]
            if not found:
                break
            rows.append(np.mean(found, axis=0))
        else:
            return np.stack(rows).astype(np.float32), source
        log.warning("no word vector for label %r; using one-hot label features", label)
    else:
        log.warning("no Word2Vec vectors available; using one-hot label features")
    return np.eye(len(labels), dtype=np.float32), "onehot"


_CACHE: dict[str, Any] = {}


def _project_lookup() -> tuple[Lookup, str] | None:
    """The project's loader of the `synonyms` vectors (kg.embed.word_vectors.load_pretrained)."""
    try:
        module = importlib.import_module("kg.embed.word_vectors")
        kv = module.load_pretrained()
    except (ImportError, AttributeError, OSError, ValueError) as exc:
        log.info("kg.embed.word_vectors unavailable (%s); trying the synonyms file", exc)
        return None

    def fn(word: str) -> np.ndarray | None:
        return np.asarray(kv[word]) if word in kv.key_to_index else None

    return fn, "kg.embed.word_vectors.load_pretrained (synonyms 3.10.2)"


def _synonyms_lookup() -> tuple[Lookup, str] | None:
    path = synonyms_vector_file()
    if path is None:
        return None
    try:
        from gensim.models import KeyedVectors
    except ImportError:
        return None
    if "kv" not in _CACHE:
        _CACHE["kv"] = KeyedVectors.load_word2vec_format(
            str(path), binary=True, unicode_errors="ignore"
        )
    kv = _CACHE["kv"]

    def fn(word: str) -> np.ndarray | None:
        return np.asarray(kv[word]) if word in kv.key_to_index else None

    return fn, "synonyms/data/words.vector (gensim)"
