"""Configuration: environment variables prefixed MINDKG_, over an optional TOML file.

The one loader of MindKG's settings (`load_settings`): library code takes the Settings (or the
part it needs, e.g. the RecognizerConfig built from them) as an argument and never reads the
environment itself.

Precedence: explicit environment > config file ($MINDKG_CONFIG or $MINDKG_HOME/config.toml)
> defaults. When a Neo4j URI is configured the Neo4j store is used; otherwise the embedded one.

Sections: the top-level settings, and `api`, the HTTP API and job workers (`Settings.api`,
TOML table `[mindkg.api]`). Every field is also an environment variable `MINDKG_<FIELD>`,
upper-cased, without the section name (`MINDKG_WORKERS`), as before the section existed.

`InputLimits`, the bounds on every input MindKG parses or decodes, are environment-only
(`MINDKG_MAX_MEDIA_S`, ...) and read when a decoder starts (`ingest.limits.input_limits`), so
a long-running process and the tests can change them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "MINDKG_"


class ConfigError(ValueError):
    """Configuration that cannot work; the message names the setting."""


_GIB = 1024**3


@dataclass(frozen=True)
class InputLimits:
    """Bounds on every input MindKG parses or decodes (ingest/limits.py checks them)."""

    max_media_s: float = 7500.0  # 2 h 5 min
    max_media_bytes: int = 8 * _GIB
    max_video_fps: float = 240.0
    max_video_frames: int = 7500 * 120  # 2 h 5 min at 120 fps
    max_video_pixels: int = 4096 * 2160
    min_sample_rate: int = 4000
    max_sample_rate: int = 192_000
    max_audio_channels: int = 16
    probe_timeout_s: float = 30.0  # ffprobe reading a header
    decode_stall_s: float = 60.0  # the decoder produced nothing for this long: killed
    decode_timeout_s: float = 3600.0  # total time spent waiting on one decoder process
    max_transcript_bytes: int = 4 * 1024 * 1024
    max_json_depth: int = 32

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> InputLimits:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"MINDKG_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            kind = int if f.type in ("int", int) else float
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"MINDKG_{f.name.upper()} must be a number; got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"MINDKG_{f.name.upper()} must be positive; got {raw!r}")
            values[f.name] = value
        return cls(**values)


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str | None = Field(default=None, description="counseling | medical")
    allow_server_paths: bool = False
    retain_media: bool = False
    redis_url: str | None = None
    workers: int = Field(default=1, ge=0, le=16, description="job worker threads per process")
    http_processes: int = Field(
        default=1, ge=1, le=32, description="HTTP processes of `mindkg serve` (uvicorn workers)"
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    max_unpacked_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024)
    max_archive_entries: int = Field(default=64, ge=1)
    max_compression_ratio: float = Field(default=200.0, ge=1.0)
    max_feature_texts: int = Field(default=500, ge=1)
    research_min_students: int = Field(default=5, ge=1, description="k for de-identified counts")
    job_lease_s: float = Field(default=30.0, gt=0)
    job_step_delay_s: float = Field(
        default=0.0, ge=0.0, le=10.0, description="testing/demo only: pause between job steps"
    )
    job_timeout_s: float = Field(
        default=4 * 3600.0, gt=0, description="time budget of one job attempt; then failed"
    )
    job_stuck_grace_s: float = Field(
        default=60.0, gt=0, description="past budget + grace without stopping: a stuck worker"
    )
    job_max_attempts: int = Field(
        default=5, ge=1, le=100, description="tries per job (transient failures, worker deaths)"
    )
    job_retry_base_s: float = Field(
        default=5.0, ge=0.0, description="backoff before retry n: base * 2**(n-1)"
    )
    job_retry_max_s: float = Field(default=300.0, ge=0.0, description="longest backoff")
    upload_retention_s: float = Field(
        default=7 * 86400.0, ge=0.0, description="uploads kept after a failure are swept after"
    )
    retry_after_s: int = Field(default=10, ge=1)
    server_path_root: str | None = Field(
        default=None, description="server-side bundle paths must lie under this folder"
    )


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
    cache_dir: Path | None = None
    # Semantic (joint-space) alignment of feature texts, on top of recognizer alignments.
    # Needs the joint space, trained once per graph (minutes): deployments that only want
    # recognizer alignments, and tests of other layers, can turn it off.
    semantic_alignment: bool = True
    # Trained learned-fusion models (models/fusion/learned_store.py) mixed into every decode;
    # none by default: the shipped numbers for them come from SYNTHETIC sessions only.
    learned_fusion_dir: Path | None = None
    # Micro-expression classifier of the video recognizer (models/mer/runtime.py): None =
    # the model stored in me_weights, else cnn_gcn with its shipped (SYNTHETIC-trained)
    # weights; "rules" = the AU rules. me_weights: a checkpoint from `mindkg mer train`.
    me_model: Literal[
        "cnn_gcn", "hybridmicronet", "mer_gcn_transformer", "lbp_vgg16", "rules"
    ] | None = None
    me_weights: Path | None = None
    # faster-whisper's CPU threads; 0 = min(cores, 4).
    asr_threads: int = Field(default=0, ge=0, le=64)
    log_level: str = "INFO"
    store: Literal["auto", "embedded", "neo4j"] = "auto"
    api: ApiSettings = Field(default_factory=ApiSettings)

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


_SECTIONS = {"api": ApiSettings}
_FIELDS = set(Settings.model_fields) - set(_SECTIONS)
_API_FIELDS = ApiSettings.model_fields
_TRUE = {"1", "true", "yes", "on"}


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


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from exc
    section = dict(data.get("mindkg", data))
    unknown = set(section) - _FIELDS - set(_SECTIONS)
    for name, model in _SECTIONS.items():
        table = section.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: [{name}] must be a table")
        unknown |= {f"{name}.{key}" for key in set(table) - set(model.model_fields)}
    if unknown:
        raise ConfigError(f"config file {path}: unknown settings {sorted(unknown)}")
    return section


def _problems(exc: ValidationError) -> str:
    """'MINDKG_WORKERS: ...': the environment variable of each bad field, section dropped."""
    names = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in _SECTIONS:
            loc = loc[1:]
        names.append(f"{ENV_PREFIX}{'.'.join(loc).upper()}: {err['msg']}")
    return "; ".join(names)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings in force: environment over config file over defaults."""
    env = os.environ if env is None else env
    path = _config_file(env)
    values: dict[str, Any] = _read_file(path) if path is not None else {}
    for name in _FIELDS:
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None and raw != "":
            values[name] = raw
    api: dict[str, Any] = dict(values.pop("api", {}))
    for name, field in _API_FIELDS.items():
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None and raw != "":
            api[name] = raw.strip().lower() in _TRUE if field.annotation is bool else raw
    try:
        settings = Settings(**values, api=ApiSettings(**api))
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration: {_problems(exc)}") from exc
    settings.home = settings.home.expanduser()
    return settings
