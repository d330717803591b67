"""node2vec walks and embeddings: validity, exact p/q bias, weights, seeding, workers.

Graphs here are small synthetic ones built in the tests (seeded numpy), labelled as such.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kg.embed.csr import (
    CSRGraph,
    GraphInputError,
    csr_from_edges,
    csr_from_store,
    label_checked_keys,
    read_edge_list,
)
from kg.embed.node2vec import Node2Vec, Walks, generate_walks, walks_as_tokens
from kg.graph_model import Edge, Node
from kg.store.sqlite_store import SqliteGraphStore

REPO = Path(__file__).resolve().parents[2]


def synthetic_graph(
    n: int = 40, extra: int = 60, seed: int = 3, weighted: bool = False
) -> CSRGraph:
    """Synthetic: a ring (connected) plus random chords, so walks meet triangles and hubs."""
    rng = np.random.default_rng(seed)
    pairs = [(i, (i + 1) % n) for i in range(n)]
    pairs += [(int(a), int(b)) for a, b in rng.integers(0, n, size=(extra, 2)) if a != b]
    if weighted:
        return csr_from_edges(
            [(f"n{a}", f"n{b}", float(rng.uniform(0.2, 5.0))) for a, b in pairs]
        )
    return csr_from_edges([(f"n{a}", f"n{b}") for a, b in pairs])


def arc_weight(g: CSRGraph, v: int, x: int) -> float:
    row = g.indices[g.indptr[v] : g.indptr[v + 1]]
    k = int(np.searchsorted(row, x))
    assert row[k] == x
    return 1.0 if g.weights is None else float(g.weights[g.indptr[v] + k])


def bias_counts(
    g: CSRGraph, walks: Walks, p: float, q: float
) -> dict[str, tuple[float, float, float]]:
    """For every second-order step: observed count, expected count and variance per kind.

    Expected probabilities are computed independently of the kernel from the node2vec
    definition, so any bias error (wrong 1/p, 1/q, neighbour test, weights) shows up.
    """
    obs = {"return": 0.0, "common": 0.0, "out": 0.0}
    exp = dict.fromkeys(obs, 0.0)
    var = dict.fromkeys(obs, 0.0)
    for i in range(len(walks)):
        row = walks.nodes[i, : walks.lengths[i]].tolist()
        for t, v, x in zip(row, row[1:], row[2:], strict=False):
            nbrs_t = set(g.indices[g.indptr[t] : g.indptr[t + 1]].tolist())
            mass = dict.fromkeys(obs, 0.0)
            for y in g.indices[g.indptr[v] : g.indptr[v + 1]].tolist():
                kind = "return" if y == t else "common" if y in nbrs_t else "out"
                a = 1 / p if kind == "return" else 1.0 if kind == "common" else 1 / q
                mass[kind] += arc_weight(g, v, y) * a
            total = sum(mass.values())
            for kind in obs:
                pk = mass[kind] / total
                exp[kind] += pk
                var[kind] += pk * (1 - pk)
            obs["return" if x == t else "common" if x in nbrs_t else "out"] += 1
    return {k: (obs[k], exp[k], var[k]) for k in obs}


def assert_valid(g: CSRGraph, walks: Walks, walk_length: int) -> None:
    for i in range(len(walks)):
        row = walks.nodes[i, : walks.lengths[i]].tolist()
        assert (walks.nodes[i, walks.lengths[i] :] == -1).all()
        start = row[0]
        if g.indptr[start + 1] == g.indptr[start]:
            assert len(row) == 1
        else:
            assert len(row) == walk_length
        for a, b in itertools.pairwise(row):
            assert g.has_edge(g.ids[a], g.ids[b]), (g.ids[a], g.ids[b])


# -- CSR ------------------------------------------------------------------------------------


def test_csr_sorted_undirected_merged_and_order_independent() -> None:
    edges = [("b", "a"), ("a", "c"), ("a", "b"), ("c", "c"), ("d", "a", 2.0)]
    g = csr_from_edges(edges, nodes=["z"])
    assert g.ids == ("a", "b", "c", "d", "z")
    assert g.neighbors("a") == ["b", "c", "d"]
    assert g.neighbors("c") == ["a"]  # self-loop dropped
    assert g.degree("z") == 0
    assert g.edge_weight("a", "b") == 2.0  # duplicate (b,a)+(a,b) summed
    assert g.edge_weight("a", "d") == 2.0 and g.edge_weight("d", "a") == 2.0
    assert g.num_edges == 3
    shuffled = csr_from_edges(list(reversed(edges)), nodes=["z"])
    assert shuffled.ids == g.ids
    assert np.array_equal(shuffled.indptr, g.indptr)
    assert np.array_equal(shuffled.indices, g.indices)


def test_csr_directed_keeps_direction() -> None:
    g = csr_from_edges([("a", "b"), ("b", "c")], directed=True)
    assert g.has_edge("a", "b") and not g.has_edge("b", "a")
    assert g.num_edges == 2 and g.weights is None


@pytest.mark.parametrize(
    "bad",
    [[("a", "")], [("a", "b", 0.0)], [("a", "b", -1.0)], [("a", "b", float("nan"))],
     [("a", "b", "heavy")], [("a",)], [("a", 3)]],
)
def test_csr_rejects_bad_edges(bad: list[tuple[object, ...]]) -> None:
    with pytest.raises(GraphInputError):
        csr_from_edges(bad)


def test_read_edge_list(tmp_path: Path) -> None:
    path = tmp_path / "edges.tsv"
    path.write_text("# synthetic\na\tb\nb\tc\t2.5\n\n", encoding="utf-8")
    g = read_edge_list(path)
    assert g.ids == ("a", "b", "c") and g.edge_weight("c", "b") == 2.5
    path.write_text("a\tb\tc\td\n", encoding="utf-8")
    with pytest.raises(GraphInputError, match=r"edges\.tsv:1"):
        read_edge_list(path)


def test_csr_from_store(tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "graph.sqlite3")
    store.ensure_schema()
    concepts = ["au:AU4", "emotion:sadness", "emotion:anger", "au:AU6", "risk:none"]
    nodes = [Node("Concept", c, {"name_en": c}) for c in concepts]
    edges = [
        Edge("INDICATES", "Concept", "au:AU4", "Concept", "emotion:sadness", {"score": 3.0}),
        Edge("INDICATES", "Concept", "au:AU4", "Concept", "emotion:anger"),
        Edge("RELATED_TO", "Concept", "emotion:anger", "Concept", "au:AU6"),
    ]
    store.write(nodes, edges)
    try:
        g = csr_from_store(store)
        assert g.ids == ("au:AU4", "au:AU6", "emotion:anger", "emotion:sadness")
        assert g.neighbors("au:AU4") == ["emotion:anger", "emotion:sadness"]
        only = csr_from_store(store, ["INDICATES"], weight_property="score",
                              node_labels=["Concept"])
        assert "risk:none" in only.ids and only.degree("risk:none") == 0
        assert only.degree("au:AU6") == 0
        assert only.edge_weight("au:AU4", "emotion:sadness") == 3.0
        assert only.edge_weight("au:AU4", "emotion:anger") == 1.0
    finally:
        store.close()


def test_a_key_under_two_labels_is_an_error(tmp_path: Path) -> None:
    key = label_checked_keys()
    assert key("Concept", "x") == "x" and key("Concept", "x") == "x"
    with pytest.raises(GraphInputError, match="labels Concept and Symptom"):
        key("Symptom", "x")
    store = SqliteGraphStore(tmp_path / "graph.sqlite3")
    store.ensure_schema()
    store.write([Node("Concept", "x", {}), Node("Symptom", "x", {}), Node("Concept", "y", {})],
                [Edge("RELATED_TO", "Concept", "x", "Concept", "y"),
                 Edge("RELATED_TO", "Symptom", "x", "Concept", "y")])
    try:
        with pytest.raises(GraphInputError, match="unique across labels"):
            csr_from_store(store)
    finally:
        store.close()


# -- walks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25), (0.02, 1.0)])
@pytest.mark.parametrize("weighted", [False, True])
def test_walks_follow_edges(p: float, q: float, weighted: bool) -> None:
    g = synthetic_graph(weighted=weighted)
    walks = generate_walks(g, walk_length=12, num_walks=3, p=p, q=q, seed=5)
    assert len(walks) == 3 * g.num_nodes
    assert sorted(walks.nodes[: g.num_nodes, 0].tolist()) == list(range(g.num_nodes))
    assert_valid(g, walks, 12)


# (p, q) pairs cover the rejection path and the exact-scan path (ratio > 8).
@pytest.mark.parametrize("p,q", [(1.0, 0.5), (0.5, 2.0), (4.0, 0.25), (0.05, 1.0), (1.0, 20.0)])
@pytest.mark.parametrize("weighted", [False, True])
def test_step_distribution_matches_node2vec_definition(p: float, q: float, weighted: bool) -> None:
    g = synthetic_graph(weighted=weighted)
    walks = generate_walks(g, walk_length=30, num_walks=20, p=p, q=q, seed=11)
    for kind, (obs, exp, var) in bias_counts(g, walks, p, q).items():
        assert abs(obs - exp) <= 5 * np.sqrt(var) + 1, (kind, obs, exp)


def test_low_q_moves_outward_and_low_p_returns() -> None:
    g = synthetic_graph()

    def shares(p: float, q: float) -> dict[str, float]:
        counts = bias_counts(g, generate_walks(g, walk_length=30, num_walks=10, p=p, q=q), p, q)
        total = sum(c[0] for c in counts.values())
        return {k: c[0] / total for k, c in counts.items()}

    outward, inward = shares(1.0, 0.25), shares(1.0, 4.0)
    assert outward["out"] > inward["out"] + 0.2
    returning, leaving = shares(0.25, 1.0), shares(4.0, 1.0)
    assert returning["return"] > leaving["return"] + 0.2


def test_weighted_first_step_follows_weights() -> None:
    g = csr_from_edges([("hub", "heavy", 9.0), ("hub", "light", 1.0)])
    walks = generate_walks(g, walk_length=2, num_walks=4000, seed=2)
    from_hub = walks.nodes[walks.nodes[:, 0] == g.index_of("hub"), 1]
    share = float(np.mean(from_hub == g.index_of("heavy")))
    assert 0.87 < share < 0.93


def test_isolated_nodes_and_dead_ends() -> None:
    g = csr_from_edges([("a", "b"), ("b", "c")], directed=True, nodes=["lonely"])
    walks = generate_walks(g, walk_length=5, num_walks=2, seed=0)
    by_start = {walks.as_ids(i)[0]: walks.as_ids(i) for i in range(len(walks))}
    assert by_start["lonely"] == ["lonely"]
    assert by_start["a"] == ["a", "b", "c"]  # stops at the sink
    assert by_start["c"] == ["c"]
    tokens = walks_as_tokens(walks)
    assert ["node::lonely"] in list(tokens) and len(tokens) == len(walks)
    assert tokens[0] == ["node::" + x for x in walks.as_ids(0)]


def test_same_seed_same_walks_any_workers_and_chunking() -> None:
    # 3,000 nodes x 25 walks = 75,000 walks: many chunks spread over the threads.
    g = csr_from_edges([(f"v{i}", f"v{(i * 7 + 1) % 3000}") for i in range(3000)]
                       + [(f"v{i}", f"v{(i + 1) % 3000}") for i in range(3000)])
    a = generate_walks(g, walk_length=8, num_walks=25, p=0.5, q=2.0, seed=42, workers=1)
    b = generate_walks(g, walk_length=8, num_walks=25, p=0.5, q=2.0, seed=42, workers=2)
    assert a.nodes.tobytes() == b.nodes.tobytes()
    assert a.lengths.tobytes() == b.lengths.tobytes()
    c = generate_walks(g, walk_length=8, num_walks=25, p=0.5, q=2.0, seed=43, workers=2)
    assert a.nodes.tobytes() != c.nodes.tobytes()


def test_bad_parameters_are_rejected() -> None:
    g = synthetic_graph()
    for kwargs in ({"p": 0.0}, {"q": -1.0}, {"walk_length": 0}, {"num_walks": 1.5},
                   {"workers": 0}, {"seed": -1}):
        with pytest.raises(ValueError):
            generate_walks(g, **kwargs)
    with pytest.raises(ValueError, match="dimensions"):
        Node2Vec(dimensions=0)
    with pytest.raises(RuntimeError):
        Node2Vec().walks_as_tokens()


# -- embeddings -----------------------------------------------------------------------------

_EMBED_SCRIPT = """
import hashlib, importlib.util
spec = importlib.util.spec_from_file_location("t", {path!r})
t = importlib.util.module_from_spec(spec)
spec.loader.exec_module(t)
from kg.embed.node2vec import Node2Vec
g = t.synthetic_graph(weighted=True)
m = Node2Vec(dimensions=16, walk_length=10, num_walks=5, p=0.5, q=2.0, workers={workers},
             seed=7, window=4, epochs=2).fit(g)
