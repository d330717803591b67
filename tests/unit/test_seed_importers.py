"""OpenKG-style importers on tiny files written here (synthetic triples, real parsers)."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from pathlib import Path

import pytest

from kg.seed import SeedError, SeedGraph, SourceInfo, load_seed
from kg.seed.cmekg import load_pickle
from kg.seed.importers import import_file, load_mapping, read_table
from kg.seed.triples import PredicateRule, TripleMapping
from kg.store.sqlite_store import SqliteGraphStore

SRC = SourceInfo("source:test-dump", "synthetic test dump", "2024-01")
MAPPING = TripleMapping(
    namespace="demo",
    predicates={
        "症状": PredicateRule("HAS_SYMPTOM", object_type="Symptom"),
        "并发症": PredicateRule("COMPLICATION_OF", reverse=True, object_type="Complication"),
        "检查": "EXAMINED_BY",
    },
    attributes={"英文名": "name_en", "别名": "aliases"},
)

TSV = (
    "subject\tpredicate\tobject\n"
    "抑郁症\t症状\t失眠\n"
    "抑郁症\t症状\t情绪低落\n"
    "抑郁症\t并发症\t焦虑症\n"
    "抑郁症\t检查\t抑郁自评量表\n"
    "抑郁症\t英文名\tdepression\n"
    "抑郁症\t别名\t忧郁症\n"
    "抑郁症\t好发人群\t青少年\n"
)


def _edge(seed: SeedGraph, rel: str, src: str, dst: str) -> dict:
    found = [e for e in seed.edges() if (e.type, e.src_key, e.dst_key) == (rel, src, dst)]
    assert len(found) == 1, f"missing {src}-[{rel}]->{dst}"
    return dict(found[0].props)


def test_tsv_import_maps_predicates_types_and_provenance(tmp_path: Path) -> None:
    path = tmp_path / "dump.tsv"
    path.write_text(TSV, encoding="utf-8")
    seed = import_file(path, MAPPING, SRC)
    assert seed.concept_type("demo:失眠") == "Symptom"
    assert seed.concept_type("demo:焦虑症") == "Complication"
    assert seed.concept_type("demo:抑郁症") == "Other"
    dep = seed.concept("demo:抑郁症")
    assert dep["name_zh"] == "抑郁症" and dep["name_en"] == "depression"
    assert dep["aliases"] == ["忧郁症"]
    # reverse rule: the complication points at the disorder
    _edge(seed, "COMPLICATION_OF", "demo:焦虑症", "demo:抑郁症")
    assert _edge(seed, "HAS_SYMPTOM", "demo:抑郁症", "demo:失眠")["predicate"] == "症状"
    # unknown predicate -> RELATED_TO carrying the source predicate
    unknown = _edge(seed, "RELATED_TO", "demo:抑郁症", "demo:青少年")
    assert unknown["predicate"] == "好发人群" and unknown["mapped"] is False
    # provenance everywhere, plus a Source node and FROM_SOURCE edges
    nodes = seed.nodes()
    assert [n.key for n in nodes if n.label == "Source"] == ["source:test-dump"]
    for node in nodes:
        if node.label == "Concept":
            assert node.props["source"] == "source:test-dump"
            assert node.props["source_version"] == "2024-01"
            _edge(seed, "FROM_SOURCE", node.key, "source:test-dump")
    for edge in seed.edges():
        assert edge.props["source"] == "source:test-dump"
        assert edge.props["source_version"] == "2024-01"
    assert seed.dangling_edges() == []


def test_csv_import_handles_quotes(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_text('s,p,o\n"焦虑, 急性",症状,心悸\n', encoding="utf-8")
    seed = import_file(path, MAPPING, SRC)
    assert seed.has_concept("demo:焦虑, 急性")
    _edge(seed, "HAS_SYMPTOM", "demo:焦虑, 急性", "demo:心悸")


def test_bad_rows_fail_with_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("抑郁症\t症状\t失眠\n抑郁症\t症状\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"bad.tsv:2"):
        list(read_table(path))
    empty = tmp_path / "empty.tsv"
    empty.write_text("subject\tpredicate\tobject\n", encoding="utf-8")
    with pytest.raises(SeedError, match="no triples"):
        import_file(empty, MAPPING, SRC)
    with pytest.raises(SeedError, match="delimiter"):
        list(read_table(tmp_path / "dump.txt"))


NT = """\
<http://kg.example.org/d/抑郁症> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://kg.example.org/c/Disorder> .
<http://kg.example.org/d/抑郁症> <http://www.w3.org/2000/01/rdf-schema#label> "抑郁症"@zh .
<http://kg.example.org/d/抑郁症> <http://www.w3.org/2000/01/rdf-schema#label> "depression"@en .
<http://kg.example.org/d/抑郁症> <http://kg.example.org/p/症状> <http://kg.example.org/d/失眠> .
<http://kg.example.org/d/抑郁症> <http://kg.example.org/p/患病率> "4.2%" .
<http://kg.example.org/d/抑郁症> <http://kg.example.org/p/mentionedIn> <http://kg.example.org/d/Paper1> .
"""

TTL = """\
@prefix d: <http://kg.example.org/d/> .
@prefix p: <http://kg.example.org/p/> .
@prefix c: <http://kg.example.org/c/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
d:抑郁症 a c:Disorder ;
    rdfs:label "抑郁症"@zh, "depression"@en ;
    p:症状 d:失眠 ;
    p:患病率 "4.2%" ;
    p:mentionedIn d:Paper1 .
