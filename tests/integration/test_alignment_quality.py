"""The aligner on the real default seed and the shipped gold set (slow: shares one joint space)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.feature_text import Bilingual, FeatureText
from contracts.settings import PROJECT_ROOT, Settings
from kg.align.aligner import Aligner
from kg.align.gold import evaluate, read_gold
from kg.align.policy import align_features
from kg.align.service import load_aligner
from kg.seed import build_default_seed, load_seed
from kg.store.sqlite_store import SqliteGraphStore
from tests.conftest import SHARED_CACHE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteGraphStore, Settings]]:
    home = tmp_path_factory.mktemp("align") / "home"
    settings = Settings(home=home, cache_dir=SHARED_CACHE)
    store = SqliteGraphStore(settings.embedded_db_path)
    store.ensure_schema()
    load_seed(store, build_default_seed())
    yield store, settings
    store.close()


@pytest.fixture(scope="module")
def aligner(seeded: tuple[SqliteGraphStore, Settings]) -> Aligner:
    return load_aligner(*seeded)


def test_modality_rules_restrict_concept_types(aligner: Aligner) -> None:
    ranked = aligner.rank("眉头紧锁，嘴角下拉", modality="video", kind="micro_expression")
    assert ranked and all(aligner.concept_type(c.concept_id) in {"ActionUnit", "Emotion"} for c in ranked)
    ranked = aligner.rank("语速缓慢，停顿很多", modality="audio", kind="speech_rate")
    assert ranked[0].concept_id.startswith("rate:slow")


def test_polarity_contradiction_is_penalised(aligner: Aligner) -> None:
    text = "表情愉快 happy"
    free = {c.concept_id: c.score for c in aligner.rank(text, top_k=50)}
    neg = {c.concept_id: c.score for c in aligner.rank(text, polarity="negative", top_k=50)}
    assert neg.get("emotion:happiness", 0.0) < free["emotion:happiness"]


def test_gold_set_quality_is_reported_honestly(aligner: Aligner) -> None:
    rows = read_gold(PROJECT_ROOT / "data" / "gold" / "alignment_gold.tsv")
    metrics, _ = evaluate(rows, lambda p: aligner.rank_ids(p, top_k=10))
    # Regression floor well below the documented numbers (docs/alignment.md); a drop means a bug.
    assert metrics["all"].hits[10] >= 0.6
    assert metrics["all"].mrr >= 0.5


def test_session_alignment_writes_methods_and_cross_modal(seeded: tuple[SqliteGraphStore, Settings]) -> None:
    store, settings = seeded
    features = [
        FeatureText(modality="scales", kind="scale_score", instance="SDS",
                    text=Bilingual(zh="SDS 标准分 65，中度抑郁", en="SDS index 65, moderate depression"),
                    values={"concept_ids": ["scale:SDS", "severity:SDS:moderate"]}),
        FeatureText(modality="audio", kind="speech_content",
                    text=Bilingual(zh="言语内容：负面，提及失眠、无意义感", en="speech content: negative, insomnia, worthlessness"),
                    values={"polarity": {"label": "negative"}}),
    ]
    alignments, links, warnings = align_features(features, ["f/scale", "f/speech"], store, settings)
    methods = {(a.feature_id, a.method) for a in alignments}
    assert ("f/scale", "recognizer") in methods and ("f/speech", "joint-space") in methods
    speech = [a.concept_id for a in alignments if a.feature_id == "f/speech"]
    assert any(c.startswith(("polarity:negative", "symptom:")) for c in speech), speech
    assert not warnings
    assert any(link.valence == "negative" for link in links)


def test_missing_gold_file_is_a_clear_error(tmp_path: Path) -> None:
    from kg.align.gold import GoldFormatError

    with pytest.raises(GoldFormatError, match="does not exist"):
        read_gold(tmp_path / "none.tsv")
