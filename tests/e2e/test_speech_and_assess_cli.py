"""English speech through the real ASR, bad audio rejected before any write, and
`mindkg assess` for apps with their own recognizers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from kg.store.factory import open_store
from tests.conftest import SAMPLES

runner = CliRunner()


def _env(settings: Settings) -> dict[str, str]:
    return {"MINDKG_HOME": str(settings.home), "MINDKG_PURPOSE": "counseling",
            "MINDKG_NEO4J_URI": "", "MINDKG_CACHE_DIR": str(settings.cache_home)}


@pytest.mark.slow
def test_english_speech_sample_gives_three_speech_feature_texts(settings: Settings) -> None:
    bundle = SAMPLES / "sessions" / "en_w02_speech"
    result = runner.invoke(app, ["analyze", str(bundle), "--json"], env=_env(settings))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    speech = {f["kind"]: f for f in data["feature_texts"] if f["modality"] == "audio"}
    assert set(speech) == {"speech_content", "intonation", "speech_rate", "speech_emotion"}
    assert "ill" in speech["speech_content"]["values"]["transcript"].lower()  # real ASR output
    assert 2.0 < speech["speech_rate"]["values"]["syllables_per_second"] < 8.0
    assert 60.0 < speech["intonation"]["values"]["f0_mean_hz"] < 300.0


def test_corrupt_audio_fails_clearly_and_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLES / "sessions" / "en_w02_speech", bundle)
    (bundle / "audio.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt not really audio")
    result = runner.invoke(app, ["analyze", str(bundle)], env=_env(settings))
    assert result.exit_code == 2, result.output
    assert "audio.wav" in result.stderr
    with open_store(settings) as store:
        assert store.count_by_label() == {}


def test_assess_from_feature_texts_states_risk(settings: Settings, tmp_path: Path) -> None:
    features = [
        {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
         "text": {"zh": "PHQ-9 总分 8，轻度抑郁", "en": "PHQ-9 total 8, mild depression"},
         "values": {"level": "mild", "risk_level": "none"}},
        {"modality": "audio", "kind": "speech_content",
         "text": {"zh": "言语内容：负面，表达了自杀意念", "en": "speech content: negative, suicidal statement"},
         "values": {"suicide_risk": "high", "polarity": {"label": "negative"}}},
    ]
    path = tmp_path / "features.json"
    path.write_text(json.dumps(features, ensure_ascii=False))
    result = runner.invoke(app, ["assess", str(path), "--beam-width", "3"], env=_env(settings))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assessment = out["assessment"]
    assert assessment["suicide_risk"] == "high"
    assert "suicide" in assessment["text"]["en"].lower() and "自杀" in assessment["text"]["zh"]
    assert len(assessment["nbest"]) == 3
    bad = tmp_path / "bad.json"
    bad.write_text('[{"modality": "smell"}]')
    result = runner.invoke(app, ["assess", str(bad)], env=_env(settings))
    assert result.exit_code == 2 and "not a JSON list of feature texts" in result.stderr
    # one line naming each bad field, not pydantic's multi-line page with its URLs
    assert "0.modality: Input should be" in result.stderr and "0.kind: Field required" in \
        result.stderr
    assert "errors.pydantic.dev" not in result.stderr and len(result.stderr.splitlines()) == 1