"""


def _summary(seed: SeedGraph) -> tuple[list, list]:
    nodes = sorted((n.label, n.key, sorted(n.extra_labels)) for n in seed.nodes())
    edges = sorted((e.type, e.src_key, e.dst_key) for e in seed.edges())
    return nodes, edges


def test_ntriples_and_turtle_give_the_same_graph(tmp_path: Path) -> None:
    nt, ttl = tmp_path / "kg.nt", tmp_path / "kg.ttl"
    nt.write_text(NT, encoding="utf-8")
    ttl.write_text(TTL, encoding="utf-8")
    seed_nt = import_file(nt, MAPPING, SRC)
    seed_ttl = import_file(ttl, MAPPING, SRC)
    assert _summary(seed_nt) == _summary(seed_ttl)
    dep = seed_nt.concept("demo:抑郁症")
    assert seed_nt.concept_type("demo:抑郁症") == "Disorder"  # from rdf:type
    assert (dep["name_zh"], dep["name_en"]) == ("抑郁症", "depression")
    assert any(v == ["4.2%"] for k, v in dep.items() if k.startswith("attr_"))
    _edge(seed_nt, "HAS_SYMPTOM", "demo:抑郁症", "demo:失眠")  # predicate matched by local name
    assert _edge(seed_nt, "RELATED_TO", "demo:抑郁症", "demo:Paper1")["predicate"].endswith(
        "mentionedIn"
    )


def test_bad_rdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix d: <http://x/> .\nd:a d:b \n", encoding="utf-8")
    with pytest.raises(SeedError, match="not valid turtle"):
        import_file(bad, MAPPING, SRC)
    with pytest.raises(SeedError, match="unknown relationship type"):
        PredicateRule("CAUSES")


def test_imported_dump_loads_idempotently(tmp_path: Path) -> None:
    path = tmp_path / "dump.tsv"
    path.write_text(TSV, encoding="utf-8")
    seed = import_file(path, MAPPING, SRC)
    store = SqliteGraphStore(tmp_path / "g.sqlite3")
    try:
        first = load_seed(store, seed)
        types = store.count_by_type()
        second = load_seed(store, seed)
        assert first == second and store.count_by_type() == types
        assert first["Concept"] == 6 and first["Source"] == 1
        stored = store.get_node("Concept", "demo:抑郁症")
        assert stored is not None and stored.props["source_version"] == "2024-01"
    finally:
        store.close()


def test_cmekg_pickle_loader_refuses_code(tmp_path: Path) -> None:
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(OrderedDict(a={"p": ["o"]})))
    with pytest.raises(SeedError, match="refusing"):
        load_pickle(path)
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps({"抑郁症": {"ICD10": ["F32.9"]}}))
    assert load_pickle(plain) == {"抑郁症": {"ICD10": ["F32.9"]}}


def test_mapping_from_json(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(
        '{"namespace": "demo", "predicates": {"症状": "HAS_SYMPTOM", "并发症": '
        '{"rel_type": "COMPLICATION_OF", "reverse": true, "object_type": "Complication"}}, '
        '"attributes": {"英文名": "name_en"}}',
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    dump = tmp_path / "dump.tsv"
    dump.write_text(TSV, encoding="utf-8")
    seed = import_file(dump, mapping, SRC)
    _edge(seed, "COMPLICATION_OF", "demo:焦虑症", "demo:抑郁症")
    assert seed.concept("demo:抑郁症")["name_en"] == "depression"
    path.write_text('{"namespace": "demo", "predicates": {"症状": {"rel": "X"}}}')
    with pytest.raises(SeedError, match="症状"):
        load_mapping(path)
