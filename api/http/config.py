"""Settings of the HTTP API and job workers, read from MINDKG_* environment variables.

They live here rather than in kg/settings.py because only the API needs them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kg.settings import ConfigError


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


_TRUE = {"1", "true", "yes", "on"}


def load_api_settings(env: Mapping[str, str] | None = None) -> ApiSettings:
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    for name, field in ApiSettings.model_fields.items():
        raw = env.get(f"MINDKG_{name.upper()}")
        if raw is None or raw == "":
            continue
        values[name] = raw.strip().lower() in _TRUE if field.annotation is bool else raw
    try:
        return ApiSettings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"MINDKG_{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid API configuration: {problems}") from exc
