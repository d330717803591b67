"""One pipeline (issue 11): the same feature texts get the same assessment from every entry
point: CLI `analyze` of a bundle, CLI `assess` of its feature texts, HTTP
`POST /v1/assessments` and a job submitted over HTTP and run by the real worker."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from tests.api.conftest import SAMPLES, Keys, wait_job

runner = CliRunner()


def _bundle(tmp_path: Path) -> Path:
    """A sample scales bundle plus a transcript: scale and speech-content feature texts."""
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLES / "zh_w01_moderate", bundle)
    (bundle / "transcript.txt").write_text("最近总是睡不好，觉得活着没有意义。", encoding="utf-8")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["transcript"] = "transcript.txt"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    return bundle


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buffer.getvalue()


def _by_local_key(assessment: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """Feature ids differ only by scope (session key vs `request`): compare by local key."""
    text = json.dumps(assessment, ensure_ascii=False, sort_keys=True)
    for fid in sorted(ids, key=len, reverse=True):
        text = text.replace(f'"{fid}"', f'"feature:{fid.rsplit("/", 1)[1]}"')
    out: dict[str, Any] = json.loads(text)
    return out


def test_same_feature_texts_same_assessment_everywhere(
        home_settings: Settings, client: TestClient, keys: Keys, tmp_path: Path) -> None:
    env = {"MINDKG_HOME": str(home_settings.home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_NEO4J_URI": "", "MINDKG_CACHE_DIR": str(home_settings.cache_home),
           "MINDKG_SEMANTIC_ALIGNMENT": "false"}
    bundle = _bundle(tmp_path)

    analyzed = runner.invoke(app, ["analyze", str(bundle), "--json", "--no-write"], env=env)
    assert analyzed.exit_code == 0, analyzed.output
    result = json.loads(analyzed.stdout)
    # the transcript also gets the speech/text depression estimate (models/depression)
    assert {f["kind"] for f in result["feature_texts"]} == {
        "scale_score", "speech_content", "depression_estimate"}
    reference = _by_local_key(result["assessment"], [f["id"] for f in result["feature_texts"]])
    assert reference["evidence"], "the assessment points at its evidence"

    features_file = tmp_path / "result.json"  # analyze's own output is assess's input
    features_file.write_text(analyzed.stdout, encoding="utf-8")
    assessed = runner.invoke(app, ["assess", str(features_file)], env=env)
    assert assessed.exit_code == 0, assessed.output
    cli = json.loads(assessed.stdout)
    assert all(fid.startswith("request/") for fid in cli["feature_ids"])
    assert _by_local_key(cli["assessment"], cli["feature_ids"]) == reference

    features = [{k: v for k, v in f.items() if k != "id"} for f in result["feature_texts"]]
    reply = client.post("/v1/assessments", json={"feature_texts": features},
                        headers=keys.header("app"))
    assert reply.status_code == 200, reply.text
    http = reply.json()
    assert http["feature_ids"] == cli["feature_ids"]  # one id scheme
    assert _by_local_key(http["assessment"], http["feature_ids"]) == reference

    submitted = client.post("/v1/sessions", files={"bundle": ("b.zip", _zip(bundle))},
                            headers=keys.header("psychologist"))
    assert submitted.status_code == 202, submitted.text
    job = wait_job(client, submitted.json()["id"], keys.header("psychologist"), timeout=120)
    assert job["status"] == "done", job
    got = client.get(f"/v1/jobs/{job['id']}/result", headers=keys.header("psychologist")).json()
    assert [f["text"] for f in got["feature_texts"]] == [f["text"] for f in result["feature_texts"]]
    assert _by_local_key(got["assessment"], [f["id"] for f in got["feature_texts"]]) == reference


def test_duplicate_feature_texts_are_rejected_by_every_entry_point(
        home_settings: Settings, client: TestClient, keys: Keys, tmp_path: Path) -> None:
    feature = {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
               "text": {"zh": "PHQ-9 总分 8，轻度抑郁", "en": "PHQ-9 total 8, mild depression"},
               "values": {"level": "mild"}}
    reply = client.post("/v1/assessments", json={"feature_texts": [feature, feature]},
                        headers=keys.header("app"))
    assert reply.status_code == 422 and "duplicate_feature_texts" in reply.text
    path = tmp_path / "features.json"
    path.write_text(json.dumps([feature, feature]), encoding="utf-8")
    env = {"MINDKG_HOME": str(home_settings.home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_NEO4J_URI": "", "MINDKG_SEMANTIC_ALIGNMENT": "false"}
    result = runner.invoke(app, ["assess", str(path)], env=env)
    assert result.exit_code == 2 and "set `instance`" in result.stderr
