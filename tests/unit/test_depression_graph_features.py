"""The graph-space depression features (research/depression/graph_features.py) on a small real
graph view, joint space and aligner built here: SDS-assessed symptoms only, the valence axis
pointing from positive to negative emotion, and the per-person mean and negative-topic
contrast."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kg.align.aligner import Aligner, LexicalIndex
from kg.align.space import JointSpace, _concept_rows
from kg.embed.word_vectors import WordSpace
from kg.graph_view import GraphView
from research.depression.graph_features import GRAPH_FEATURES, GraphProbe, graph_vector

WORDS = ["悲伤", "难过", "高兴", "快乐", "睡眠", "障碍", "情绪", "低落", "心悸", "消极", "积极"]
# word -> basis direction: negative feelings 0, positive 1, sleep 2, mood 3, heart 4
AXIS = {"悲伤": 0, "难过": 0, "消极": 0, "高兴": 1, "快乐": 1, "积极": 1, "睡眠": 2, "障碍": 2,
        "情绪": 3, "低落": 3, "心悸": 4}
CONCEPTS = {
    "scale_item:SDS:1": ("ScaleItem", "情绪低落"),
    "scale_item:SDS:4": ("ScaleItem", "睡眠障碍"),
    "symptom:depressed_mood": ("Symptom", "情绪低落"),
    "symptom:sleep_disturbance": ("Symptom", "睡眠障碍"),
    "symptom:palpitations": ("Symptom", "心悸"),  # no SDS item of this graph assesses it
    "emotion:sadness": ("Emotion", "悲伤"),
    "emotion:happiness": ("Emotion", "高兴"),
    "valence:negative": ("Emotion", "消极"),
    "valence:positive": ("Emotion", "积极"),
}
ASSESSES = [("scale_item:SDS:1", "symptom:depressed_mood"),
            ("scale_item:SDS:4", "symptom:sleep_disturbance")]


def _view(edges: list[tuple[str, str]]) -> GraphView:
    nodes = [("Concept", cid, {"type": t, "source": "source:mindkg-curated", "name_zh": name})
             for cid, (t, name) in CONCEPTS.items()]
    rows: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        ("ASSESSES", "Concept", a, "Concept", b, {}) for a, b in edges]
    return GraphView.build(nodes, rows, source="test")


def _aligner(view: GraphView) -> Aligner:
    matrix = np.zeros((len(WORDS), 6), dtype=np.float32)
    for i, w in enumerate(WORDS):
        matrix[i, AXIS[w]] = 1.0
        matrix[i, 5] = 0.1 * i  # words of one direction are not identical
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    words = WordSpace.from_rows(WORDS, matrix)
    concepts = list(view.concepts)
    names, nodes = _concept_rows(words, concepts)
    space = JointSpace(words, concepts, names, nodes, Path("."))
    return Aligner(space, lexicon=LexicalIndex.build(concepts), cache_size=0)


@pytest.fixture(scope="module")
def probe() -> GraphProbe:
    view = _view(ASSESSES)
    return GraphProbe.of(_aligner(view), view)


def test_only_symptoms_an_sds_item_assesses_are_probed(probe: GraphProbe) -> None:
    assert probe.symptoms == ("symptom:depressed_mood", "symptom:sleep_disturbance")


def test_valence_points_to_negative_emotion_and_symptoms_activate(probe: GraphProbe) -> None:
    sad_symptom, sad = probe.answer_values("难过")
    happy_symptom, happy = probe.answer_values("快乐")
    sleep_symptom, _ = probe.answer_values("睡眠障碍")
    assert sad > 0 > happy
    assert sleep_symptom > max(sad_symptom, happy_symptom)
    assert all(math.isnan(v) for v in probe.answer_values("zzz"))  # no known word


def test_person_mean_and_negative_topic_contrast(probe: GraphProbe) -> None:
    answers: list[tuple[str | None, str]] = [
        ("positive", "快乐"), ("neutral", "高兴"), ("negative", "悲伤")]
    x = graph_vector(probe, answers)
    per = np.array([probe.answer_values(t) for _p, t in answers])
    np.testing.assert_allclose(x[:2], per.mean(axis=0))
    np.testing.assert_allclose(x[2:], per[2] - per[:2].mean(axis=0))
    assert x[GRAPH_FEATURES.index("negative_minus_other_graph_valence")] > 0
    unknown = graph_vector(probe, [(None, t) for _p, t in answers])
    np.testing.assert_allclose(unknown[:2], x[:2])
    assert np.isnan(unknown[2:]).all()  # prompts unknown: no contrasts
    assert np.isnan(graph_vector(None, answers)).all()
    assert np.isnan(graph_vector(probe, [])).all()


def test_a_graph_without_sds_items_is_named() -> None:
    view = _view([])
    with pytest.raises(ValueError, match="SDS items"):
        GraphProbe.of(_aligner(view), view)
