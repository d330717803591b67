"""One contract, two backends: every test here runs on the embedded store and on real Neo4j."""

from __future__ import annotations

import pytest

from kg.graph_model import Edge, GraphDataError, Node
from kg.store.base import GraphStore, StoreUnavailable


def _concepts(n: int) -> list[Node]:
    return [
        Node(
            "Concept",
            f"emotion:e{i}",
            {"name_zh": f"情绪{i}", "name_en": f"emotion {i}", "type": "Emotion"},
            extra_labels=("Emotion",),
        )
        for i in range(n)
    ]


def test_merge_is_idempotent_and_counts_labels(store: GraphStore) -> None:
    nodes = _concepts(5)
    edges = [
        Edge("RELATED_TO", "Concept", "emotion:e0", "Concept", f"emotion:e{i}", {"w": 0.5})
        for i in (1, 2)
    ]
    store.write(nodes, edges)
    store.write(nodes, edges)
    assert store.count_by_label() == {"Concept": 5, "Emotion": 5}
    assert store.count_by_type() == {"RELATED_TO": 2}


def test_roundtrip_properties_and_labels(store: GraphStore) -> None:
    props = {"name_zh": "悲伤", "score": 0.25, "n": 3, "flag": True, "aliases": ["难过", "伤心"]}
    store.write([Node("Concept", "emotion:sadness", props, extra_labels=("Emotion",))])
    got = store.get_node("Concept", "emotion:sadness")
    assert got is not None
    assert got.label == "Concept" and got.labels == ("Concept", "Emotion")
    assert got.props == {**props, "id": "emotion:sadness"}
    assert store.get_node("Emotion", "emotion:sadness") == got
    assert store.get_node("Concept", "emotion:missing") is None


def test_merge_updates_properties_and_adds_labels(store: GraphStore) -> None:
    store.write([Node("Concept", "c:1", {"a": 1, "b": "x"})])
    store.write([Node("Concept", "c:1", {"b": "y", "c": 2.5}, extra_labels=("Symptom",))])
    got = store.get_node("Concept", "c:1")
    assert got is not None
    assert got.props == {"id": "c:1", "a": 1, "b": "y", "c": 2.5}
    assert got.labels == ("Concept", "Symptom")


def test_find_nodes_filters_and_orders(store: GraphStore) -> None:
    store.write(
        _concepts(4)
        + [Node("Concept", "au:AU4", {"type": "ActionUnit"}, extra_labels=("ActionUnit",))]
    )
    found = store.find_nodes("Emotion")
    assert [n.key for n in found] == ["emotion:e0", "emotion:e1", "emotion:e2", "emotion:e3"]
    assert [n.key for n in store.find_nodes("Concept", {"type": "ActionUnit"})] == ["au:AU4"]
    assert len(store.find_nodes("Concept", limit=2)) == 2


def test_edges_directions_and_props(store: GraphStore) -> None:
    store.write(
        _concepts(3),
        [
            Edge("INDICATES", "Concept", "emotion:e0", "Concept", "emotion:e1", {"weight": 0.9}),
            Edge("IS_A", "Concept", "emotion:e2", "Concept", "emotion:e0"),
        ],
    )
    out = store.edges("Concept", "emotion:e0", direction="out")
    assert [(e.type, e.dst_key, e.props) for e in out] == [
        ("INDICATES", "emotion:e1", {"weight": 0.9})
    ]
    inc = store.edges("Concept", "emotion:e0", direction="in")
    assert [(e.type, e.src_key) for e in inc] == [("IS_A", "emotion:e2")]
    both = store.edges("Concept", "emotion:e0", direction="both")
    assert [e.type for e in both] == ["INDICATES", "IS_A"]
    assert (
        store.edges("Concept", "emotion:e0", rel_type="IS_A", direction="both")[0].src_key
        == "emotion:e2"
    )
    assert [e.type for e in store.iter_edges()] == ["INDICATES", "IS_A"]


