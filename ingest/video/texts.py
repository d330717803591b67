"""Feature texts (contracts.feature_text.FeatureText) for the video modality.

Bilingual, short, and carrying the machine-readable values the graph aligns on: concept ids
per docs/CONVENTIONS.md (au:AU4, me_class:negative, emotion:sadness) and the event's
representation vector.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import EMOTION_NAMES, ME_CLASS_NAMES, au_id, emotion_id, me_class_id
from ingest.video.au_defs import AU_NAMES, AUS, au_label

if TYPE_CHECKING:
    from ingest.video.analyze import MicroExpressionEvent, VideoAnalysis
    from ingest.video.spotting import EyeEvent

SOURCE = "mindkg.ingest.video/0.1"


def _au_en(au: int) -> str:
    return f"{AU_NAMES[au][1].lower()} (AU{au})"


def event_text(ev: MicroExpressionEvent, index: int) -> FeatureText:
    cls_zh, cls_en = ME_CLASS_NAMES[ev.me_class]
    aus_zh = "、".join(au_label(a) for a in ev.dominant_aus) or "无明显动作单元"
    aus_en = ", ".join(_au_en(a) for a in ev.dominant_aus) or "no clear action unit"
    emo_zh = f"，{EMOTION_NAMES[ev.emotion][0]}倾向" if ev.emotion else ""
    emo_en = f", leaning {EMOTION_NAMES[ev.emotion][1]}" if ev.emotion else ""
    span = f"{ev.onset_s:.2f}–{ev.offset_s:.2f}"
    macro = getattr(ev, "kind", "micro") == "macro"
    word_zh, word_en = ("宏表情", "macro-expression") if macro else ("微表情", "micro-expression")
    concepts = [au_id(a) for a in ev.dominant_aus] + [me_class_id(ev.me_class)]
    if ev.emotion:
        concepts.append(emotion_id(ev.emotion))
    return FeatureText(
        modality="video",
        kind="macro_expression" if macro else "micro_expression",
        instance=f"{'mx' if macro else 'me'}{index:04d}",
        text=Bilingual(
            zh=f"{span} 秒出现{cls_zh}{word_zh}{emo_zh}，主要动作单元：{aus_zh}",
            en=f"{cls_en} {word_en} at {span} s{emo_en}; main action units: {aus_en}",
        ),
        values={
            "event_class": "macro" if macro else "micro",
            "au_confidence": {f"AU{a}": c for a, c in getattr(ev, "au_confidence", {}).items()},
            "me_class": ev.me_class,
            "emotion": ev.emotion,
            "classifier": ev.classifier,
            "emotion_classifier": ev.emotion_classifier or None,
            "dominant_aus": [f"AU{a}" for a in ev.dominant_aus],
            "apex_au_intensity": {f"AU{a}": v for a, v in ev.apex_aus.items() if v > 0},
            "onset_frame": ev.onset_frame,
            "apex_frame": ev.apex_frame,
            "offset_frame": ev.offset_frame,
            "apex_s": round(ev.apex_s, 4),
            "duration_s": round(ev.offset_s - ev.onset_s, 4),
            "fps": ev.fps,
            "region": ev.region,
            "concept_ids": concepts,
            "representation": ev.representation,
            "representation_kind": ev.representation_kind
            or "apex_au_intensity_delta/5 (AU order " + ",".join(str(a) for a in AUS) + ")",
        },
        confidence=ev.confidence,
        start_s=round(ev.onset_s, 4),
        end_s=round(ev.offset_s, 4),
        source=SOURCE,
    )


def summary_text(a: VideoAnalysis) -> FeatureText:
    minutes = a.n_frames / a.fps / 60.0
    per_min = len(a.events) / minutes if minutes > 0 else 0.0
    counts = Counter(ev.me_class for ev in a.events)
    au_counts: Counter[int] = Counter(au for ev in a.events for au in ev.dominant_aus)
    dominant = [au for au, _ in au_counts.most_common(3)]
    r = a.au_frames.data[:, 3 : 3 + len(AUS)]
    mean_r = np.nanmean(r, axis=0) if np.isfinite(r).any() else np.zeros(len(AUS))
    if not dominant:
        dominant = [AUS[i] for i in np.argsort(-mean_r)[:3] if mean_r[i] >= 0.5]
    cls_zh = "，".join(f"{ME_CLASS_NAMES[c][0]} {k} 次" for c, k in counts.most_common())
    cls_en = ", ".join(f"{ME_CLASS_NAMES[c][1]} {k}" for c, k in counts.most_common())
    aus_zh = "、".join(au_label(x) for x in dominant) or "无"
    aus_en = ", ".join(_au_en(x) for x in dominant) or "none"
    coverage = a.frames_with_face / a.n_frames if a.n_frames else 0.0
    n_macro = sum(getattr(ev, "kind", "micro") == "macro" for ev in a.events)
    n_micro = len(a.events) - n_macro
    return FeatureText(
        modality="video",
        kind="action_units",
        text=Bilingual(
            zh=f"共检测到 {n_micro} 次微表情、{n_macro} 次宏表情（每分钟 {per_min:.1f} 次"
            + (f"；{cls_zh}" if cls_zh else "") + f"），主要动作单元：{aus_zh}"
            + f"；眨眼 {a.blinks} 次",
            en=f"{n_micro} micro-expressions and {n_macro} macro-expressions "
            f"({per_min:.1f} per minute" + (f"; {cls_en}" if cls_en else "")
            + f"); dominant action units: {aus_en}; {a.blinks} blinks",
        ),
        values={
            "n_events": len(a.events),
            "events_per_minute": round(per_min, 3),
            "class_counts": dict(counts),
            "dominant_aus": [f"AU{x}" for x in dominant],
            "mean_au_intensity": {f"AU{au}": round(float(v), 3) for au, v in zip(AUS, mean_r,
                                                                                 strict=True)},
            "blinks": a.blinks,
            "macro_events": a.macro_events,
            "micro_events": sum(getattr(ev, "kind", "micro") == "micro" for ev in a.events),
            "eye_closures": sum(e.kind == "eye_closure" for e in getattr(a, "eye_events", [])),
            "winks": sum(e.kind == "wink" for e in getattr(a, "eye_events", [])),
            "low_confidence_frames": getattr(a, "low_confidence_frames", 0),
            "spans": a.spans,  # [{kind: blink|eye_closure|wink, onset_s, offset_s}]: timeline
            "duration_s": round(a.n_frames / a.fps, 3),
            "fps": a.fps,
            "face_coverage": round(coverage, 4),
            "components": a.components,
            "concept_ids": [au_id(x) for x in dominant]
            + [me_class_id(c) for c in counts],
        },
        confidence=round(float(min(1.0, max(0.0, coverage))), 3),
        start_s=0.0,
        end_s=round(a.n_frames / a.fps, 4),
        source=SOURCE,
    )


_EYE_WORDS = {
    "blink": ("眨眼", "blink"),
    "eye_closure": ("闭眼", "eyes closed"),
    "wink": ("单眼闭合", "wink"),
}
_SIDE = {"right": ("右眼", "right eye"), "left": ("左眼", "left eye"), "both": ("双眼", "both eyes")}


def eye_text(ev: EyeEvent, index: int) -> FeatureText:
    """One blink, eye closure (AU43) or wink (AU46), kept apart from expression events."""
    on, off = ev.onset_frame / ev.fps, (ev.offset_frame + 1) / ev.fps
    w_zh, w_en = _EYE_WORDS[ev.kind]
    s_zh, s_en = _SIDE[ev.side]
    return FeatureText(
        modality="video",
        kind="eye_event",
        instance=f"eye{index:04d}",
        text=Bilingual(zh=f"{on:.2f}–{off:.2f} 秒{s_zh}{w_zh}(AU{ev.au})",
                       en=f"{w_en} ({s_en}, AU{ev.au}) at {on:.2f}–{off:.2f} s"),
        values={"eye_event": ev.kind, "au": f"AU{ev.au}", "side": ev.side,
                "closure": ev.closure, "onset_frame": ev.onset_frame,
                "apex_frame": ev.apex_frame, "offset_frame": ev.offset_frame,
                "duration_s": ev.duration_s, "fps": ev.fps,
                "concept_ids": [au_id(ev.au)] if ev.au in AU_NAMES else []},
        confidence=ev.confidence,
        start_s=round(on, 4),
        end_s=round(off, 4),
        source=SOURCE,
    )


def feature_texts(a: VideoAnalysis) -> list[FeatureText]:
    eyes = getattr(a, "eye_events", [])
    return ([event_text(ev, i) for i, ev in enumerate(a.events)]
            + [eye_text(ev, i) for i, ev in enumerate(eyes) if ev.kind != "blink"]
            + [summary_text(a)])
