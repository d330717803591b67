"""The default seed: real CMeKG pickle, real Cilin files, the curated ontology.

The seed is built once per test session (about a second; the CMeKG extraction is cached in a
session temp dir, which also exercises the cache).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg.ontology import scale_definitions as scales
from kg.seed import SeedGraph, build_default_seed, load_seed
from kg.seed.cmekg import cache_path, load_subset, locate_pickle
from kg.store.sqlite_store import SqliteGraphStore

# Table 1 of the source study, typed in from the paper text (not from kg/ontology/facs.py).
PAPER_AU_EMOTIONS = {
    1: {"sadness", "surprise", "fear", "interest"},
    2: {"surprise", "fear", "interest"},
    4: {"sadness", "fear", "anger", "confusion"},
    5: {"surprise", "fear", "anger", "interest"},
    6: {"happiness"},
    7: {"confusion", "fear", "anger"},
    9: {"disgust"},
    12: {"happiness", "contempt"},
    14: {"contempt", "boredom"},
    15: {"sadness", "disgust", "confusion"},
    17: {"sadness", "surprise", "fear"},
    20: {"fear"},
    23: {"anger", "confusion", "boredom"},
    24: {"boredom"},
    26: {"surprise", "fear"},
    43: {"boredom"},
}


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mindkg-cache")


@pytest.fixture(scope="session")
def seed(cache_dir: Path) -> SeedGraph:
    return build_default_seed(cache_dir=cache_dir)


def _out(seed: SeedGraph, src: str, rel: str) -> set[str]:
    return {e.dst_key for e in seed.edges() if e.src_key == src and e.type == rel}


def test_size_and_integrity(seed: SeedGraph) -> None:
    counts = seed.counts()
    assert counts["Concept"] >= 2000
    nodes = seed.nodes()
    keys = [(n.label, n.key) for n in nodes]
    assert len(keys) == len(set(keys)), "duplicate node ids"
    assert seed.dangling_edges() == []
    edge_ids = [(e.type, e.src_key, e.dst_key) for e in seed.edges()]
    assert len(edge_ids) == len(set(edge_ids))
    for node in nodes:
        if node.label == "Concept":
            assert {"name_zh", "name_en", "type", "source", "source_version"} <= set(node.props)
            assert node.props["name_zh"] or node.props["name_en"], node.key
            assert node.extra_labels == (node.props["type"],)
    assert all({"source", "source_version"} <= set(e.props) for e in seed.edges())
    assert {n.key for n in nodes if n.label == "Source"} == {
        "source:cmekg",
        "source:cilin",
        "source:mindkg-curated",
    }


def test_all_44_action_units_and_paper_table(seed: SeedGraph) -> None:
    aus = seed.concept_ids("ActionUnit")
    expected = {f"au:AU{n}" for n in range(1, 47) if n not in (3, 40)}
    assert set(aus) == expected and len(aus) == 44
    for n in range(1, 47):
        au = f"au:AU{n}"
        if au not in expected:
            continue
        emotions = {
            d.split(":", 1)[1] for d in _out(seed, au, "INDICATES") if d.startswith("emotion:")
        }
        assert emotions == PAPER_AU_EMOTIONS.get(n, set()), au
        assert seed.concept(au)["depression_marker"] is (n in (4, 14))
        assert len(_out(seed, au, "LOCATED_IN")) == 1
    assert "muscle:zygomaticus_major" in _out(seed, "au:AU12", "MOVES")


def test_emotion_hierarchy_and_speech_links(seed: SeedGraph) -> None:
    assert {"valence:negative", "me_class:negative"} <= _out(seed, "emotion:sadness", "IS_A")
    assert {"valence:positive", "me_class:positive"} <= _out(seed, "emotion:happiness", "IS_A")
    assert "me_class:surprise" in _out(seed, "emotion:surprise", "IS_A")
    assert len(seed.concept_ids("Emotion")) == 24
    assert "emotion:sadness" in _out(seed, "dutir:sadness", "SYNONYM_OF")
    assert "symptom:psychomotor_retardation" in _out(seed, "rate:slow_many_pauses", "INDICATES")
    assert "valence:negative" in _out(seed, "polarity:negative", "IS_A")
    assert {c for c in seed.concept_ids("RiskLevel")} == {
        "risk:none",
        "risk:low",
        "risk:moderate",
        "risk:high",
    }


def test_curated_concepts_carry_descriptions_and_aliases(seed: SeedGraph) -> None:
    """Text matching needs zh+en descriptions and lay aliases on every curated concept."""
    kinds = ("ActionUnit", "Emotion", "Prosody", "SpeechRate", "ContentPolarity", "Symptom")
    curated = [
        c
        for kind in kinds
        for c in seed.concept_ids(kind)
        if not c.startswith(("cmekg:", "cilin:"))
    ]
    assert len(curated) == 44 + 24 + 9 + 6 + 3 + 39
    for cid in curated:
        c = seed.concept(cid)
        assert c["description_zh"].strip() and c["description_en"].strip(), cid
        # lay aliases beyond the codes and the official names, in both languages
        official = {c["name_zh"], c["name_en"], c.get("facs_name"), cid.replace("au:", "")}
        lay = [a for a in c["aliases"] if a not in official]
        assert sum(not a.isascii() for a in lay) >= 2, cid
        assert sum(a.isascii() for a in lay) >= 2, cid
    assert {"皱眉", "frown"} <= set(seed.concept("au:AU4")["aliases"])
    assert {"嘴角上翘", "smile"} <= set(seed.concept("au:AU12")["aliases"])
    assert {"眨眼", "blink"} <= set(seed.concept("au:AU45")["aliases"])
    assert "眉间" in seed.concept("au:AU4")["description_zh"]
    assert {"难过", "downcast"} <= set(seed.concept("emotion:sadness")["aliases"])
    assert {"害怕", "scared"} <= set(seed.concept("emotion:fear")["aliases"])
    assert "monotone" in seed.concept("prosody:low_flat")["aliases"]
    assert "说话慢吞吞" in seed.concept("rate:slow_many_pauses")["aliases"]
    assert {"睡不着", "can't sleep"} <= set(seed.concept("symptom:insomnia")["aliases"])
    assert {"想死", "wanting to die"} <= set(seed.concept("symptom:suicidal_ideation")["aliases"])


def test_every_scale_item_and_band(seed: SeedGraph) -> None:
    for inst in scales.INSTRUMENTS.values():
        sid = scales.scale_id(inst.id)
        items = _out(seed, sid, "HAS_ITEM")
        assert items == {scales.scale_item_id(inst.id, i.number) for i in inst.items}
        for item in items:
            assessed = _out(seed, item, "ASSESSES")
            assert assessed and all(seed.concept_type(s) == "Symptom" for s in assessed), item
        bands = _out(seed, sid, "HAS_SEVERITY")
        assert len(bands) == len(inst.bands)
        for band in bands:
            assert len(_out(seed, band, "IS_A")) == 1
    assert len(seed.concept_ids("ScaleItem")) == 20 + 17 + 9 + 21
    assert _out(seed, "scale_item:PHQ9:9", "SIGNALS_RISK") == {"risk:moderate", "risk:high"}


def test_depression_neighbourhood_reaches_its_scales(seed: SeedGraph) -> None:
    dep = seed.concept("cmekg:抑郁症")
    assert dep["type"] == "Disorder" and dep["icd10"] == ["F32.9"] and dep["hop"] == 0
    measured = _out(seed, "cmekg:抑郁症", "MEASURED_BY")
    assert {"cmekg:BDI", "cmekg:PHQ—9", "cmekg:抑郁自评量表", "cmekg:汉密尔顿抑郁量表"} <= measured
    assert {"scale:SDS", "scale:HAMD17", "scale:PHQ9", "scale:BDI2"} <= measured
    assert "cmekg:抑郁自评量表" in _out(seed, "scale:SDS", "SYNONYM_OF")
    assert "cmekg:汉密尔顿抑郁量表" in _out(seed, "scale:HAMD17", "SYNONYM_OF")
    symptoms = _out(seed, "cmekg:抑郁症", "HAS_SYMPTOM")
    assert len(symptoms) >= 30 and "cmekg:情绪低落" in _out(
        seed, "symptom:depressed_mood", "SYNONYM_OF"
    )
    for name in ("焦虑症", "神经衰弱", "产后抑郁症", "初发性或维持性睡眠障碍［失眠症］"):
        c = seed.concept(f"cmekg:{name}")
        assert c["hop"] == 0 and c["seed_reasons"], name
    assert "cmekg:抑郁症" in _out(seed, "symptom:suicidal_ideation", "INDICATES")


def test_traversal_stays_within_two_hops(seed: SeedGraph) -> None:
    cmekg = seed.concept_ids()
    hops = Counter(seed.concept(c)["hop"] for c in cmekg if c.startswith("cmekg:"))
    assert set(hops) == {0, 1, 2} and hops[0] >= 100
    # every hop-1 node is adjacent (either direction) to a seed disorder
    seeds = {c for c in cmekg if c.startswith("cmekg:") and seed.concept(c)["hop"] == 0}
    adjacent: set[str] = set()
    for e in seed.edges():
        if e.src_key in seeds:
            adjacent.add(e.dst_key)
        if e.dst_key in seeds:
            adjacent.add(e.src_key)
    hop1 = {c for c in cmekg if c.startswith("cmekg:") and seed.concept(c)["hop"] == 1}
    assert hop1 <= adjacent


def test_cilin_groups_link_to_emotions(seed: SeedGraph) -> None:
    assert seed.concept("cilin:Ga")["name_zh"] == "心理状态"
    group = seed.concept("cilin:Ga01B01=")
    assert "悲伤" in group["aliases"] and group["flag"] == "="
    assert "emotion:sadness" in _out(seed, "cilin:Ga01B01=", "SYNONYM_OF")
    assert "cilin:Ga01B" in _out(seed, "cilin:Ga01B01=", "PART_OF")
    assert len(seed.concept_ids("WordGroup")) >= 300


def test_cache_round_trip(seed: SeedGraph, cache_dir: Path) -> None:
    version = locate_pickle().version
    path = cache_path(cache_dir, version)
    assert path.is_file() and json.loads(path.read_text(encoding="utf-8"))["version"] == version
    again = load_subset(cache_dir)
    assert len(again.hops) == sum(1 for c in seed.concept_ids() if c.startswith("cmekg:"))


def test_load_twice_changes_nothing(seed: SeedGraph, tmp_path: Path) -> None:
    store = SqliteGraphStore(tmp_path / "graph.sqlite3")
    try:
        first = load_seed(store, seed)
        by_type = store.count_by_type()
        node = store.get_node("Concept", "au:AU4")
        second = load_seed(store, seed)
        assert first == second == seed.counts()
        assert store.count_by_type() == by_type == seed.edge_counts()
        assert store.get_node("Concept", "au:AU4") == node
    finally:
        store.close()


def test_build_is_deterministic(seed: SeedGraph, cache_dir: Path) -> None:
    """Same inputs, same node and edge order: seeded embeddings depend on it."""
    again = build_default_seed(cache_dir=cache_dir)
    assert [(n.key, dict(n.props)) for n in again.nodes()] == [
        (n.key, dict(n.props)) for n in seed.nodes()
    ]
    assert [(e.type, e.src_key, e.dst_key) for e in again.edges()] == [
        (e.type, e.src_key, e.dst_key) for e in seed.edges()
    ]
