"""Session-level records: alignments, evidence, the assessment and a session's keys.

Their mapping onto graph nodes and edges is kg/session_graph.py.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import DepressionLevel, RiskLevel


class Alignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature_id: str
    concept_id: str
    score: float = Field(ge=-1.0, le=1.0)
    method: str
    rank: int = Field(ge=1)


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str
    modality: str
    feature_ids: list[str] = Field(default_factory=list)
    concept_ids: list[str] = Field(default_factory=list)
    path: list[str] = Field(default_factory=list, description="graph ids from feature to claim")
    claim_number: int | None = Field(
        default=None, ge=1,
        description="the claim's number as cited in the assessment text ([n]; contracts/claims.py); "
                    "None for a claim that rests on no feature")


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Bilingual
    depression_level: DepressionLevel
    suicide_risk: RiskLevel
    suicide_risk_assessed: bool = Field(
        default=True,
        description="False when no feature text carried a suicide-risk assessment (no scale risk "
                    "item, no transcript): `suicide_risk` 'none' then means not assessed, not no "
                    "risk")
    evidence: list[EvidenceItem] = Field(default_factory=list)
    nbest: list[dict[str, Any]] = Field(default_factory=list)
    method: str
    disclaimer: Bilingual


class SessionKeys(BaseModel):
    student: str
    session: str

    @property
    def session_key(self) -> str:
        return f"{self.student}/{self.session}"

    def feature_key(self, feature: FeatureText) -> str:
        return f"{self.session_key}/{feature.local_key()}"

    @property
    def assessment_key(self) -> str:
        return f"{self.session_key}/assessment"
