"""Graph beam-search decoder: constraints, evidence, n-best, determinism and risk statements.

Runs against a real SQLite store loaded with the default seed (or, if the seed cannot be built
here, the scale concepts of kg/ontology/scale_definitions.py) and against no store at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from contracts.feature_text import Bilingual, FeatureText
from ingest.scales import scale_feature_texts
from kg.store.base import GraphStore
from kg.store.sqlite_store import SqliteGraphStore
from models.decoder import DecoderConfig, assess, decode
from models.fusion.graph import view_from_store
from models.fusion.state import RISKS
from research.cohort import CohortConfig, generate_cohort


def _load_minimal(store: SqliteGraphStore) -> None:
    from kg.graph_model import Edge, Node
    from kg.ontology.scale_definitions import concept_specs, relation_specs

    specs = concept_specs()
    nodes = [Node("Concept", s.id, {"name_zh": s.name_zh, "name_en": s.name_en, "type": s.type},
                  (s.type,)) for s in specs]
    edges = [Edge(r.type, "Concept", r.src, "Concept", r.dst, dict(r.props))
             for r in relation_specs()]
    store.write(nodes, edges)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path: Path = tmp_path_factory.mktemp("decoder") / "graph.sqlite3"
    s = SqliteGraphStore(path)
    s.ensure_schema()
    try:
        from kg.seed import build_default_seed, load_seed

        load_seed(s, build_default_seed())
    except ImportError:
        _load_minimal(s)
    yield s
    s.close()


def _speech_statement(risk: str = "high") -> FeatureText:
    return FeatureText(
        modality="audio", kind="speech_content",
        text=Bilingual(zh="我不想活了", en="I don't want to live"),
        values={"transcript": "我不想活了", "polarity": {"label": "negative"}, "symptoms": [],
                "suicide_risk": risk, "concept_ids": ["polarity:negative", f"risk:{risk}"]},
        confidence=0.9)


def _named_ok(result_nbest: list[dict], evidence_ids: set[str], has: object) -> None:
    for entry in result_nbest:
        for cid in entry["concepts"]:
            assert has(cid), f"{cid} named but not in the graph"  # type: ignore[operator]
            if entry["rank"] == 1:
                assert cid in evidence_ids, f"{cid} named but not attached as evidence"


def test_scales_only_without_store_names_level_risk_and_disclaimer() -> None:
    feats = scale_feature_texts({"PHQ9": [2, 2, 2, 1, 1, 2, 1, 1, 0]})
    a = assess(feats, ["s/f1"], [], None, beam_width=3)
    assert a.depression_level == "moderate" and a.suicide_risk == "none"
    assert "中度抑郁" in a.text.zh and "moderate depression" in a.text.en
    assert "不构成诊断" in a.text.zh and "not a diagnosis" in a.text.en
    assert "curated-ontology" in a.method and "beam_width=3" in a.method
    assert {e.claim for e in a.evidence} >= {"modality_missing:video", "modality_missing:speech"}


def test_every_named_concept_is_in_graph_and_evidence(store: GraphStore) -> None:
    view = view_from_store(store)
    for s in generate_cohort(40, seed=3):
        r = decode(s.features, s.feature_ids, [], store, beam_width=5)
        attached = {c for e in r.assessment.evidence for c in (*e.concept_ids, *e.path)}
        _named_ok(r.assessment.nbest, attached, view.has)
        for e in r.assessment.evidence:
            assert set(e.feature_ids) <= set(s.feature_ids)
        assert r.assessment.depression_level == r.state.depression_level


@pytest.mark.parametrize("width", [1, 3, 5, 10])
def test_beam_width_gives_n_sorted_candidates(store: GraphStore, width: int) -> None:
    s = generate_cohort(1, seed=11)[0]
    a = assess(s.features, s.feature_ids, [], store, beam_width=width)
    assert len(a.nbest) == width
    scores = [e["score"] for e in a.nbest]
    assert scores == sorted(scores, reverse=True)
    assert [e["rank"] for e in a.nbest] == list(range(1, width + 1))
    assert a.nbest[0]["text"] == a.text.model_dump()
    assert len({tuple(e["concepts"]) + (e["text"]["en"],) for e in a.nbest}) == width


def test_deterministic(store: GraphStore) -> None:
    s = generate_cohort(1, seed=5)[0]
    one = assess(s.features, s.feature_ids, [], store, beam_width=5).model_dump()
    two = assess(s.features, s.feature_ids, [], store, beam_width=5).model_dump()
    assert one == two


def test_risk_statement_whatever_other_modalities_say(store: GraphStore) -> None:
    """Property: an explicit signal (PHQ-9 item 9, HAMD item 3, speech) is always stated."""
    rng = np.random.default_rng(0)
    view = view_from_store(store)
    cohort = generate_cohort(150, seed=21, config=CohortConfig(risk_by_level=(0, 0, 0, 0)))
    for i, s in enumerate(cohort):
        kind = ("phq9", "hamd", "speech")[i % 3]
        feats = [f for f in s.features if f.kind != "scale_score"]  # other modalities as drawn
        if kind == "phq9":
            ans = [int(x) for x in rng.integers(0, 2, 8)] + [int(rng.integers(1, 4))]
            extra = scale_feature_texts({"PHQ9": ans})
        elif kind == "hamd":
            ans = [int(x) for x in rng.integers(0, 2, 17)]
            ans[2] = int(rng.integers(1, 5))
            extra = scale_feature_texts({"HAMD17": ans})
        else:
            extra = [_speech_statement()]
            feats = [f for f in feats if f.kind != "speech_content"]
        feats = feats + extra
        ids = [f"t{i}/{k}" for k in range(len(feats))]
        r = decode(feats, ids, [], store, beam_width=int(rng.integers(1, 8)))
        a = r.assessment
        expected = max((str(f.values.get("risk_level", f.values.get("suicide_risk", "none")))
                        for f in extra), key=RISKS.index)
        assert expected != "none"
        assert RISKS.index(a.suicide_risk) >= RISKS.index(expected)
        zh, en = view.name(f"risk:{a.suicide_risk}")
        assert zh in a.text.zh and en in a.text.en and "自杀风险" in a.text.zh
        assert any(e.claim == f"suicide_risk:{a.suicide_risk}" and e.feature_ids
                   for e in a.evidence)
        for entry in a.nbest:  # no candidate may go below the floor either
            risks = [c for c in entry["concepts"] if c.startswith("risk:")]
            assert RISKS.index(risks[0].split(":")[1]) >= RISKS.index(expected)


def test_all_modalities_without_store_reports_curated_graph() -> None:
    s = generate_cohort(1, seed=9)[0]
    r = decode(s.features, s.feature_ids, [], None, beam_width=2)
    assert r.state.missing == []
    assert "视频证据" in r.assessment.text.zh and "Speech evidence" in r.assessment.text.en


def test_bad_input_is_a_clear_error() -> None:
    feats = scale_feature_texts({"PHQ9": [0] * 9})
    with pytest.raises(ValueError, match="beam width"):
        assess(feats, ["a"], [], None, beam_width=0)
    with pytest.raises(ValueError, match="no feature texts"):
        assess([], [], [], None)
    with pytest.raises(ValueError, match="feature ids"):
        assess(feats, ["a", "b"], [], None)
    with pytest.raises(ValueError, match="kg_weight"):
        from models.fusion.weighted import FusionConfig
        DecoderConfig(fusion=FusionConfig(kg_weight=2.0))


def test_no_affect_evidence_says_undetermined_instead_of_guessing() -> None:
    f = FeatureText(modality="text", kind="transcript", text=Bilingual(zh="今天还好", en="ok"))
    a = assess([f], ["t1"], [], None, beam_width=3)
    assert a.depression_level == "unknown"
    assert "情绪状态：无法判断" in a.text.zh and "Emotional state: undetermined" in a.text.en
    assert not any(c.startswith(("valence:", "emotion:")) for e in a.nbest for c in e["concepts"])


def test_unseeded_store_falls_back_to_curated_ontology_and_says_so(tmp_path: Path) -> None:
    s = SqliteGraphStore(tmp_path / "empty.sqlite3")
    s.ensure_schema()
    try:
        a = assess(scale_feature_texts({"PHQ9": [1] * 9}), ["f"], [], s, beam_width=2)
    finally:
        s.close()
    assert "lacks" in a.method and "mindkg kg seed" in a.method
    assert a.depression_level == "mild" and a.suicide_risk == "moderate"


def test_claims_are_numbered_in_the_text_as_on_their_evidence(store: GraphStore) -> None:
    """Each claim resting on a feature ends its sentence with "[n]" in zh and en, numbered
    1.. in reading order; n is the `claim_number` of exactly that claim's evidence items."""
    from contracts.claims import claim_sentence, numbers_in

    for s in generate_cohort(25, seed=4):
        a = assess(s.features, s.feature_ids, [], store, beam_width=3)
        cited = numbers_in(a.text.zh)
        assert cited == numbers_in(a.text.en) == list(range(1, len(cited) + 1))
        by_number: dict[int, set[str]] = {}
        for e in a.evidence:
            assert (e.claim_number is None) == (not e.feature_ids), e
            if e.claim_number is not None:
                by_number.setdefault(e.claim_number, set()).add(e.claim)
        assert sorted(by_number) == cited and all(len(c) == 1 for c in by_number.values())
        for n, (claim,) in by_number.items():
            said = claim_sentence(a.text, n)
            assert said is not None
            head = {"emotional_state": ("情绪状态", "Emotional state"),
                    "depression_level": ("抑郁程度", "Depression level"),
                    "suicide_risk": ("自杀风险", "Suicide risk")}.get(claim.split(":")[0])
            if head:
                assert said.zh.startswith(head[0]) and said.en.startswith(head[1]), said
            else:
                assert "证据" in said.zh and "evidence" in said.en, said
        assert "不构成诊断" in a.text.zh and "not a diagnosis" in a.text.en


