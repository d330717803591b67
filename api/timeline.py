"""Per-session timelines and a student's trend across sessions, as plain data.

Built from what the graph stores (feature texts with their values, the assessment and its
evidence), so it works with whatever modalities a session has. One time axis carries only
timed things: facial events at their onset-offset, blinks, the decimated F0/energy contour,
pauses and the transcript's utterances. Session-level summaries (the video summary, the
intonation and speech-rate descriptors, the scales) are never drawn as events: they go to the
side panel. Rendering lives in api/plots/. The trend flag is decision support: it asks a
professional to look, nothing more.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.claims import claim_sentence
from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import (
    POLARITY_PREFIX,
    RISK_PREFIX,
    SYMPTOM_PREFIX,
    VALENCE_PREFIX,
    me_class_id,
    polarity_id,
    valence_id,
)
from kg.schema import ASSESSMENT, FEATURE_TEXT, SESSION
from kg.store.base import GraphStore

_SEVERITY = {"none": 0.0, "minimal": 0.0, "mild": 1 / 3, "moderate": 2 / 3, "severe": 1.0}
_RISK = {"none": 0.0, "low": 1 / 3, "moderate": 2 / 3, "high": 1.0}
_NEGATIVE = (valence_id("negative"), me_class_id("negative"), polarity_id("negative"))
_POSITIVE = (valence_id("positive"), me_class_id("positive"), polarity_id("positive"))
EVENT_KINDS = ("micro_expression", "macro_expression")  # the only feature texts drawn as events
CLOSURE_KINDS = ("eye_closure", "closure", "eyes_closed", "wink")  # AU43, AU46 one side


@dataclass
class FaceEvent:
    """A micro- or macro-expression between onset and offset (seconds)."""

    start_s: float
    end_s: float
    scale: str  # "micro" | "macro"
    me_class: str  # positive | negative | surprise | other | ...
    emotion: str | None
    aus: list[str]
    feature_id: str | None = None
    text: Bilingual | None = None


@dataclass
class Utterance:
    """One transcript segment: its span, words, polarity and (when known) speech emotion."""

    start_s: float
    end_s: float
    text: str
    polarity: str | None  # positive | negative | neutral | None (not scored)
    emotion: str | None = None
    rate_sps: float | None = None


@dataclass
class Contour:
    t: list[float]
    f0_hz: list[float | None]
    energy_db: list[float | None]


@dataclass
class SideItem:
    """A session-level observation (summary or scale): listed beside the axis, never on it."""

    modality: str
    kind: str
    label: str
    text: Bilingual
    level: float | None = None  # 0..1 severity for scales
    feature_id: str | None = None


@dataclass
class EvidenceMark:
    """One evidence item of the assessment, with the number its claim has in the text ("[n]");
    None for an item that rests on no feature (a missing modality)."""

    number: int | None
    claim: str
    modality: str
    path: list[str]
    feature_ids: list[str]
    spans: list[tuple[float, float]]  # where on the axis; empty for session-level evidence
    feature_text: Bilingual | None = None


@dataclass
class Claim:
    """One numbered claim of the assessment: its sentence as the text states it (None for an
    assessment stored before claims were numbered in the text) and its evidence items."""

    number: int
    claim: str
    sentence: Bilingual | None
    marks: list[EvidenceMark]

    @property
    def spans(self) -> list[tuple[float, float]]:
        return sorted({span for mark in self.marks for span in mark.spans})


@dataclass
class SessionTimeline:
    session_key: str
    recorded_at: str
    duration_s: float = 0.0
    face_events: list[FaceEvent] = field(default_factory=list)
    blinks: list[tuple[float, float]] = field(default_factory=list)
    eye_closures: list[tuple[float, float]] = field(default_factory=list)
    contour: Contour | None = None
    pauses: list[tuple[float, float]] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)
    summaries: list[SideItem] = field(default_factory=list)
    scales: list[SideItem] = field(default_factory=list)
    evidence: list[EvidenceMark] = field(default_factory=list)
    assessment: Bilingual | None = None
    session_emotion: str | None = None
    features: list[FeatureText] = field(default_factory=list)

    @property
    def timed_evidence(self) -> list[EvidenceMark]:
        return [e for e in self.evidence if e.spans and e.number is not None]

    @property
    def claims(self) -> list[Claim]:
        """The numbered claims, in the order of their numbers."""
        marks: dict[int, list[EvidenceMark]] = {}
        for mark in self.evidence:
            if mark.number is not None:
                marks.setdefault(mark.number, []).append(mark)
        return [Claim(n, ms[0].claim, claim_sentence(self.assessment, n) if self.assessment
                      else None, ms) for n, ms in sorted(marks.items())]

    def evidence_spans(self, lanes: str = "") -> dict[tuple[float, float], list[int]]:
        """Span -> numbers of the timed evidence resting on it; with `lanes` ("face" or
        "speech"), only the evidence of that modality (highlights stay in their own lanes)."""
        out: dict[tuple[float, float], list[int]] = {}
        for mark in self.timed_evidence:
            lane = "face" if mark.modality == "video" else "speech"
            if lanes and lanes != lane:
                continue
            for span in mark.spans:
                out.setdefault(span, [])
                if mark.number is not None and mark.number not in out[span]:
                    out[span].append(mark.number)
        return {span: sorted(numbers) for span, numbers in out.items()}


def _concepts(feature: FeatureText) -> list[str]:
    return [str(c) for c in feature.values.get("concept_ids", [])]


def negativity(feature: FeatureText) -> float | None:
    """-1..1 from the feature's valence/polarity concepts (or a numeric 'polarity' value)."""
    concepts = _concepts(feature)
    if any(c in concepts for c in _NEGATIVE):
        return 1.0
    if any(c in concepts for c in _POSITIVE):
        return -1.0
    raw = feature.values.get("polarity")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return max(-1.0, min(1.0, -float(raw)))
    if raw in ("negative", "positive", "neutral"):
        return {"negative": 1.0, "positive": -1.0, "neutral": 0.0}[raw]
    return 0.0 if any(c.startswith((VALENCE_PREFIX, POLARITY_PREFIX)) for c in concepts) else None


