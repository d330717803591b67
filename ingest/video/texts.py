"""Feature texts (kg.feature_text.FeatureText) for the video modality.

Bilingual, short, and carrying the machine-readable values the graph aligns on: concept ids
per docs/CONVENTIONS.md (au:AU4, me_class:negative, emotion:sadness) and the event's
representation vector.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from ingest.video.au_defs import AU_NAMES, AUS, EMOTION_NAMES, ME_CLASS_NAMES, au_label
from kg.feature_text import Bilingual, FeatureText

if TYPE_CHECKING:
    from ingest.video.analyze import MicroExpressionEvent, VideoAnalysis

SOURCE = "mindkg.ingest.video/0.1"


def _au_en(au: int) -> str:
    return f"{AU_NAMES[au][1]} (AU{au})"


def event_text(ev: MicroExpressionEvent, index: int) -> FeatureText:
    cls_zh, cls_en = ME_CLASS_NAMES[ev.me_class]
    aus_zh = "、".join(au_label(a) for a in ev.dominant_aus) or "无明显动作单元"
    aus_en = ", ".join(_au_en(a) for a in ev.dominant_aus) or "no clear action unit"
    emo_zh = f"，{EMOTION_NAMES[ev.emotion][0]}倾向" if ev.emotion else ""
    emo_en = f", leaning {EMOTION_NAMES[ev.emotion][1]}" if ev.emotion else ""
    span = f"{ev.onset_s:.2f}–{ev.offset_s:.2f}"
    concepts = [f"au:AU{a}" for a in ev.dominant_aus] + [f"me_class:{ev.me_class}"]
    if ev.emotion:
        concepts.append(f"emotion:{ev.emotion}")
    return FeatureText(
        modality="video",
        kind="micro_expression",
        instance=f"me{index:04d}",
        text=Bilingual(
            zh=f"{span} 秒出现{cls_zh}微表情{emo_zh}，主要动作单元：{aus_zh}",
            en=f"{cls_en} micro-expression at {span} s{emo_en}; main action units: {aus_en}",
        ),
        values={
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
    return FeatureText(
        modality="video",
        kind="action_units",
        text=Bilingual(
            zh=f"共检测到 {len(a.events)} 次微表情（每分钟 {per_min:.1f} 次"
            + (f"；{cls_zh}" if cls_zh else "") + f"），主要动作单元：{aus_zh}",
            en=f"{len(a.events)} micro-expressions ({per_min:.1f} per minute"
            + (f"; {cls_en}" if cls_en else "") + f"); dominant action units: {aus_en}",
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
            "duration_s": round(a.n_frames / a.fps, 3),
            "fps": a.fps,
            "face_coverage": round(coverage, 4),
            "components": a.components,
            "concept_ids": [f"au:AU{x}" for x in dominant]
            + [f"me_class:{c}" for c in counts],
        },
        confidence=round(float(min(1.0, max(0.0, coverage))), 3),
        start_s=0.0,
        end_s=round(a.n_frames / a.fps, 4),
        source=SOURCE,
    )


def feature_texts(a: VideoAnalysis) -> list[FeatureText]:
    return [event_text(ev, i) for i, ev in enumerate(a.events)] + [summary_text(a)]
