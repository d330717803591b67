"""Per-session timelines and a student's trend across sessions, as plain data.

Built from feature texts only (their time spans, values and concept ids), so it works with
whatever modalities a session has; today that is often scales alone. Rendering lives in
api/plots/. The trend flag is decision support: it asks a professional to look, nothing more.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.feature_text import Bilingual, FeatureText
from kg.schema import FEATURE_TEXT, SESSION
from kg.store.base import GraphStore

_SEVERITY = {"none": 0.0, "minimal": 0.0, "mild": 1 / 3, "moderate": 2 / 3, "severe": 1.0}
_RISK = {"none": 0.0, "low": 1 / 3, "moderate": 2 / 3, "high": 1.0}
_NEGATIVE = ("valence:negative", "me_class:negative", "polarity:negative")
_POSITIVE = ("valence:positive", "me_class:positive", "polarity:positive")
# Lanes of the timeline figure, in drawing order.
LANES = ("micro_expression", "speech_polarity", "prosody", "session_measures")


@dataclass
class TimelineEvent:
    lane: str
    start_s: float | None
    end_s: float | None
    label: str
    value: float | None
    text: Bilingual


@dataclass
class SessionTimeline:
    session_key: str
    recorded_at: str
    events: list[TimelineEvent] = field(default_factory=list)

    def lane(self, name: str) -> list[TimelineEvent]:
        return [e for e in self.events if e.lane == name]


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
    return 0.0 if any(c.startswith(("valence:", "polarity:")) for c in concepts) else None


def _lane(feature: FeatureText) -> str:
    if feature.kind in ("micro_expression", "action_units") or feature.modality == "video":
        return "micro_expression"
    if feature.kind == "speech_content" or feature.modality == "text":
        return "speech_polarity"
    if feature.kind in ("intonation", "speech_rate") or feature.modality == "audio":
        return "prosody"
    return "session_measures"


def _value(feature: FeatureText, lane: str) -> float | None:
    if lane == "session_measures":
        level = feature.values.get("level", feature.values.get("severity"))
        return _SEVERITY.get(str(level)) if level is not None else None
    if lane == "prosody":
        for name in ("pitch_mean_hz", "f0_mean_hz", "rate_syllables_per_s", "energy_db"):
            raw = feature.values.get(name)
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                return float(raw)
        return None
    return negativity(feature)


def build_timeline(
    session_key: str, recorded_at: str, features: Sequence[FeatureText]
) -> SessionTimeline:
    timeline = SessionTimeline(session_key=session_key, recorded_at=recorded_at)
    for feature in features:
        lane = _lane(feature)
        timeline.events.append(
            TimelineEvent(
                lane=lane,
                start_s=feature.start_s,
                end_s=feature.end_s,
                label=feature.instance or feature.kind,
                value=_value(feature, lane),
                text=feature.text,
            )
        )
    return timeline


# -- trend --------------------------------------------------------------------------------------
@dataclass
class TrendPoint:
    session_key: str
    recorded_at: str
    indicators: dict[str, float]
    index: float | None


@dataclass
class Trend:
    student: str
    points: list[TrendPoint]
    rises_needed: int
    flagged: bool
    flag_reasons: list[str]


def session_indicators(features: Sequence[FeatureText]) -> dict[str, float]:
    """Negative-affect indicators in 0..1 for one session, one per modality it has."""
    buckets: dict[str, list[float]] = {}
    for feature in features:
        lane = _lane(feature)
        if lane == "session_measures":
            level = feature.values.get("level")
            if str(level) in _SEVERITY:
                buckets.setdefault("scale_severity", []).append(_SEVERITY[str(level)])
            risk = feature.values.get("risk_level")
            if str(risk) in _RISK:
                buckets.setdefault("suicide_risk", []).append(_RISK[str(risk)])
        elif lane in ("micro_expression", "speech_polarity"):
            neg = negativity(feature)
            if neg is not None:
                name = "negative_expressions" if lane == "micro_expression" else "negative_speech"
                buckets.setdefault(name, []).append(1.0 if neg > 0 else 0.0)
    out: dict[str, float] = {}
    for name, values in buckets.items():
        # Risk is a maximum (never averaged away); the others are shares / means.
        out[name] = max(values) if name == "suicide_risk" else sum(values) / len(values)
    return out


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
        points.append(TrendPoint(key, recorded_at, ind, index))
    reasons = []
    names = sorted({n for p in points for n in p.indicators})
    for name in names:
        if rising_run([p.indicators.get(name) for p in points], rises):
            reasons.append(f"{name} rose in each of the last {rises} sessions")
    if rising_run([p.index for p in points], rises):
        reasons.append(f"the negative-affect index rose in each of the last {rises} sessions")
    return Trend(student, points, rises, bool(reasons), reasons)


# -- reading sessions back from the graph -------------------------------------------------------
def features_from_graph(store: GraphStore, session_key: str) -> list[FeatureText]:
    nodes = store.find_nodes(FEATURE_TEXT, {"session": session_key})
    out = []
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
    return out


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
    return build_timeline(
        session_key, str(node.props.get("recorded_at", "")), features_from_graph(store, session_key)
    )