def _num(raw: Any) -> float | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return None


def _label(raw: Any) -> str | None:
    """A label from a plain string or a {"label": ...} mapping (e.g. values.speech_emotion)."""
    if isinstance(raw, Mapping):
        raw = raw.get("label")
    return str(raw) if isinstance(raw, str) and raw else None


def _is_event(feature: FeatureText) -> bool:
    return (
        feature.kind in EVENT_KINDS and feature.start_s is not None and feature.end_s is not None
    )


def _face_event(feature: FeatureText, fid: str | None) -> FaceEvent:
    v = feature.values
    macro = feature.kind == "macro_expression" or v.get("scale") == "macro"
    return FaceEvent(
        start_s=float(feature.start_s or 0.0),
        end_s=float(feature.end_s or feature.start_s or 0.0),
        scale="macro" if macro else "micro",
        me_class=str(v.get("me_class") or "other"),
        emotion=_label(v.get("emotion")),
        aus=[str(a) for a in v.get("dominant_aus", [])],
        feature_id=fid,
        text=feature.text,
    )


def _span_events(v: Mapping[str, Any], tl: SessionTimeline) -> None:
    """Blinks, eye closures and macro-expressions kept in the video summary's `spans`."""
    for span in v.get("spans") or []:
        start, end = _num(span.get("onset_s")), _num(span.get("offset_s"))
        if start is None or end is None:
            continue
        kind = str(span.get("kind", ""))
        if kind == "blink":
            tl.blinks.append((start, end))
        elif kind in CLOSURE_KINDS:
            tl.eye_closures.append((start, end))
        elif kind == "macro":
            tl.face_events.append(
                FaceEvent(start, end, "macro", str(span.get("me_class") or "other"),
                          _label(span.get("emotion")),
                          [str(a) for a in span.get("dominant_aus", [])])
            )


def _utterances(v: Mapping[str, Any]) -> list[Utterance]:
    out = []
    for seg in v.get("segments") or []:
        start, end = _num(seg.get("start_s")), _num(seg.get("end_s"))
        if start is None or end is None or end < start:
            continue
        emotion = _label(seg.get("speech_emotion")) or _label(seg.get("emotion"))
        out.append(Utterance(start, end, str(seg.get("text", "")), _label(seg.get("polarity")),
                             emotion, _num(seg.get("syllables_per_s"))))
    return out


