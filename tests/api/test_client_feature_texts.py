"""Feature texts sent by a client, over real HTTP and through the real `mindkg assess` CLI:
a transcript's suicidal statement is found from its words (no `values` needed), a session
without any risk assessment says "not assessed", never "no risk", and analyze output (with its
per-feature `id`) is accepted on both paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from contracts.vocabulary import DISCLAIMER
from tests.api.conftest import Keys

STATEMENT = {"modality": "audio", "kind": "speech_content",
             "text": {"zh": "我不想活了", "en": "I do not want to live"}}
SCALE_ONLY = {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
              "text": {"zh": "PHQ-9 总分 12", "en": "PHQ-9 total 12"},
              "values": {"level": "moderate"}}


def _assess(client: TestClient, keys: Keys, features: list[dict]) -> dict:
    reply = client.post("/v1/assessments", json={"feature_texts": features},
                        headers=keys.header("psychologist"))
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["assessment"])


def _cli_assess(tmp_path: Path, settings_home: Path, payload: object) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "features.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "MINDKG_HOME": str(settings_home), "MINDKG_PURPOSE": "counseling",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "api.cli", "assess", str(path)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def test_a_statement_in_the_text_is_high_risk_over_http(client: TestClient, keys: Keys) -> None:
    assessment = _assess(client, keys, [STATEMENT])
    assert assessment["suicide_risk"] == "high"
    assert "no suicide-risk signal" not in assessment["text"]["en"]
    assert "no explicit suicide-risk signal" not in assessment["text"]["en"]
    assert assessment["text"]["en"].endswith(DISCLAIMER.en)


def test_no_risk_assessment_reads_not_assessed(client: TestClient, keys: Keys) -> None:
    assessment = _assess(client, keys, [SCALE_ONLY])
    assert "Suicide risk: not assessed" in assessment["text"]["en"], assessment["text"]["en"]
    assert "no explicit suicide-risk signal" not in assessment["text"]["en"]
    assert assessment["text"]["en"].endswith(DISCLAIMER.en)
    assert assessment["suicide_risk_assessed"] is False  # "none" here is not "no risk"
    # an assessed "none" still says so
    scale = {**SCALE_ONLY, "values": {"level": "moderate", "risk_level": "none"}}
    assessed = _assess(client, keys, [scale])
    assert "no explicit suicide-risk signal" in assessed["text"]["en"]
    assert assessed["suicide_risk_assessed"] is True


def test_analyze_output_with_ids_is_accepted_on_both_paths(
    client: TestClient, keys: Keys, tmp_path: Path, home_settings: object
) -> None:
    features = [{**STATEMENT, "id": "f-1234"}, {**SCALE_ONLY, "id": "f-5678"}]
    assert _assess(client, keys, features)["suicide_risk"] == "high"
    done = _cli_assess(tmp_path, home_settings.home, {"feature_texts": features})  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assessment"]["suicide_risk"] == "high"
    # other unknown fields are still refused, on both paths
    bad = [{**SCALE_ONLY, "colour": "red"}]
    reply = client.post("/v1/assessments", json={"feature_texts": bad},
                        headers=keys.header("psychologist"))
    assert reply.status_code == 422
    assert _cli_assess(tmp_path, home_settings.home, bad).returncode == 2  # type: ignore[attr-defined]
