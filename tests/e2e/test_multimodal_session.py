"""A SYNTHETIC multimodal session (generated face video, Mandarin speech, scales) through the
real decoders, recognizers, aligner and decoder into both graph stores."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from kg.seed import build_default_seed, load_seed
from kg.store.factory import open_store
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow
BUNDLE = SAMPLES / "sessions" / "zh_w03_multimodal"


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def seeded_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    chosen = settings
    if request.param == "neo4j":
        request.getfixturevalue("neo4j_store")  # wipes the database
        chosen = request.getfixturevalue("neo4j_settings")
    with open_store(chosen) as store:
        load_seed(store, build_default_seed())
    return chosen


def _env(settings: Settings) -> dict[str, str]:
    env = {"MINDKG_HOME": str(settings.home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_NEO4J_URI": settings.neo4j_uri or ""}
    if settings.neo4j_password is not None:
        env["MINDKG_NEO4J_PASSWORD"] = settings.neo4j_password.get_secret_value()
    if settings.cache_dir is not None:
        env["MINDKG_CACHE_DIR"] = str(settings.cache_dir)
    return env


def test_multimodal_session_end_to_end(seeded_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["analyze", str(BUNDLE), "--json"], env=_env(seeded_settings))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(data["modalities_used"]) == ["audio", "scales", "video"]
    kinds = {f["kind"] for f in data["feature_texts"]}
    assert {"micro_expression", "action_units", "speech_content", "intonation", "speech_rate",
            "scale_score"} <= kinds
    speech = {f["kind"]: f["values"] for f in data["feature_texts"] if f["modality"] == "audio"}
    for key in ("syllables_per_second", "pause_ratio"):
        assert key in speech["speech_rate"]
    for key in ("f0_mean_hz", "f0_range_semitones", "energy_db", "zcr", "spectral_centroid_hz"):
        assert key in speech["intonation"]
    assert "transcript" in speech["speech_content"] and "polarity" in speech["speech_content"]
    # The two planted micro-expressions (SYNTHETIC-truth.json) are found.
    events = [f for f in data["feature_texts"] if f["kind"] == "micro_expression"]
    truth = json.loads((BUNDLE / "SYNTHETIC-truth.json").read_text())
    assert len(events) == len(truth) == 2
    for planted in truth:
        assert any(e["start_s"] <= planted["apex_s"] <= e["end_s"] for e in events), planted
    aligned = {(a["feature_id"], a["method"]) for a in data["alignments"]}
    for f in data["feature_texts"]:
        # context or a model's summary, never aligned as evidence (kg/align/rules.py)
        if f["kind"] in ("speech_emotion", "depression_estimate"):
            assert not any(fid == f["id"] for fid, _ in aligned)
            continue
        assert any(fid == f["id"] for fid, _ in aligned), f"{f['kind']} not aligned"
    assert data["cross_modal"], "negative video, speech and scales should be linked"
    assessment = data["assessment"]
    assert assessment["depression_level"] == "moderate"
    assert len(assessment["nbest"]) == 5
    assert "不构成诊断" in assessment["text"]["zh"] and "not a diagnosis" in assessment["text"]["en"]
    with open_store(seeded_settings) as store:
        counts = store.count_by_type()
        assert counts["ALIGNED_TO"] >= len(data["feature_texts"])
        assert counts["CROSS_MODAL"] == len(data["cross_modal"])
        assert counts["EVIDENCE_FOR"] >= 3
        session = store.get_node("Session", data["session_key"])
        assert session is not None and session.props["synthetic"] is True
