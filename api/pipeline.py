"""The one pipeline: read -> recognize -> align -> assess -> write.

Every entry point runs these stages: CLI `analyze` and `ingest` and the job workers through
`analyze_session`, CLI `assess` and HTTP `POST /v1/assessments` through `assess_features`. So
one feature-id scheme (`feature_ids`), one alignment policy (`align`) and one assessment
(`assess_stage`) hold for all of them, and the same feature texts get the same assessment.

Everything is computed and validated first; the graph is written last, in one transaction,
so a failure at any step leaves nothing half-written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api.feature_input import ClientFeatureTexts
from contracts.feature_text import FeatureText
from contracts.recognition import (
    Part,
    Recognition,
    Recognizer,
    RecognizerConfig,
    SessionInput,
    Status,
)
from contracts.session_records import Alignment, Assessment, SessionKeys
from contracts.settings import Settings
from ingest.bundle import SessionBundle, read_bundle
from kg.align.cross_modal import CrossModalLink
from kg.align.policy import align_features, existing_concepts
from kg.pseudonym import student_pseudonym
from kg.session_graph import session_graph
from kg.store.base import GraphStore

if TYPE_CHECKING:  # the decoder pulls in torch: loaded when a stage needs it
    from models.decoder import DecoderConfig

Progress = Callable[[str], None]
log = logging.getLogger("mindkg.pipeline")
REQUEST_SCOPE = "request"  # the id scope of feature texts assessed without a session
_DEFAULT: Any = object()  # "load the decoder configuration from the settings"


class DuplicateFeatureTexts(ValueError):
    """Two feature texts would get one id: same modality, kind, instance and time span."""


class FeatureTextOut(FeatureText):
    id: str


class MissingModality(BaseModel):
    model_config = ConfigDict(extra="forbid")

    modality: str
    recognizer: str
    reason: str


class RecognizerReport(BaseModel):
    """What one registered recognizer did with this session."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    modality: str
    status: Status
    reason: str = ""
    feature_texts: int = 0
    components: dict[str, str] = Field(default_factory=dict)


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
    modalities_missing: list[MissingModality] = Field(
        default_factory=list, description="each recognizer that gave nothing, and why")
    recognizers: list[RecognizerReport] = Field(default_factory=list)
    warnings: list[str]
    store: str | None = None
    written: bool = False
    write_stats: dict[str, Any] | None = None