def test_candidates_built_without_evidence_read_as_with_it(store: GraphStore) -> None:
    """Only the best candidate's evidence is built; every other n-best candidate's text must
    cite the numbers its evidence would have had, and name the same concepts."""
    from contracts.claims import numbers_in
    from models.decoder.assess import _build, _evidence_concepts

    for s in generate_cohort(20, seed=8):
        r = decode(s.features, s.feature_ids, [], store, beam_width=8)
        named = _evidence_concepts(r.state, s.features, s.feature_ids, r.view,
                                   DecoderConfig().max_evidence_per_modality)
        for estimate_fid in (None, s.feature_ids[0]):
            for h in r.hypotheses:
                full: dict = {}  # separate caches: neither build leans on the other's
                lean: dict = {}
                with_items = _build(h, r.state, s.features, s.feature_ids, r.view, named, full,
                                    estimate_fid)
                without = _build(h, r.state, s.features, s.feature_ids, r.view, named, lean,
                                 estimate_fid, with_evidence=False)
                evidence = with_items[0].evidence  # numbered from the claims, not the items
                assert all((e.claim_number is None) == (not e.feature_ids) for e in evidence)
                assert numbers_in(with_items[0].text.zh) == sorted(
                    {e.claim_number for e in evidence if e.claim_number is not None})
                assert without[0].text == with_items[0].text
                assert without[1] == with_items[1] and not without[0].evidence
