"""The one graph read model (kg.graph_view): what it holds, its content key, its disk cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kg.graph_view as gv
from kg.align.aligner import LexicalIndex, text_features
from kg.embed.csr import csr_from_store
from kg.graph_model import Edge, Node
from kg.schema import CONCEPT
from kg.store.sqlite_store import SqliteGraphStore
from models.fusion.graph import ONTOLOGY_TYPES, view_from_store

_CONCEPTS = {
    "emotion:sadness": {"name_zh": "悲伤", "name_en": "sadness", "type": "Emotion",
                        "source": "s", "aliases": ["难过", "伤心"]},
    "emotion:joy": {"name_zh": "快乐", "name_en": "joy", "type": "Emotion", "source": "s"},
    "symptom:insomnia": {"name_zh": "失眠", "name_en": "insomnia", "type": "Symptom"},
    "valence:negative": {"name_zh": "负性", "name_en": "negative", "type": "Valence"},
    "other:nameless": {"type": "Other"},
}
_EDGES = [
    Edge("RELATED_TO", CONCEPT, "emotion:sadness", CONCEPT, "symptom:insomnia", {"weight": 0.5}),
    Edge("IS_A", CONCEPT, "emotion:sadness", CONCEPT, "valence:negative"),
    Edge("INDICATES", CONCEPT, "symptom:insomnia", CONCEPT, "emotion:sadness", {"weight": 2}),
    Edge("TREATED_BY", CONCEPT, "symptom:insomnia", CONCEPT, "emotion:joy"),
]


def _store(path: Path, concepts: dict[str, dict[str, Any]] = _CONCEPTS,
           cache: Path | None = None) -> SqliteGraphStore:
    store = SqliteGraphStore(path)
    store.ensure_schema()
    store.write([Node(CONCEPT, k, p) for k, p in concepts.items()], _EDGES)
    store.derived_cache = cache
    return store


def test_view_holds_what_the_store_holds(tmp_path: Path) -> None:
    store = _store(tmp_path / "g.sqlite3")
    view = gv.graph_view(store)
    assert view.ids == tuple(sorted(_CONCEPTS))
    assert [c.id for c in view.concepts] == [k for k in sorted(_CONCEPTS) if k != "other:nameless"]
    sad = view.concepts[[c.id for c in view.concepts].index("emotion:sadness")]
    assert sad.names == ("悲伤", "sadness", "难过", "伤心") and sad.type == "Emotion"
    assert view.names["symptom:insomnia"] == ("失眠", "insomnia")
    # The joint space's graph is the one csr_from_store reads from the store.
    want = csr_from_store(store, gv.ONTOLOGY_RELATIONS, node_labels=(CONCEPT,))
    got = view.csr(gv.ONTOLOGY_RELATIONS)
    assert got.ids == want.ids
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    # Fusion's projection: evidence relations only, weights from the edges, view order.
    onto = view_from_store(store)
    assert onto.out["symptom:insomnia"] == [("INDICATES", "emotion:sadness", 2.0)]
    assert onto.out["emotion:sadness"] == [("IS_A", "valence:negative", 1.0),
                                           ("RELATED_TO", "symptom:insomnia", 0.5)]
    assert all(rel in ONTOLOGY_TYPES for edges in onto.out.values() for rel, _d, _w in edges)
    store.close()


def test_view_follows_the_store_content(tmp_path: Path) -> None:
    store = _store(tmp_path / "a.sqlite3")
    first = gv.graph_view(store)
    assert gv.graph_view(store) is first  # unchanged store: the same object
    store.write([Node(CONCEPT, "emotion:fear", {"name_zh": "恐惧", "type": "Emotion"})])
    second = gv.graph_view(store)
    assert second.key != first.key and second.has("emotion:fear")
    other = SqliteGraphStore(tmp_path / "a.sqlite3")  # another process: the kept digest
    assert other.raw_digest(CONCEPT, gv.ONTOLOGY_RELATIONS) == store._compute_digest(
        CONCEPT, gv.ONTOLOGY_RELATIONS)
    store.write([], [Edge("IS_A", CONCEPT, "emotion:fear", CONCEPT, "valence:negative")])
    assert gv.graph_view(other).key not in (first.key, second.key)  # the edge dropped it
    other.close()
    twin = _store(tmp_path / "b.sqlite3")  # same content in another store: same key
    twin.write([Node(CONCEPT, "emotion:fear", {"name_zh": "恐惧", "type": "Emotion"})])
    assert gv.graph_view(twin).key == second.key
    store.close()
    twin.close()


def test_a_warm_process_loads_the_cached_view(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setattr(gv, "_BY_KEY", {})  # views other tests made in this process
    cold = gv.graph_view(_store(tmp_path / "a.sqlite3", cache=cache))
    assert (cache / "models" / f"graph-{cold.key}" / "view.json").is_file()
    monkeypatch.setattr(gv, "_BY_KEY", {})  # a new process: nothing in memory

    def must_not_read(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a warm start decoded the store")

    monkeypatch.setattr(gv, "read_store", must_not_read)
    warm = gv.graph_view(_store(tmp_path / "b.sqlite3", cache=cache))
    assert warm.key == cold.key and warm.ids == cold.ids
    assert warm.concepts == cold.concepts
    assert list(warm.edges(gv.ONTOLOGY_RELATIONS)) == list(cold.edges(gv.ONTOLOGY_RELATIONS))


def test_lexical_index_round_trip(tmp_path: Path) -> None:
    view = gv.graph_view(_store(tmp_path / "g.sqlite3"))
    index = LexicalIndex.build(view.concepts)
    assert index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded is not None and loaded.features == index.features
    for feature in {f for c in view.concepts for n in c.names for f in text_features(n)}:
        if len(feature) > 1:
            rows = loaded.rows(feature)
            assert rows == index.rows(feature) and rows == sorted(rows)
            assert all(any(feature in text_features(n) for n in view.concepts[i].names)
                       for i in rows)
    assert loaded.rows("不存在") == []
