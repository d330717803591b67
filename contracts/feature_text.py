"""The FeatureText contract: the one type shared by recognizers (ingest/) and the graph (kg/).

Every recognizer emits short, human-readable, bilingual descriptions with machine-readable
values. Keeping it here lets kg/ stay independent of ingest/ (DESIGN.md section 2).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Modality = Literal["video", "audio", "scales", "text"]


class Bilingual(BaseModel):
    """Chinese first, English too: psychologists read zh, the graph and apps need both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class FeatureText(BaseModel):
    """One recognizer observation about a session, e.g. "SDS 标准分 65，中度抑郁"."""

    model_config = ConfigDict(extra="forbid")

    modality: Modality
    kind: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,40}$",
        description="what was observed: scale_score, micro_expression, speech_content, ...",
    )
    text: Bilingual
    values: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    start_s: float | None = Field(default=None, ge=0.0)
    end_s: float | None = Field(default=None, ge=0.0)
    source: str = Field(default="", description="recognizer name and version")
    instance: str = Field(
        default="",
        max_length=64,
        description="distinguishes several feature texts of one kind (e.g. the instrument)",
    )

    @model_validator(mode="after")
    def _span_is_ordered(self) -> FeatureText:
        if self.start_s is not None and self.end_s is not None and self.end_s < self.start_s:
            raise ValueError(f"end_s {self.end_s} is before start_s {self.start_s}")
        return self

    def local_key(self) -> str:
        """Stable within a session, so re-ingesting the same bundle merges instead of duplicating."""
        basis = json.dumps(
            [self.modality, self.kind, self.instance, self.start_s, self.end_s], sort_keys=True
        )
        return hashlib.sha1(basis.encode()).hexdigest()[:12]
