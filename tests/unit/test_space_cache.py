"""The joint space is cached by the content of the ontology it derives from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kg.align.space as space_mod
from kg.embed.word_vectors import save_model, train_joint
from kg.graph_model import Edge, Node
from kg.schema import CONCEPT
from kg.store.sqlite_store import SqliteGraphStore


def _store(path: Path, sad_name: str) -> SqliteGraphStore:
    store = SqliteGraphStore(path)
    store.ensure_schema()
    nodes = [Node(CONCEPT, "emotion:sadness", {"name_zh": sad_name, "name_en": "sadness",
                                               "type": "Emotion", "source": "s"}),
             Node(CONCEPT, "emotion:joy", {"name_zh": "快乐", "name_en": "joy",
                                           "type": "Emotion", "source": "s"}),
             Node(CONCEPT, "symptom:insomnia", {"name_zh": "失眠", "name_en": "insomnia",
                                                "type": "Symptom", "source": "s"})]
    edges = [Edge("RELATED_TO", CONCEPT, "emotion:sadness", CONCEPT, "symptom:insomnia")]
    store.write(nodes, edges)
    return store


def _tiny_model(home: Path, sentences: Any, walks: Any, **_kw: Any) -> Any:
    """A small real Word2Vec over the given sentences and walks (no offline corpus)."""
    kv, info = train_joint([*sentences, ["悲伤", "失眠", "快乐"]] * 3, walks, dim=16, epochs=2,
                           min_count=1)
    directory = home / "models" / "joint-test"
    save_model(kv, info, directory)
    return kv, info, directory


def test_warm_build_reads_the_cache_and_derives_nothing(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(tmp_path / "g.sqlite3", "悲伤")
    monkeypatch.setattr(space_mod, "build_joint_model", _tiny_model)
    cold = space_mod.build_joint_space(store, tmp_path, workers=1)

    def must_not_run(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a warm build regenerated what the cache holds")

    monkeypatch.setattr("kg.embed.node2vec.generate_walks", must_not_run)
    monkeypatch.setattr(space_mod, "build_joint_model", must_not_run)
    monkeypatch.setattr(space_mod, "label_sentences", must_not_run)
    warm = space_mod.build_joint_space(store, tmp_path, workers=1)
    assert np.array_equal(np.asarray(warm.name_matrix), np.asarray(cold.name_matrix))
    assert np.array_equal(np.asarray(warm.node_matrix), np.asarray(cold.node_matrix))
    assert isinstance(warm.name_matrix, np.memmap)  # mapped, not read into memory
    assert warm.model_dir == cold.model_dir
    store.close()


def test_changed_ontology_gets_a_new_key(tmp_path: Path) -> None:
    a = _store(tmp_path / "a.sqlite3", "悲伤")
    b = _store(tmp_path / "b.sqlite3", "难过")
    keys = []
    for store in (a, b):
        concepts = space_mod.load_concepts(store)
        graph = space_mod.csr_from_store(store, space_mod.ONTOLOGY_RELATIONS,
                                         node_labels=(CONCEPT,))
        keys.append(space_mod.space_key(concepts, graph, {"seed": 0}))
        keys.append(space_mod.space_key(concepts, graph, {"seed": 1}))
        store.close()
    assert len(set(keys)) == 4