print(hashlib.sha256(m.embedding_matrix(g.ids).tobytes()).hexdigest())
"""


def embedding_digest(workers: int) -> str:
    g = synthetic_graph(weighted=True)
    m = Node2Vec(dimensions=16, walk_length=10, num_walks=5, p=0.5, q=2.0, workers=workers,
                 seed=7, window=4, epochs=2).fit(g)
    return hashlib.sha256(m.embedding_matrix(g.ids).tobytes()).hexdigest()


def test_embeddings_bit_identical_across_runs_workers_and_hash_seeds() -> None:
    one = embedding_digest(workers=1)
    assert embedding_digest(workers=2) == one
    # Another process with another string-hash salt and two walk threads.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", _EMBED_SCRIPT.format(path=__file__, workers=2)],
        capture_output=True, text=True, env=env, cwd=REPO, check=True, timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1] == one


def test_embedding_keys_differ_by_seed_and_cover_isolated_nodes() -> None:
    g = csr_from_edges([("a", "b"), ("b", "c"), ("c", "a")], nodes=["alone"])
    m1 = Node2Vec(dimensions=8, walk_length=6, num_walks=4, seed=1).fit(g)
    m2 = Node2Vec(dimensions=8, walk_length=6, num_walks=4, seed=2).fit(g)
    assert m1.vector("alone").shape == (8,)
    assert not np.array_equal(m1.embedding_matrix(g.ids), m2.embedding_matrix(g.ids))
    assert m1.model.wv.key_to_index.keys() == {"node::a", "node::b", "node::c", "node::alone"}
    with pytest.raises(KeyError):
        m1.vector("missing")
