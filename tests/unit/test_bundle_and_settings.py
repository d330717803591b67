from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.settings import ConfigError, Settings, load_settings
from ingest.bundle import BundleError, read_bundle
from kg.pseudonym import load_or_create_key, pseudonymize
from tests.conftest import SAMPLES


def test_every_sample_bundle_is_valid_and_synthetic() -> None:
    bundles = sorted((SAMPLES / "sessions").iterdir())
    assert len(bundles) >= 3
    for path in bundles:
        bundle = read_bundle(path)
        assert bundle.synthetic, f"{path} must be marked synthetic"


def test_bundle_needs_a_modality(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps({"student": "a", "session": "b", "recorded_at": "2026-01-01T00:00:00Z"})
    )
    with pytest.raises(BundleError, match="names no modality"):
        read_bundle(tmp_path)


def test_manifest_saved_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    """Windows editors save UTF-8 with a BOM; transcripts and scales already accept it."""
    manifest = {"student": "a", "session": "b", "recorded_at": "2026-01-01T00:00:00Z",
                "scales": "scales.json"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8-sig")
    (tmp_path / "scales.json").write_text(json.dumps({"PHQ9": [1] * 9}), encoding="utf-8-sig")
    bundle = read_bundle(tmp_path)
    assert (bundle.student, bundle.session) == ("a", "b")


def test_unknown_manifest_field_is_named(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"student": "a", "vidoe": "x"}))
    with pytest.raises(BundleError, match="vidoe"):
        read_bundle(tmp_path)


def test_settings_env_over_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[mindkg]\nneo4j_uri = "bolt://file:7687"\nneo4j_heap = "2g"\n')
    s = load_settings({"MINDKG_HOME": str(tmp_path), "MINDKG_NEO4J_URI": "bolt://env:7687"})
    assert s.neo4j_uri == "bolt://env:7687" and s.neo4j_heap == "2g"
    assert s.store_backend == "neo4j"
    assert load_settings({"MINDKG_HOME": str(tmp_path / "none")}).store_backend == "embedded"


def test_settings_errors_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MINDKG_NEO4J_BOLT_PORT"):
        load_settings({"MINDKG_HOME": str(tmp_path), "MINDKG_NEO4J_BOLT_PORT": "nope"})
    (tmp_path / "config.toml").write_text("[mindkg]\nneo4j_passwrd = 'x'\n")
    with pytest.raises(ConfigError, match="neo4j_passwrd"):
        load_settings({"MINDKG_HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="MINDKG_NEO4J_PASSWORD"):
        Settings(home=tmp_path).neo4j_password_value()


def test_one_loader_with_an_api_section(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[mindkg]\nneo4j_heap = "2g"\n[mindkg.api]\nworkers = 3\nretain_media = true\n'
        'purpose = "medical"\n'
    )
    s = load_settings({"MINDKG_HOME": str(tmp_path), "MINDKG_PURPOSE": "counseling",
                       "MINDKG_ASR_THREADS": "2"})
    assert s.neo4j_heap == "2g" and s.asr_threads == 2
    assert s.api.workers == 3 and s.api.retain_media and s.api.purpose == "counseling"
    # booleans of the API section read as before: 1/true/yes/on, anything else is false
    assert not load_settings({"MINDKG_HOME": str(tmp_path), "MINDKG_RETAIN_MEDIA": "nah"}).api.retain_media
    with pytest.raises(ConfigError, match="MINDKG_WORKERS"):
        load_settings({"MINDKG_HOME": str(tmp_path), "MINDKG_WORKERS": "99"})
    (tmp_path / "config.toml").write_text("[mindkg.api]\nwrokers = 2\n")
    with pytest.raises(ConfigError, match=r"api\.wrokers"):
        load_settings({"MINDKG_HOME": str(tmp_path)})


def test_settings_built_directly_ignore_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINDKG_SEMANTIC_ALIGNMENT", "false")
    monkeypatch.setenv("MINDKG_LEARNED_FUSION_DIR", str(tmp_path))
    s = Settings(home=tmp_path)
    assert s.semantic_alignment and s.learned_fusion_dir is None and s.cache_dir is None
    assert not load_settings().semantic_alignment


def test_pseudonyms_are_keyed_stable_and_private(tmp_path: Path) -> None:
    s1, s2 = Settings(home=tmp_path / "a"), Settings(home=tmp_path / "b")
    k1 = load_or_create_key(s1)
    assert load_or_create_key(s1) == k1
    assert (s1.secrets_dir / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    p = pseudonymize("2024001234", k1, "centerA")
    assert p == pseudonymize("2024001234", k1, "centerA") and "2024001234" not in p
    assert p != pseudonymize("2024001234", load_or_create_key(s2), "centerA")
    # keyed per center: the same local id at another center is another student
    assert p != pseudonymize("2024001234", k1, "centerB")
    # the separator keeps (center, id) pairs apart: "a"+"b1" is not "ab"+"1"
    assert pseudonymize("b1", k1, "a") != pseudonymize("1", k1, "ab")