def test_edge_to_missing_node_fails_whole_write(store: GraphStore) -> None:
    with pytest.raises(GraphDataError):
        store.write(
            _concepts(2), [Edge("RELATED_TO", "Concept", "emotion:e0", "Concept", "emotion:nope")]
        )
    assert store.count_by_label() == {}


def test_failure_mid_write_leaves_nothing(store: GraphStore) -> None:
    store.write(_concepts(1))

    def fail_after_first_batch(done: int, total: int) -> None:
        if done == 2:
            raise ConnectionResetError("injected: connection dropped mid-ingest")

    with pytest.raises((ConnectionResetError, StoreUnavailable)):
        store.write(_concepts(30), batch_size=10, on_batch=fail_after_first_batch)
    assert store.count_by_label() == {"Concept": 1, "Emotion": 1}


def test_replace_features_of_session(store: GraphStore) -> None:
    base = [Node("Student", "stu_a"), Node("Session", "stu_a/s1")]
    edges = [Edge("HAS_SESSION", "Student", "stu_a", "Session", "stu_a/s1")]
    f1 = [Node("FeatureText", "stu_a/s1/f1", {"kind": "scale_score"})]
    store.write(
        base + f1,
        [*edges, Edge("HAS_FEATURE", "Session", "stu_a/s1", "FeatureText", "stu_a/s1/f1")],
    )
    f2 = [Node("FeatureText", "stu_a/s1/f2", {"kind": "scale_score"})]
    stats = store.write(
        base + f2,
        [*edges, Edge("HAS_FEATURE", "Session", "stu_a/s1", "FeatureText", "stu_a/s1/f2")],
        replace_features_of="stu_a/s1",
    )
    assert stats.deleted_nodes == 1
    assert [n.key for n in store.find_nodes("FeatureText")] == ["stu_a/s1/f2"]


def test_delete_student_erases_their_sessions(store: GraphStore) -> None:
    store.write(
        [
            Node("Student", "stu_a"),
            Node("Session", "stu_a/s1"),
            Node("FeatureText", "stu_a/s1/f"),
            Node("Assessment", "stu_a/s1/assessment"),
            Node("Student", "stu_b"),
        ],
        [
            Edge("HAS_SESSION", "Student", "stu_a", "Session", "stu_a/s1"),
            Edge("HAS_FEATURE", "Session", "stu_a/s1", "FeatureText", "stu_a/s1/f"),
            Edge("HAS_ASSESSMENT", "Session", "stu_a/s1", "Assessment", "stu_a/s1/assessment"),
        ],
    )
    assert store.delete_student("stu_a") == 4
    assert store.count_by_label() == {"Student": 1}
    assert store.count_by_type() == {}


def test_injection_strings_are_data_not_code(store: GraphStore) -> None:
    evil = "x'}) MATCH (n) DETACH DELETE n //"
    store.write([Node("Concept", "c:keep"), Node("Concept", evil, {"name_zh": evil})])
    got = store.get_node("Concept", evil)
    assert got is not None and got.props["name_zh"] == evil
    assert store.count_by_label()["Concept"] == 2
    with pytest.raises(GraphDataError):
        Node("Concept`) DETACH DELETE (n", "k")
    with pytest.raises(GraphDataError):
        store.find_nodes("Concept", {"a` = 1 OR 1=1 //": 1})


def test_iter_nodes_all(store: GraphStore) -> None:
    store.write(_concepts(2) + [Node("Student", "stu_x")])
    assert [(n.label, n.key) for n in store.iter_nodes()] == [
        ("Concept", "emotion:e0"),
        ("Concept", "emotion:e1"),
        ("Student", "stu_x"),
    ]
    assert [n.key for n in store.iter_nodes("Student")] == ["stu_x"]


def test_ping_and_schema_are_idempotent(store: GraphStore) -> None:
    store.ping()
    store.ensure_schema()
    store.ensure_schema()