def _contour(v: Mapping[str, Any]) -> Contour | None:
    raw = v.get("contour")
    if not isinstance(raw, Mapping) or not raw.get("t"):
        return None
    t = [float(x) for x in raw["t"]]
    f0 = [_num(x) for x in raw.get("f0_hz", [None] * len(t))]
    energy = [_num(x) for x in raw.get("energy_db", [None] * len(t))]
    if not len(t) == len(f0) == len(energy):
        return None
    return Contour(t, f0, energy)


def _side(feature: FeatureText, fid: str | None) -> SideItem:
    level = feature.values.get("level", feature.values.get("severity"))
    return SideItem(
        modality=feature.modality,
        kind=feature.kind,
        label=feature.instance or feature.kind,
        text=feature.text,
        level=_SEVERITY.get(str(level)) if level is not None else None,
        feature_id=fid,
    )


def build_timeline(
    session_key: str,
    recorded_at: str,
    features: Sequence[FeatureText],
    feature_ids: Sequence[str] | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
    assessment: Bilingual | None = None,
) -> SessionTimeline:
    """`feature_ids` are the graph ids of `features` (needed to place `evidence`, the
    assessment's evidence items as stored: {claim, modality, feature_ids, concept_ids, path})."""
    ids: list[str | None] = list(feature_ids) if feature_ids is not None else [None] * len(features)
    if len(ids) != len(features):
        raise ValueError("feature_ids and features differ in length")
    tl = SessionTimeline(session_key, recorded_at, assessment=assessment, features=list(features))
    ends: list[float] = []
    for feature, fid in zip(features, ids, strict=True):
        v = feature.values
        if _is_event(feature):
            tl.face_events.append(_face_event(feature, fid))
            continue
        if feature.modality == "scales":
            tl.scales.append(_side(feature, fid))
            continue
        tl.summaries.append(_side(feature, fid))
        _span_events(v, tl)
        if feature.kind == "speech_content" or v.get("segments"):
            tl.utterances += _utterances(v)
        if feature.kind == "intonation" and tl.contour is None:
            tl.contour = _contour(v)
        for pause in v.get("pauses") or []:
            tl.pauses.append((float(pause[0]), float(pause[1])))
        if tl.session_emotion is None:
            tl.session_emotion = _label(v.get("speech_emotion"))
        ends += [x for x in (_num(v.get("duration_s")), feature.end_s) if x is not None]
    tl.face_events.sort(key=lambda e: e.start_s)
    tl.utterances.sort(key=lambda u: u.start_s)
    ends += [e.end_s for e in tl.face_events] + [u.end_s for u in tl.utterances]
    ends += [b for _a, b in tl.blinks + tl.eye_closures + tl.pauses]
    if tl.contour is not None:
        ends.append(tl.contour.t[-1])
    tl.duration_s = max(ends, default=0.0)
    by_id = {fid: f for f, fid in zip(features, ids, strict=True) if fid is not None}
    numbers = _claim_numbers(evidence)
    tl.evidence = [_mark(numbers.get(i), item, by_id, tl) for i, item in enumerate(evidence)]
    return tl


