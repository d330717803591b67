"""Configuration: environment variables prefixed MINDKG_, over an optional TOML file.

Precedence: explicit environment > config file ($MINDKG_CONFIG or $MINDKG_HOME/config.toml)
> defaults. When a Neo4j URI is configured the Neo4j store is used; otherwise the embedded one.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "MINDKG_"


class ConfigError(ValueError):
    """Configuration that cannot work; the message names the setting."""


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    home: Path = Field(default_factory=lambda: Path.home() / ".mindkg")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    # The project's own server (`mindkg neo4j start`) listens on loopback only.
    neo4j_bolt_port: int = Field(default=7687, ge=1, le=65535)
    neo4j_http_port: int = Field(default=7474, ge=1, le=65535)
    # The browse-only copy (kg/server/browse_copy.py); None = the main server's port + 1.
    neo4j_browse_bolt_port: int | None = Field(default=None, ge=1, le=65535)
    neo4j_browse_http_port: int | None = Field(default=None, ge=1, le=65535)
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    # Keyed hash for student pseudonyms; the key is kept outside the graph.
    pseudonym_key_file: Path | None = None
    # The counseling center this process pseudonymizes for when no API key names one (the
    # CLI, admin jobs): pseudonyms are keyed per center, so two centers' local ids never meet.
    center: str = Field(default="default", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
    # Derived, non-personal artefacts (trained joint space, corpus caches) may be shared
    # between homes (tests, several deployments on one host); default: under `home`.
    cache_dir: Path | None = Field(default_factory=lambda: _env_path("MINDKG_CACHE_DIR"))
    # Semantic (joint-space) alignment of feature texts, on top of recognizer alignments.
    # Needs the joint space, trained once per graph (minutes): deployments that only want
    # recognizer alignments, and tests of other layers, can turn it off.
    semantic_alignment: bool = Field(
        default_factory=lambda: os.environ.get("MINDKG_SEMANTIC_ALIGNMENT", "true").lower()
        not in ("0", "false", "no", "off")
    )
    # Trained learned-fusion models (models/fusion/learned_store.py) mixed into every decode;
    # none by default: the shipped numbers for them come from SYNTHETIC sessions only.
    learned_fusion_dir: Path | None = Field(
        default_factory=lambda: _env_path("MINDKG_LEARNED_FUSION_DIR")
    )
    # Micro-expression classifier of the video recognizer (models/mer/runtime.py): None =
    # the model stored in me_weights, else cnn_gcn with its shipped (SYNTHETIC-trained)
    # weights; "rules" = the AU rules. me_weights: a checkpoint from `mindkg mer train`.
    me_model: Literal[
        "cnn_gcn", "hybridmicronet", "mer_gcn_transformer", "lbp_vgg16", "rules"
    ] | None = None
    me_weights: Path | None = None
    log_level: str = "INFO"
    store: Literal["auto", "embedded", "neo4j"] = "auto"

    @property
    def store_backend(self) -> Literal["embedded", "neo4j"]:
        if self.store != "auto":
            return self.store
        return "neo4j" if self.neo4j_uri else "embedded"

    @property
    def cache_home(self) -> Path:
        return (self.cache_dir or self.home).expanduser()

    @property
    def embedded_db_path(self) -> Path:
        return self.home / "graph.sqlite3"

    @property
    def neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    def neo4j_password_value(self) -> str:
        if self.neo4j_password is None or not self.neo4j_password.get_secret_value():
            raise ConfigError(
                "MINDKG_NEO4J_PASSWORD is not set: Neo4j runs with auth on and MindKG never "
                "keeps the default password"
            )
        return self.neo4j_password.get_secret_value()


_FIELDS = set(Settings.model_fields)


def _config_file(env: Mapping[str, str]) -> Path | None:
    explicit = env.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"MINDKG_CONFIG points at {path}, which is not a file")
        return path
    home = env.get(f"{ENV_PREFIX}HOME")
    candidate = (Path(home).expanduser() if home else Path.home() / ".mindkg") / "config.toml"
    return candidate if candidate.is_file() else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = _config_file(env)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from exc
        section = data.get("mindkg", data)
        unknown = set(section) - _FIELDS
        if unknown:
            raise ConfigError(f"config file {path}: unknown settings {sorted(unknown)}")
        values.update(section)
    for name in _FIELDS:
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None and raw != "":
            values[name] = raw
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"MINDKG_{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from exc
    settings.home = settings.home.expanduser()
    return settings
