"""Request and response bodies of the HTTP API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.feature_input import ClientFeatureTexts
from api.jobs.store import JobStatus
from contracts.session_records import Assessment


class Problem(BaseModel):
    """Every error body: a stable machine code and a sentence for humans."""

    error: str
    detail: str


class JobOut(BaseModel):
    id: str
    status: JobStatus
    progress: float = Field(ge=0, le=1)
    message: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    attempts: int
    session_key: str | None = Field(description="known once the bundle has been read")
    error: str | None
    links: dict[str, str]


class ServerPathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=4096, description="bundle folder on the server")
    write: bool = True


class AssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature_texts: ClientFeatureTexts = Field(
        min_length=1, description="FeatureText contract; an `id` (analyze output) is ignored")


class AssessOut(BaseModel):
    feature_ids: list[str]
    assessment: Assessment


class SessionOut(BaseModel):
    session_key: str
    session: str
    recorded_at: str
    language: str
    modalities: list[str]
    synthetic: bool
    depression_level: str | None
    suicide_risk: str | None


class StudentOut(BaseModel):
    student: str = Field(description="pseudonym")
    sessions: int
    last_session_at: str | None


class LookupIn(BaseModel):
    """The center's own student id, sent in a body so it stays out of URLs and access logs."""

    model_config = ConfigDict(extra="forbid")

    local_id: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
    )
    center: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$",
        description="admin keys only: the center whose local id this is (default: the "
        "deployment's MINDKG_CENTER); a psychologist always looks up in their own center",
    )


class ErasureOut(BaseModel):
    student: str
    graph_nodes_removed: int
    job_results_erased: int
    uploads_removed: int = 0
    center_bindings_removed: int = 0
    removed: list[str] = Field(
        default_factory=list, description="what was removed, in words, for the erasure record"
    )


class GraphNodeOut(BaseModel):
    id: str
    labels: list[str]
    properties: dict[str, Any]


class GraphEdgeOut(BaseModel):
    type: str
    source: str
    target: str
    properties: dict[str, Any]


class GraphOut(BaseModel):
    student: str
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]


class AlignmentAggregate(BaseModel):
    """One concept's alignment counts; rows about fewer than k students are suppressed."""

    concept_id: str
    concept_name_zh: str
    concept_name_en: str
    modality: str
    method: str
    alignments: int
    sessions: int
    students: int
    mean_score: float


class AlignmentReport(BaseModel):
    min_students: int
    suppressed_rows: int
    rows: list[AlignmentAggregate]


class LevelCounts(BaseModel):
    min_students: int
    sessions: int
    depression_level: dict[str, int]
    suicide_risk: dict[str, int]


class TrendPointOut(BaseModel):
    session_key: str
    recorded_at: str
    indicators: dict[str, float]
    index: float | None


class TrendOut(BaseModel):
    student: str
    rises_needed: int
    flagged: bool
    flag_reasons: list[str]
    points: list[TrendPointOut]


class AuditEntry(BaseModel):
    seq: int
    at: str
    key_id: str
    role: str
    method: str
    route: str
    student: str | None
    session: str | None
    outcome: int


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