def _claim_numbers(evidence: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Evidence index -> its claim's number: the stored `claim_number`; for an assessment
    stored before claims were numbered, claims with a feature in order of first appearance."""
    stored = {i: int(item["claim_number"]) for i, item in enumerate(evidence)
              if isinstance(item.get("claim_number"), int)}
    if stored or not evidence:
        return stored
    order: dict[str, int] = {}
    out = {}
    for i, item in enumerate(evidence):
        if item.get("feature_ids"):
            out[i] = order.setdefault(str(item.get("claim", "")), len(order) + 1)
    return out


def _mark(
    number: int | None, item: Mapping[str, Any], by_id: Mapping[str, FeatureText],
    tl: SessionTimeline,
) -> EvidenceMark:
    """Where one evidence item sits in time. An item decided by fusion over the whole session
    (modality "fusion", e.g. "no risk signal found") is session-level, never drawn on events."""
    fids = [str(f) for f in item.get("feature_ids", [])]
    timed = item.get("modality") != "fusion"
    concepts = [str(c) for c in item.get("concept_ids", [])] + [
        str(p) for p in item.get("path", [])
    ]
    spans: list[tuple[float, float]] = []
    text = None
    for fid in fids:
        feature = by_id.get(fid)
        if feature is None:
            continue
        text = text or feature.text
        if not timed:
            continue
        if _is_event(feature):
            spans.append((float(feature.start_s or 0.0), float(feature.end_s or 0.0)))
        elif feature.kind == "speech_content":
            spans += _content_spans(feature, concepts, tl.utterances)
    return EvidenceMark(
        number=number,
        claim=str(item.get("claim", "")),
        modality=str(item.get("modality", "")),
        path=[str(p) for p in item.get("path", [])],
        feature_ids=fids,
        spans=sorted(set(spans)),
        feature_text=text,
    )


def _content_spans(
    feature: FeatureText, concepts: Sequence[str], utterances: Sequence[Utterance]
) -> list[tuple[float, float]]:
    """Where in the transcript a speech-content claim rests: the utterances holding its risk
    phrases, symptom mentions or the claimed polarity."""
    v = feature.values

    def holding(phrases: Sequence[str]) -> list[tuple[float, float]]:
        return [(u.start_s, u.end_s) for u in utterances if any(p and p in u.text for p in phrases)]

    spans: list[tuple[float, float]] = []
    if any(c.startswith(RISK_PREFIX) for c in concepts):
        for rp in v.get("risk_phrases") or []:
            at = _num(rp.get("start_s"))
            hit = [(u.start_s, u.end_s) for u in utterances if at is not None
                   and u.start_s <= at <= u.end_s]
            spans += hit or holding([str(rp.get("phrase", ""))])
    mentions = v.get("symptom_mentions") or {}
    for c in concepts:
        if c.startswith(SYMPTOM_PREFIX):
            code = c.split(":", 1)[1]
            spans += holding([str(p) for p in mentions.get(code, [])])
        if c.startswith(POLARITY_PREFIX):
            label = c.split(":", 1)[1]
            spans += [(u.start_s, u.end_s) for u in utterances if u.polarity == label]
    return spans


# -- trend --------------------------------------------------------------------------------------
MEASURES = {  # name -> (zh, en)
    "scale_severity": ("量表严重程度", "scale severity"),
    "suicide_risk": ("自杀风险", "suicide risk"),
    "negative_expressions": ("负性表情占比", "negative facial events (share)"),
    "negative_speech": ("负性话语占比", "negative utterances (share)"),
}


@dataclass
class TrendPoint:
    session_key: str
    recorded_at: str
    indicators: dict[str, float]
    index: float | None
    scales: dict[str, float] = field(default_factory=dict)  # instrument -> score
    scale_levels: dict[str, str] = field(default_factory=dict)


@dataclass
class Trend:
    student: str
    points: list[TrendPoint]
    rises_needed: int
    flagged: bool
    flag_reasons: list[str]


def session_indicators(features: Sequence[FeatureText]) -> dict[str, float]:
    """Negative-affect indicators in 0..1 for one session, one per modality it has.

    Facial and speech shares count events and utterances only; a session summary is never
    counted as one more event."""
    buckets: dict[str, list[float]] = {}
    for feature in features:
        v = feature.values
        if feature.modality == "scales":
            level = v.get("level")
            if str(level) in _SEVERITY:
                buckets.setdefault("scale_severity", []).append(_SEVERITY[str(level)])
            risk = v.get("risk_level")
            if str(risk) in _RISK:
                buckets.setdefault("suicide_risk", []).append(_RISK[str(risk)])
        elif _is_event(feature):
            neg = negativity(feature)
            if neg is not None or v.get("me_class"):
                negative = (neg or 0) > 0 or v.get("me_class") == "negative"
                buckets.setdefault("negative_expressions", []).append(1.0 if negative else 0.0)
        elif feature.kind == "speech_content":
            labels = [u.polarity for u in _utterances(v) if u.polarity]
            if labels:
                buckets.setdefault("negative_speech", []).extend(
                    1.0 if lb == "negative" else 0.0 for lb in labels)
            else:
                neg = negativity(feature)
                if neg is not None:
                    buckets.setdefault("negative_speech", []).append(1.0 if neg > 0 else 0.0)
            risk = v.get("suicide_risk")
            if str(risk) in _RISK:
                buckets.setdefault("suicide_risk", []).append(_RISK[str(risk)])
    out: dict[str, float] = {}
    for name, values in buckets.items():
        # Risk is a maximum (never averaged away); the others are shares / means.
        out[name] = max(values) if name == "suicide_risk" else sum(values) / len(values)
    return out


def _scale_scores(features: Sequence[FeatureText]) -> tuple[dict[str, float], dict[str, str]]:
    scores: dict[str, float] = {}
    levels: dict[str, str] = {}
    for f in features:
        if f.modality != "scales":
            continue
        name = str(f.values.get("instrument") or f.instance or f.kind)
        score = _num(f.values.get("index"))
        score = score if score is not None else _num(f.values.get("raw_total"))
        if score is not None:
            scores[name] = score
            # the instrument's own band ("moderately_severe"), not the coarse level it maps to
            levels[name] = str(f.values.get("severity") or f.values.get("level") or "")
    return scores, levels


def rising_run(values: Sequence[float | None], rises: int) -> bool:
    """True when the last `rises` session-to-session changes were all increases.

    "Rise three sessions in a row" = each of three consecutive sessions is higher than the
    one before it (so four sessions are needed). Only the most recent run counts: a rise
    that already turned around is no longer a reason to look.
    """
    series = [v for v in values if v is not None]
    if len(series) < rises + 1:
        return False
    tail = series[-(rises + 1) :]
    return all(b > a for a, b in itertools.pairwise(tail))


def build_trend(
    student: str,
    sessions: Sequence[tuple[str, str, Sequence[FeatureText]]],
    *,
    rises: int = 3,
) -> Trend:
    """`sessions` are (session key, recorded_at ISO, feature texts); sorted here by time."""
    points = []
    for key, recorded_at, features in sorted(sessions, key=lambda s: s[1]):
        ind = session_indicators(features)
        index = sum(ind.values()) / len(ind) if ind else None
        scores, levels = _scale_scores(features)
        points.append(TrendPoint(key, recorded_at, ind, index, scores, levels))
    reasons = []
    names = sorted({n for p in points for n in p.indicators})
    for name in names:
        if rising_run([p.indicators.get(name) for p in points], rises):
            reasons.append(f"{name} rose in each of the last {rises} sessions")
    if rising_run([p.index for p in points], rises):
        reasons.append(f"the negative-affect index rose in each of the last {rises} sessions")
    return Trend(student, points, rises, bool(reasons), reasons)


# -- reading sessions back from the graph -------------------------------------------------------
def _features_and_ids(store: GraphStore, session_key: str) -> tuple[list[FeatureText], list[str]]:
    nodes = store.find_nodes(FEATURE_TEXT, {"session": session_key})
    out, ids = [], []
    for node in nodes:
        p = node.props
        out.append(
            FeatureText(
                modality=p["modality"],
                kind=p["kind"],
                text=Bilingual(zh=p["text_zh"], en=p["text_en"]),
                values=json.loads(p.get("values_json") or "{}"),
                confidence=p.get("confidence", 1.0),
                start_s=p.get("start_s"),
                end_s=p.get("end_s"),
                source=p.get("source") or "",
                instance=p.get("instance") or "",
            )
        )
        ids.append(node.key)
    return out, ids


def features_from_graph(store: GraphStore, session_key: str) -> list[FeatureText]:
    return _features_and_ids(store, session_key)[0]


def student_sessions(store: GraphStore, student: str) -> list[tuple[str, str]]:
    """(session key, recorded_at) of a student's sessions, oldest first."""
    nodes = store.find_nodes(SESSION, {"student": student})
    return sorted(((n.key, str(n.props.get("recorded_at", ""))) for n in nodes), key=lambda s: s[1])


def trend_from_graph(store: GraphStore, student: str, *, rises: int = 3) -> Trend:
    sessions = [
        (k, at, features_from_graph(store, k)) for k, at in student_sessions(store, student)
    ]
    return build_trend(student, sessions, rises=rises)


def timeline_from_graph(store: GraphStore, session_key: str) -> SessionTimeline | None:
    node = store.get_node(SESSION, session_key)
    if node is None:
        return None
    features, ids = _features_and_ids(store, session_key)
    evidence: list[dict[str, Any]] = []
    text = None
    assessment = store.get_node(ASSESSMENT, f"{session_key}/assessment")
    if assessment is not None:
        evidence = json.loads(assessment.props.get("evidence_json") or "[]")
        zh, en = assessment.props.get("text_zh"), assessment.props.get("text_en")
        text = Bilingual(zh=zh, en=en) if zh and en else None
    return build_timeline(
        session_key, str(node.props.get("recorded_at", "")), features, ids, evidence, text
    )
