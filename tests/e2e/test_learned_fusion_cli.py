"""Learned fusion as a deployment uses it: `mindkg fusion train`, then every decode mixes it in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from models.fusion.learned_store import (
    LearnedFusionError,
    load_learned_fusion,
    read_labelled_sessions,
)
from research.cohort import generate_cohort

runner = CliRunner()
FEATURES = [
    {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
     "text": {"zh": "PHQ-9 总分 12，中度抑郁", "en": "PHQ-9 total 12, moderate depression"},
     "values": {"level": "moderate", "risk_level": "none"}},
    {"modality": "audio", "kind": "speech_content",
     "text": {"zh": "言语内容：负面", "en": "speech content: negative"},
     "values": {"polarity": {"label": "negative"}, "suicide_risk": "none"}},
]


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {"MINDKG_HOME": str(settings.home), "MINDKG_PURPOSE": "counseling",
            "MINDKG_NEO4J_URI": "", "MINDKG_CACHE_DIR": str(settings.cache_home),
            "MINDKG_SEMANTIC_ALIGNMENT": "false", **extra}


def test_train_then_assess_uses_the_learned_models(settings: Settings, tmp_path: Path) -> None:
    out_dir = tmp_path / "fusion"
    result = runner.invoke(app, ["fusion", "train", "--synthetic", "80", "--epochs", "2",
                                 "--out", str(out_dir)], env=_env(settings))
    assert result.exit_code == 0, result.output
    meta = json.loads((out_dir / "learned_fusion.json").read_text())
    assert meta["synthetic"] is True and meta["targets"] == ["emotion", "depression"]
    fusion = load_learned_fusion(out_dir)
    assert fusion.emotion is not None and fusion.depression is not None
    features = tmp_path / "features.json"
    features.write_text(json.dumps(FEATURES, ensure_ascii=False))
    plain = runner.invoke(app, ["assess", str(features)], env=_env(settings))
    assert plain.exit_code == 0, plain.output
    assert "learned-hgc" not in json.loads(plain.stdout)["assessment"]["method"]
    mixed = runner.invoke(app, ["assess", str(features)],
                          env=_env(settings, MINDKG_LEARNED_FUSION_DIR=str(out_dir)))
    assert mixed.exit_code == 0, mixed.output
    assert "learned-hgc(w=0.5:emotion,depression)" in json.loads(mixed.stdout)["assessment"]["method"]


def test_a_broken_learned_fusion_folder_is_refused(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "learned_fusion.json").write_text('{"weight": 0.5, "targets": ["emotion"]}')
    (broken / "emotion.pt").write_bytes(b"not a torch file")
    with pytest.raises(LearnedFusionError, match=r"emotion\.pt"):
        load_learned_fusion(broken)
    features = tmp_path / "features.json"
    features.write_text(json.dumps(FEATURES, ensure_ascii=False))
    result = runner.invoke(app, ["assess", str(features)],
                           env=_env(settings, MINDKG_LEARNED_FUSION_DIR=str(broken)))
    assert result.exit_code == 2 and "emotion.pt" in result.stderr
    result = runner.invoke(app, ["assess", str(features)],
                           env=_env(settings, MINDKG_LEARNED_FUSION_DIR=str(tmp_path / "none")))
    assert result.exit_code == 2 and "not a learned-fusion folder" in result.stderr


def test_labelled_sessions_file_is_validated_line_by_line(tmp_path: Path) -> None:
    good = generate_cohort(2, seed=3)
    rows = [{"feature_texts": [f.model_dump(mode="json") for f in s.features],
             "emotion": s.truth.emotion, "depression_level": s.truth.level} for s in good]
    path = tmp_path / "sessions.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert [s.depression for s in read_labelled_sessions(path)] == [s.truth.level for s in good]
    rows[1]["depression_level"] = "very"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    with pytest.raises(LearnedFusionError, match=r"sessions.jsonl:2: depression_level 'very'"):
        read_labelled_sessions(path)