# -- read -------------------------------------------------------------------------------------
def read_feature_texts(path: Path) -> list[FeatureText]:
    """A JSON list of feature texts, or an object with `feature_texts` (e.g. the JSON result of
    `mindkg analyze --json`, whose per-feature `id` is dropped: ids are given by the pipeline)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        items = raw["feature_texts"] if isinstance(raw, dict) and "feature_texts" in raw else raw
        features = TypeAdapter(ClientFeatureTexts).validate_python(items)
    except ValidationError as exc:  # one line, as the API says it (not pydantic's page)
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'top level'}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise ValueError(f"{path}: not a JSON list of feature texts: {problems}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"{path}: not a JSON list of feature texts: {exc}") from exc
    if not features:
        raise ValueError(f"{path}: holds no feature texts")
    return features


# -- recognize --------------------------------------------------------------------------------
@dataclass
class Recognized:
    feature_texts: list[FeatureText] = field(default_factory=list)
    modalities_used: list[str] = field(default_factory=list)
    modalities_missing: list[MissingModality] = field(default_factory=list)
    reports: list[RecognizerReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def session_input(bundle: SessionBundle) -> SessionInput:
    parts: dict[Part, Path] = {}
    for part in ("video", "audio", "transcript", "scales"):
        path = getattr(bundle, part)
        if path is not None:
            parts[part] = path
    return SessionInput(parts=parts, language=bundle.language, fps=bundle.fps)


def recognize(
    session: SessionInput,
    config: RecognizerConfig,
    *,
    recognizers: Sequence[Recognizer] | None = None,
    progress: Progress | None = None,
) -> Recognized:
    """Run each recognizer; one without usable input or that breaks is reported as missing.

    A ValueError (a corrupt file the user named, bad scale answers) stops the session: it is
    the user's input, and a clear error that writes nothing beats a silently partial result.
    """
    from api.recognizers import registered

    say = progress or (lambda _msg: None)
    out = Recognized()
    for rec in recognizers if recognizers is not None else registered():
        if any(session.get(p) for p in rec.accepts):
            say(f"recognizing {rec.name} ({rec.modality})")
        try:
            got = rec.recognize(session, config)
        except ValueError:
            raise
        except ImportError as exc:  # an optional recognizer whose dependencies are missing
            got = Recognition.missing(f"recognizer unavailable: {exc}")
        except Exception as exc:  # one broken recognizer must not sink the others
            log.exception("recognizer %s failed", rec.name)
            got = Recognition.missing(f"recognizer failed ({type(exc).__name__}: {exc})")
        _collect(out, rec, got, present=any(session.get(p) for p in rec.accepts))
    return out


def _collect(out: Recognized, rec: Recognizer, got: Recognition, *, present: bool) -> None:
    out.reports.append(RecognizerReport(
        name=rec.name, version=rec.version, modality=rec.modality, status=got.status,
        reason=got.reason, feature_texts=len(got.feature_texts), components=got.components))
    out.warnings += [w for w in got.warnings if w not in out.warnings]
    if got.status == "used":
        out.feature_texts += got.feature_texts
        if rec.modality not in out.modalities_used:
            out.modalities_used.append(rec.modality)
        return
    out.modalities_missing.append(
        MissingModality(modality=rec.modality, recognizer=rec.name, reason=got.reason))
    warning = f"{rec.modality} not used: {got.reason}"
    if present and warning not in out.warnings:  # media were given but gave nothing
        out.warnings.append(warning)


# -- ids --------------------------------------------------------------------------------------
def feature_ids(scope: str, features: Sequence[FeatureText]) -> list[str]:
    """The one id scheme: `<scope>/<local key>`; scope is the session key or `request`."""
    ids = [f"{scope}/{f.local_key()}" for f in features]
    if len(set(ids)) != len(ids):
        raise DuplicateFeatureTexts(
            "two feature texts share modality, kind, instance and time span; set `instance`")
    return ids


# -- align ------------------------------------------------------------------------------------
@dataclass
class Aligned:
    alignments: list[Alignment]
    cross_modal: list[CrossModalLink]
    warnings: list[str]


def align(
    features: Sequence[FeatureText],
    ids: Sequence[str],
    store: GraphStore | None,
    settings: Settings,
    *,
    progress: Progress | None = None,
) -> Aligned:
    """The one alignment policy: the concepts recognizers named, plus the joint-space aligner
    when `settings.semantic_alignment` is on and the graph has concepts."""
    if features:
        (progress or (lambda _m: None))("aligning feature texts to the knowledge graph")
    alignments, links, warnings = align_features(
        features, ids, store, settings, semantic=settings.semantic_alignment, progress=progress)
    return Aligned(alignments, links, warnings)


# -- assess -----------------------------------------------------------------------------------
def recognizer_config_for(settings: Settings, *, show_progress: bool = False) -> RecognizerConfig:
    """The recognizers' configuration, from the one Settings (recognizers never read env).

    The micro-expression classifier is named here and loaded by the video recognizer only
    when a session has video (torch stays unloaded otherwise).
    """
    return RecognizerConfig(
        show_progress=show_progress,
        asr_threads=settings.asr_threads,
        options={"video": {"me_model": settings.me_model, "me_weights": settings.me_weights}},
    )


def decoder_for(settings: Settings) -> DecoderConfig | None:
    from api.decoder_config import decoder_config

    return decoder_config(settings)


def assess_stage(
    features: Sequence[FeatureText],
    ids: Sequence[str],
    alignments: Sequence[Alignment],
    store: GraphStore | None,
    *,
    beam_width: int = 5,
    decoder: DecoderConfig | None = None,
) -> Assessment | None:
    """Decode the assessment; its evidence points only at what the graph holds."""
    if not features:
        return None
    from models.decoder import assess

    assessment = assess(features, ids, alignments, store, beam_width=beam_width, config=decoder)
    if store is not None:  # drop concept ids the graph lacks (stateless decoding keeps them)
        wanted = {cid for item in assessment.evidence for cid in [*item.concept_ids, *item.path]}
        present = existing_concepts(store, wanted) | set(ids)
        for item in assessment.evidence:
            item.concept_ids = [c for c in item.concept_ids if c in present]
            item.path = [c for c in item.path if c in present]
    return assessment


@dataclass
class FeatureAssessment:
    feature_ids: list[str]
    alignments: list[Alignment]
    cross_modal: list[CrossModalLink]
    assessment: Assessment | None
    warnings: list[str]


def assess_features(
    features: Sequence[FeatureText],
    settings: Settings,
    store: GraphStore | None,
    *,
    scope: str = REQUEST_SCOPE,
    beam_width: int = 5,
    decoder: DecoderConfig | None = _DEFAULT,
    progress: Progress | None = None,
) -> FeatureAssessment:
    """ids -> align -> assess for feature texts from any source (a session or an app)."""
    config = decoder_for(settings) if decoder is _DEFAULT else decoder
    ids = feature_ids(scope, features)
    aligned = align(features, ids, store, settings, progress=progress)
    assessment = assess_stage(features, ids, aligned.alignments, store, beam_width=beam_width,
                              decoder=config)
    return FeatureAssessment(ids, aligned.alignments, aligned.cross_modal, assessment,
                             aligned.warnings)


# -- the whole session ------------------------------------------------------------------------
def analyze_session(
    bundle: SessionBundle,
    settings: Settings,
    store: GraphStore | None,
    *,
    write: bool = True,
    beam_width: int = 5,
    progress: Progress | None = None,
    recognizer_config: RecognizerConfig | None = None,
    recognizers: Sequence[Recognizer] | None = None,
) -> AnalysisResult:
    say = progress or (lambda _msg: None)
    config = decoder_for(settings)  # a bad learned-fusion folder fails before any work
    student = student_pseudonym(settings, bundle.student)  # keyed per settings.center
    keys = SessionKeys(student=student, session=bundle.session)
    recognized = recognize(session_input(bundle),
                           recognizer_config or recognizer_config_for(settings),
                           recognizers=recognizers, progress=say)
    from models.depression import depression_feature_text

    # the speech/text depression model (models/depression) reads the recognizers' texts; its
    # estimate is a feature text of the session like theirs (written, aligned, evidence)
    estimate = depression_feature_text(recognized.feature_texts, bundle.language)
    if estimate is not None:
        recognized.feature_texts.append(estimate)
    features = recognized.feature_texts
    if not features:  # every named file gave nothing: an error, not an empty session
        reasons = recognized.warnings or list(
            dict.fromkeys(m.reason for m in recognized.modalities_missing))
        raise ValueError("nothing in the bundle could be analysed ("
                         + "; ".join(reasons) + "); nothing was written")
    done = assess_features(features, settings, store, scope=keys.session_key,
                           beam_width=beam_width, decoder=config, progress=say)
    result = AnalysisResult(
        student=student,
        session=bundle.session,
        session_key=keys.session_key,
        recorded_at=bundle.recorded_at.isoformat(),
        language=bundle.language,
        synthetic=bundle.synthetic,
        feature_texts=[
            FeatureTextOut(id=fid, **f.model_dump())
            for f, fid in zip(features, done.feature_ids, strict=True)
        ],
        alignments=done.alignments,
        cross_modal=done.cross_modal,
        assessment=done.assessment,
        depression_probability=estimate.values["depression_probability"] if estimate else None,
        depression_model=estimate.source if estimate else None,
        modalities_used=recognized.modalities_used,
        modalities_missing=recognized.modalities_missing,
        recognizers=recognized.reports,
        warnings=[*recognized.warnings, *done.warnings],
        store=store.backend if store else None,
    )
    if write and store is not None:
        say(f"writing the session to the {store.backend} graph store")
        write_session(store, keys, bundle, recognized, done, result)
    return result


# -- write ------------------------------------------------------------------------------------
def write_session(
    store: GraphStore,
    keys: SessionKeys,
    bundle: SessionBundle,
    recognized: Recognized,
    done: FeatureAssessment,
    result: AnalysisResult,
) -> None:
    nodes, edges = session_graph(
        keys,
        recorded_at=bundle.recorded_at,
        language=bundle.language,
        modalities_used=recognized.modalities_used,
        feature_texts=recognized.feature_texts,
        alignments=done.alignments,
        assessment=done.assessment,
        synthetic=bundle.synthetic,
        cross_modal=done.cross_modal,
    )
    stats = store.write(nodes, edges, replace_features_of=keys.session_key)
    result.written = True
    result.write_stats = {
        "nodes": stats.nodes,
        "edges": stats.edges,
        "replaced": stats.deleted_nodes,
    }


def analyze_bundle(
    path: Path,
    settings: Settings,
    store: GraphStore | None,
    *,
    write: bool = True,
    beam_width: int = 5,
    progress: Progress | None = None,
    recognizer_config: RecognizerConfig | None = None,
) -> AnalysisResult:
    """read -> recognize -> align -> assess -> write for a bundle folder."""
    return analyze_session(
        read_bundle(path), settings, store, write=write, beam_width=beam_width,
        progress=progress, recognizer_config=recognizer_config,
    )
