"""Analysing one session bundle end to end: recognizers -> alignment -> assessment -> graph.

Everything is computed and validated first; the graph is written last, in one transaction,
so a failure at any step leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.alignment import align_features, existing_concepts
from api.decoder_config import decoder_config
from api.recognizers import run_recognizers
from ingest.bundle import SessionBundle, read_bundle
from kg.align.cross_modal import CrossModalLink
from kg.feature_text import FeatureText
from kg.pseudonym import load_or_create_key, pseudonymize
from kg.session_records import Alignment, Assessment, SessionKeys, session_graph
from kg.settings import Settings
from kg.store.base import GraphStore
from models.decoder import assess
from models.depression import depression_feature_text

Progress = Callable[[str], None]


class FeatureTextOut(FeatureText):
    id: str


class AnalysisResult(BaseModel):
    """The result contract of DESIGN.md section 3."""

    model_config = ConfigDict(extra="forbid")

    student: str = Field(description="pseudonym (keyed hash); the local id never leaves the bundle")
    session: str
    session_key: str
    recorded_at: str
    language: str
    synthetic: bool
    feature_texts: list[FeatureTextOut]
    alignments: list[Alignment]
    cross_modal: list[CrossModalLink] = Field(default_factory=list)
    assessment: Assessment | None
    depression_probability: float | None = Field(
        default=None, description="P(SDS index >= 53) from the speech/text model "
        "(models/depression); beside the scales when they are present")
    depression_model: str | None = None
    modalities_used: list[str]
    modalities_missing: list[str]
    warnings: list[str]
    store: str | None = None
    written: bool = False
    write_stats: dict[str, Any] | None = None


def analyze_session(
    bundle: SessionBundle,
    settings: Settings,
    store: GraphStore | None,
    *,
    write: bool = True,
    semantic: bool = True,
    beam_width: int = 5,
    progress: Progress | None = None,
) -> AnalysisResult:
    say = progress or (lambda _msg: None)
    config = decoder_config(settings)  # a bad learned-fusion folder fails before any work
    student = pseudonymize(bundle.student, load_or_create_key(settings))
    keys = SessionKeys(student=student, session=bundle.session)
    recognized = run_recognizers(bundle, progress=say)
    features = recognized.feature_texts
    estimate = depression_feature_text(features, bundle.language)  # speech/text depression model (issue 15)
    if estimate is not None:
        features = [*features, estimate]
    feature_ids = [keys.feature_key(f) for f in features]
    if len(set(feature_ids)) != len(feature_ids):
        raise ValueError("two feature texts share a key; recognizers must set distinct `instance`s")
    say("aligning feature texts to the knowledge graph")
    alignments, cross_modal, align_warnings = align_features(
        features, feature_ids, store, settings,
        semantic=semantic and settings.semantic_alignment, progress=say
    )
    assessment = (
        assess(features, feature_ids, alignments, store, beam_width=beam_width,
               config=config) if features else None
    )
    if assessment is not None and store is not None:
        # Evidence may only point at what the graph holds: drop concept ids it lacks.
        wanted = {cid for item in assessment.evidence for cid in [*item.concept_ids, *item.path]}
        present = existing_concepts(store, wanted) | set(feature_ids)
        for item in assessment.evidence:
            item.concept_ids = [c for c in item.concept_ids if c in present]
            item.path = [c for c in item.path if c in present]
    result = AnalysisResult(
        student=student,
        session=bundle.session,
        session_key=keys.session_key,
        recorded_at=bundle.recorded_at.isoformat(),
        language=bundle.language,
        synthetic=bundle.synthetic,
        feature_texts=[
            FeatureTextOut(id=fid, **f.model_dump())
            for f, fid in zip(features, feature_ids, strict=True)
        ],
        alignments=alignments,
        cross_modal=cross_modal,
        assessment=assessment,
        depression_probability=estimate.values["depression_probability"] if estimate else None,
        depression_model=estimate.source if estimate else None,
        modalities_used=recognized.modalities_used,
        modalities_missing=recognized.modalities_missing,
        warnings=[*recognized.warnings, *align_warnings],
        store=store.backend if store else None,
    )
    if write and store is not None:
        say(f"writing the session to the {store.backend} graph store")
        nodes, edges = session_graph(
            keys,
            recorded_at=bundle.recorded_at,
            language=bundle.language,
            modalities_used=recognized.modalities_used,
            feature_texts=features,
            alignments=alignments,
            assessment=assessment,
            synthetic=bundle.synthetic,
            cross_modal=cross_modal,
        )
        stats = store.write(nodes, edges, replace_features_of=keys.session_key)
        result.written = True
        result.write_stats = {
            "nodes": stats.nodes,
            "edges": stats.edges,
            "replaced": stats.deleted_nodes,
        }
    return result


def analyze_bundle(
    path: Path,
    settings: Settings,
    store: GraphStore | None,
    *,
    write: bool = True,
    semantic: bool = True,
    progress: Progress | None = None,
) -> AnalysisResult:
    return analyze_session(
        read_bundle(path), settings, store, write=write, semantic=semantic, progress=progress
    )
