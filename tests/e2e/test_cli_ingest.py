"""The `mindkg` CLI end to end on sample bundles: real files, real stores (embedded and Neo4j)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from kg.store.factory import open_store
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE = SAMPLES / "sessions" / "zh_w01_moderate"


def _env(settings: Settings) -> dict[str, str]:
    env = {"MINDKG_HOME": str(settings.home), "MINDKG_NEO4J_URI": settings.neo4j_uri or "",
           "MINDKG_PURPOSE": "counseling"}
    if settings.neo4j_password is not None:
        env["MINDKG_NEO4J_PASSWORD"] = settings.neo4j_password.get_secret_value()
    return env


def _copy_bundle(tmp_path: Path, name: str = "bundle") -> Path:
    dest = tmp_path / name
    shutil.copytree(SAMPLE, dest)
    return dest


def _counts(settings: Settings) -> dict[str, int]:
    with open_store(settings) as store:
        return store.count_by_label()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def any_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "embedded":
        return settings
    neo: Settings = request.getfixturevalue("neo4j_settings")
    request.getfixturevalue("neo4j_store")  # wipes the database for this test
    return neo


def test_analyze_json_prints_result_contract(settings: Settings) -> None:
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--json"], env=_env(settings))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["modalities_used"] == ["scales"]
    kinds = {(f["modality"], f["kind"], f["instance"]) for f in data["feature_texts"]}
    assert kinds == {("scales", "scale_score", i) for i in ("SDS", "PHQ9", "HAMD17")}
    sds = next(f for f in data["feature_texts"] if f["instance"] == "SDS")
    assert "标准分" in sds["text"]["zh"] and "index" in sds["text"]["en"]
    assert data["assessment"]["depression_level"] in {"mild", "moderate", "severe"}
    assert "not a diagnosis" in data["assessment"]["text"]["en"]
    assert data["student"].startswith("stu_") and "demo-student-001" not in result.stdout
    assert data["written"] is True


def test_ingest_twice_duplicates_nothing(any_settings: Settings, tmp_path: Path) -> None:
    bundle = _copy_bundle(tmp_path)
    for _ in range(2):
        result = runner.invoke(app, ["ingest", str(bundle)], env=_env(any_settings))
        assert result.exit_code == 0, result.output
    counts = _counts(any_settings)
    assert counts["Student"] == 1 and counts["Session"] == 1 and counts["FeatureText"] == 3
    assert counts["Assessment"] == 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: (b / "scales.json").write_text('{"PHQ9": [0,1,2,3,4,0,0,0,0]}'), "PHQ9 item 5"),
        (lambda b: (b / "scales.json").write_text('{"SDS": [1,2,3]}'), "SDS"),
        (lambda b: (b / "manifest.json").write_text("{not json"), "manifest.json"),
        (
            lambda b: _edit_manifest(b, student="x' }) MATCH (n) DETACH DELETE n //"),
            "field 'student'",
        ),
        (lambda b: _edit_manifest(b, recorded_at="last tuesday"), "recorded_at"),
        (lambda b: _edit_manifest(b, scales="../../etc/passwd"), "inside the bundle"),
        (lambda b: _edit_manifest(b, language="fr"), "language"),
    ],
    ids=["scale-range", "scale-length", "bad-json", "cypher-id", "bad-time", "path-escape", "lang"],
)
def test_bad_input_fails_clearly_and_writes_nothing(
    any_settings: Settings, tmp_path: Path, mutate: object, message: str
) -> None:
    bundle = _copy_bundle(tmp_path)
    assert callable(mutate)
    mutate(bundle)
    result = runner.invoke(app, ["analyze", str(bundle), "--json"], env=_env(any_settings))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    counts = _counts(any_settings)
    assert not any(counts.get(label) for label in ("Student", "Session", "FeatureText"))


def _edit_manifest(bundle: Path, **changes: str) -> None:
    path = bundle / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_store_down_gives_exit_3(tmp_path: Path) -> None:
    env = {"MINDKG_HOME": str(tmp_path), "MINDKG_NEO4J_URI": "bolt://127.0.0.1:1",
           "MINDKG_NEO4J_PASSWORD": "whatever-123", "MINDKG_PURPOSE": "counseling"}
    result = runner.invoke(app, ["analyze", str(SAMPLE)], env=env)
    assert result.exit_code == 3
    assert "unavailable" in result.stderr


def test_console_script_help_for_every_command() -> None:
    exe = Path(sys.executable).with_name("mindkg")
    for args in ([], ["neo4j"], ["kg"], ["analyze"], ["ingest"], ["neo4j", "start"], ["kg", "seed"]):
        proc = subprocess.run([str(exe), *args, "--help"], capture_output=True, text=True,
                              env={**os.environ, "NO_COLOR": "1"}, check=False)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Usage" in proc.stdout


def test_analysis_refuses_without_declared_purpose(settings: Settings) -> None:
    env = {**_env(settings), "MINDKG_PURPOSE": ""}
    result = runner.invoke(app, ["analyze", str(SAMPLE)], env=env)
    assert result.exit_code == 2
    assert "MINDKG_PURPOSE" in result.stderr
    assert _counts(settings) == {}
