from __future__ import annotations

from pathlib import Path

import pytest

from contracts.feature_text import Bilingual, FeatureText
from contracts.session_records import Alignment
from kg.align.aligner import text_features
from kg.align.cross_modal import cross_modal_links
from kg.align.gold import GoldFormatError, GoldRow, evaluate, ranking_metrics, read_gold


def test_ranking_metrics_follow_openea_conventions() -> None:
    m = ranking_metrics([1, 2, None, 10, 11])
    assert m.hits == {1: 0.2, 5: 0.4, 10: 0.6}
    assert m.mrr == pytest.approx((1 + 1 / 2 + 1 / 10 + 1 / 11) / 5)


def test_evaluate_splits_languages() -> None:
    rows = [GoldRow(1, "眉头紧锁", "au:AU4"), GoldRow(2, "frowning", "au:AU4")]
    metrics, details = evaluate(rows, lambda p: ["au:AU4"] if "眉" in p else ["au:AU12", "au:AU4"])
    assert metrics["zh"].hits[1] == 1.0 and metrics["en"].hits[1] == 0.0
    assert metrics["en"].mrr == 0.5 and [d[1] for d in details] == [1, 2]


def test_read_gold_rejects_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("phrase\tconcept\n# comment\nok\tau:AU4\nbroken line\n")
    with pytest.raises(GoldFormatError, match=":4:"):
        read_gold(path)


def test_a_one_language_gold_set_has_no_empty_subset() -> None:
    rows = [GoldRow(1, "皱眉", "au:AU4"), GoldRow(2, "嘴角上扬", "au:AU12")]
    metrics, _ = evaluate(rows, lambda phrase: ["au:AU4", "au:AU12"])
    assert set(metrics) == {"all", "zh"}
    assert metrics["zh"].hits[1] == 0.5 and metrics["all"].n == 2


def test_read_gold_names_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_bytes("皱眉\tau:AU4\n".encode("gbk"))
    with pytest.raises(GoldFormatError, match=r"g\.tsv is not UTF-8 text"):
        read_gold(path)
    path.write_text("phrase\tconcept\n皱眉\tau:AU4\n", encoding="utf-8-sig")  # BOM + header
    assert [(r.phrase, r.concept) for r in read_gold(path)] == [("皱眉", "au:AU4")]


def test_text_features_meet_across_word_forms() -> None:
    assert "w:rais" in text_features("cheeks raised") & text_features("Cheek Raiser")
    assert "眉毛" in text_features("眉毛下压")
    assert "au:4" in text_features("AU4 frown")


def _ft(modality: str, kind: str, instance: str) -> FeatureText:
    return FeatureText(modality=modality, kind=kind, instance=instance,  # type: ignore[arg-type]
                       text=Bilingual(zh="x", en="x"))


def test_cross_modal_links_only_agreeing_modalities() -> None:
    feats = [_ft("video", "micro_expression", "a"), _ft("audio", "speech_content", ""),
             _ft("scales", "scale_score", "SDS"), _ft("video", "micro_expression", "b")]
    ids = ["v1", "a1", "s1", "v2"]
    als = [Alignment(feature_id="v1", concept_id="me_class:negative", score=1, method="m", rank=1),
           Alignment(feature_id="a1", concept_id="polarity:negative", score=1, method="m", rank=1),
           Alignment(feature_id="s1", concept_id="severity:SDS:moderate", score=1, method="m", rank=1),
           Alignment(feature_id="v2", concept_id="me_class:positive", score=1, method="m", rank=1)]
    valence = {"me_class:negative": "negative", "polarity:negative": "negative",
               "me_class:positive": "positive"}
    links = cross_modal_links(feats, ids, als, valence)
    pairs = {(link.feature_a, link.feature_b, link.valence) for link in links}
    assert pairs == {("v1", "a1", "negative"), ("v1", "s1", "negative"), ("a1", "s1", "negative")}


def test_a_pair_agreeing_on_both_valences_is_one_mixed_link() -> None:
    """One link per pair, as the graph holds one CROSS_MODAL edge per pair."""
    feats = [_ft("video", "macro_expression", "m"), _ft("audio", "speech_content", "")]
    ids = ["v1", "a1"]
    als = [Alignment(feature_id=f, concept_id=c, score=1, method="m", rank=1)
           for f, c in [("v1", "emotion:sadness"), ("v1", "emotion:happiness"),
                        ("a1", "polarity:negative"), ("a1", "polarity:positive")]]
    valence = {"emotion:sadness": "negative", "emotion:happiness": "positive",
               "polarity:negative": "negative", "polarity:positive": "positive"}
    links = cross_modal_links(feats, ids, als, valence)
    assert [(x.feature_a, x.feature_b, x.valence) for x in links] == [("v1", "a1", "mixed")]
    assert links[0].concepts_a == ["emotion:happiness", "emotion:sadness"]
