"""SYNTHETIC session feature texts for timeline tests, the rendering bench and the docs.

Shaped exactly as the recognizers store them: micro-expression events and the video summary
through ingest.video.texts, the F0/energy contour and pauses through ingest.audio.contour,
speech content with per-utterance polarity and rate. No real person's data; every text says
SYNTHETIC. Seeded: the same arguments give the same session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import polarity_id, symptom_id
from ingest.audio.contour import contour, pause_spans
from ingest.video.analyze import AUFrames, MicroExpressionEvent, VideoAnalysis
from ingest.video.au_defs import AUS
from ingest.video.texts import feature_texts as video_texts
from kg.ontology.scale_definitions import severity_band_id

_WORDS_ZH = ("我最近总是睡不好", "上课的时候很难集中注意力", "和室友的关系还可以",
             "有时候觉得什么都没意思", "周末去跑步了感觉好一点", "考试让我很紧张", "家里人很支持我")
_POLARITY = ("negative", "negative", "neutral", "negative", "positive", "negative", "positive")
_EVENT_AUS = ((4, 15), (12, 6), (1, 4), (14,), (9, 10))
_EVENT_CLASS = (("negative", "sadness"), ("positive", "happiness"), ("negative", "sadness"),
                ("others", None), ("negative", "disgust"))


def _video(duration_s: float, fps: float, rng: np.random.Generator) -> list[FeatureText]:
    n_frames = int(duration_s * fps)
    events = []
    t = float(rng.uniform(1.0, 3.0))
    while t < duration_s - 1.0:
        k = int(rng.integers(len(_EVENT_AUS)))
        onset = int(t * fps)
        length = int(rng.uniform(0.2, 0.45) * fps)
        apex = {au: 0.0 for au in AUS} | {au: round(float(rng.uniform(0.5, 2.0)), 3)
                                           for au in _EVENT_AUS[k]}
        me_class, emotion = _EVENT_CLASS[k]
        events.append(MicroExpressionEvent(
            onset_frame=onset, apex_frame=onset + length // 2, offset_frame=onset + length,
            fps=fps, confidence=0.8, region="face", me_class=me_class, emotion=emotion,
            classifier="au_rules (SYNTHETIC)", apex_aus=apex, dominant_aus=list(_EVENT_AUS[k]),
            representation=[round(apex[a] / 5, 4) for a in AUS]))
        t += float(rng.exponential(8.0)) + 0.6
    spans: list[dict[str, object]] = []
    t = float(rng.uniform(0.5, 2.0))
    while t < duration_s - 0.5:
        spans.append({"kind": "blink", "onset_s": round(t, 3), "offset_s": round(t + 0.25, 3)})
        t += float(rng.exponential(4.0)) + 0.5
    t = float(rng.uniform(5.0, 20.0))
    while t < duration_s - 2.0:
        spans.append({"kind": "macro", "onset_s": round(t, 3), "offset_s": round(t + 1.2, 3),
                      "dominant_aus": ["AU12", "AU6"], "me_class": "positive",
                      "emotion": "happiness"})
        t += float(rng.exponential(60.0)) + 5.0
    rows = np.zeros((4, 3 + len(AUS)), dtype=np.float32)
    analysis = VideoAnalysis(
        video_path=Path("SYNTHETIC.mp4"), fps=fps, n_frames=n_frames, frames_with_face=n_frames,
        au_frames=AUFrames(columns=["frame", "timestamp", "success", *map(str, AUS)], data=rows),
        events=events, blinks=sum(s["kind"] == "blink" for s in spans),
        macro_events=sum(s["kind"] == "macro" for s in spans), feature_texts=[],
        spans=sorted(spans, key=lambda s: float(s["onset_s"])),  # type: ignore[arg-type]
    )
    return video_texts(analysis)


def _speech(duration_s: float, rng: np.random.Generator) -> list[FeatureText]:
    segments: list[dict[str, Any]] = []
    t = float(rng.uniform(0.2, 1.0))
    while t < duration_s - 1.0:
        k = int(rng.integers(len(_WORDS_ZH)))
        text = _WORDS_ZH[k]
        length = len(text) / float(rng.uniform(3.0, 5.0))
        end = min(t + length, duration_s)
        segments.append({"start_s": round(t, 2), "end_s": round(end, 2), "text": text,
                         "polarity": _POLARITY[k],
                         "syllables_per_s": round(len(text) / (end - t), 2)})
        t = end + float(rng.uniform(0.3, 2.5))
    frame_s = 0.01
    times = np.arange(0.0, duration_s, frame_s)
    speaking = np.zeros(times.size, dtype=bool)
    for seg in segments:
        speaking |= (times >= seg["start_s"]) & (times < seg["end_s"])
    f0 = np.where(speaking, 210 + 25 * np.sin(times * 1.7) + rng.normal(0, 6, times.size), 0.0)
    energy = np.where(speaking, -24 + rng.normal(0, 3, times.size), -62 + rng.normal(0, 2,
                                                                                      times.size))
    vad_starts = np.arange(0.0, duration_s, 0.03)
    vad = np.zeros(vad_starts.size, dtype=bool)
    for seg in segments:
        vad |= (vad_starts >= seg["start_s"]) & (vad_starts < seg["end_s"])
    transcript = " ".join(str(s["text"]) for s in segments)
    negative = sum(s["polarity"] == "negative" for s in segments) > len(segments) / 2
    label = "negative" if negative else "neutral"
    content = FeatureText(
        modality="audio", kind="speech_content",
        text=Bilingual(zh=f"言语内容（合成）：{'消极' if negative else '中性'}",
                       en=f"Speech content (SYNTHETIC): {label}"),
        values={"transcript": transcript, "transcript_source": "SYNTHETIC", "segments": segments,
                "polarity": {"label": label}, "symptoms": ["sleep"],
                "symptom_mentions": {"sleep": ["睡不好"]}, "suicide_risk": "none",
                "risk_phrases": [], "concept_ids": [polarity_id(label), symptom_id("sleep")]},
        start_s=0.0, end_s=round(duration_s, 3), source="SYNTHETIC")
    voiced = f0 > 0
    intonation = FeatureText(
        modality="audio", kind="intonation",
        text=Bilingual(zh="语调（合成）：平稳", en="Intonation (SYNTHETIC): steady"),
        values={"f0_mean_hz": round(float(f0[voiced].mean()), 1) if voiced.any() else None,
                "contour": contour(times, f0, times, energy),
                "concept_ids": ["prosody:flat"]},
        start_s=0.0, end_s=round(duration_s, 3), source="SYNTHETIC")
    rate = FeatureText(
        modality="audio", kind="speech_rate",
        text=Bilingual(zh="语速（合成）：正常", en="Speech rate (SYNTHETIC): normal"),
        values={"pauses": pause_spans(vad_starts, vad), "concept_ids": ["rate:normal"]},
        start_s=0.0, end_s=round(duration_s, 3), source="SYNTHETIC")
    return [content, intonation, rate]


def synthetic_session(
    duration_s: float = 60.0, fps: float = 120.0, seed: int = 0
) -> list[FeatureText]:
    """Video events + summary, speech content, intonation, rate and a PHQ-9 scale text."""
    rng = np.random.default_rng(seed)
    scale = FeatureText(
        modality="scales", kind="scale_score", instance="PHQ9",
        text=Bilingual(zh="PHQ-9 总分 12（合成），中度", en="PHQ-9 total 12 (SYNTHETIC), moderate"),
        values={"instrument": "PHQ9", "raw_total": 12, "index": None, "level": "moderate",
                "risk_level": "none", "concept_ids": [severity_band_id("PHQ9", "moderate")]},
        source="SYNTHETIC")
    return [*_video(duration_s, fps, rng), *_speech(duration_s, rng), scale]
