"""The speech path: one streaming pass over the audio, then three feature texts.

The intonation text also carries the speech-emotion estimate of the shipped EmoDB model
(ingest/audio/emotion.py, models/speech_emotion), averaged over voiced 2 s windows.

Each block (<= 28 s, cut at a quiet point) goes through frame features, WebRTC VAD, Praat
and, when there is no transcript, Whisper; only per-frame scalars and running moments are
kept, so memory stays bounded for a 30-minute session. Whisper decodes on its own thread
(asr.BackgroundTranscriber) while the block's other features are computed. Inputs are
validated after the pass (truncation, silence, clipping) and nothing is returned for a bad
file.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import polarity_id, risk_id
from ingest.audio import asr as asr_mod
from ingest.audio.content import (
    analyse_content,
    count_syllables,
    keywords,
    polarity,
    risk_values,
    symptom_names,
)
from ingest.audio.contour import contour, pause_spans
from ingest.audio.decode import (
    SAMPLE_RATE,
    DecodeStats,
    probe,
    quiet_blocks,
    stream_samples,
)
from ingest.audio.emotion import EmotionTrack
from ingest.audio.emotion import sentence as emotion_sentence
from ingest.audio.errors import AudioInputError, NoSpeechError
from ingest.audio.frames import N_MFCC, MomentAccumulator, frame_features
from ingest.audio.tables import Decision, decide, descriptors, normalise_baseline
from ingest.audio.transcript import read_transcript
from ingest.audio.vad import VAD_FRAME_S, SpeechTiming, speech_mask, timing, webrtc_flags
from ingest.audio.voice import VoiceTrack, f0_summary, syllable_nuclei

VERSION = "0.1"
SILENT_PEAK = 10 ** (-60 / 20)  # -60 dBFS
CLIP_ERROR = 0.01  # share of samples at full scale that makes analysis meaningless
CLIP_WARN = 0.001
MIN_SPEECH_S = 0.5
RELIABLE_SPEECH_S = 20.0
LOW_COVERAGE = 0.3  # confidence of prosody/rate reaches 1 at this much speech


@dataclass
class SpeechAnalysis:
    """Result of `analyze_speech`: content, intonation, rate and (when estimated) speech
    emotion feature texts (only content without audio) and context."""

    feature_texts: list[FeatureText]
    warnings: list[str]
    transcript: str
    duration_s: float
    segments: list[asr_mod.Segment] = field(default_factory=list)
    timing: SpeechTiming | None = None


@dataclass
class _Frames:
    """Per-frame scalars of the whole recording (a few MB for 30 minutes)."""

    times: list[np.ndarray] = field(default_factory=list)
    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)
    vad_starts: list[np.ndarray] = field(default_factory=list)
    vad_flags: list[np.ndarray] = field(default_factory=list)
    vad_db: list[np.ndarray] = field(default_factory=list)

    def cat(self, name: str) -> np.ndarray:
        parts = self.times if name == "times" else self.cols.get(name, [])
        return np.concatenate(parts) if parts else np.zeros(0)


def analyze_speech(
    audio_path: Path | None,
    *,
    video_path: Path | None = None,
    transcript_path: Path | None = None,
    language: str = "zh",
    baseline: dict[str, Any] | None = None,
    progress: bool = True,
    asr_model: str = "auto",
    asr_threads: int = 0,
) -> SpeechAnalysis:
    """Content, intonation and speech-rate feature texts for one session's speech.

    `baseline` maps feature names (e.g. "f0_mean_hz", "pause_ratio") to the speaker's
    earlier values (list) or {"mean", "sd"}; without it, population norms are used.
    `asr_threads`: faster-whisper's CPU threads (0 = min(cores, 4)).
    Raises AudioInputError for missing, non-audio, truncated, silent or clipped input.
    """
    if language not in ("zh", "en"):
        raise AudioInputError(f"language must be 'zh' or 'en', not {language!r}")
    media = audio_path or video_path
    if media is None and transcript_path is None:
        raise AudioInputError("no audio, video or transcript given")
    base = normalise_baseline(baseline) if baseline else None
    warnings: list[str] = []
    given: list[asr_mod.Segment] | None = None
    if transcript_path is not None:
        given, _timed = read_transcript(transcript_path)
    if media is None:
        assert given is not None
        content = _content_text(given, language, "transcript", 1.0, warnings, 0.0)
        text = " ".join(s.text for s in given).strip()
        return SpeechAnalysis([content], warnings, text, 0.0, given, None)
    return _analyze_media(Path(media), given, language, base, progress, asr_model, asr_threads,
                          warnings)


def _analyze_media(
    media: Path, given: list[asr_mod.Segment] | None, language: str,
    base: dict[str, tuple[float, float]] | None, progress: bool, asr_model: str,
    asr_threads: int, warnings: list[str],
) -> SpeechAnalysis:
    info = probe(media)
    # A quick decode-only pass first (ffmpeg decodes 30 min of audio in seconds): a
    # truncated, silent or clipped file is rejected before any ASR time is spent on it.
    pre = DecodeStats()
    for _chunk in stream_samples(media, pre, read_s=10.0):
        pass
    _validate(media, info.declared_s, pre, pre.decoded_s)
    stats = DecodeStats()
    frames = _Frames()
    voice = VoiceTrack()
    mfcc = MomentAccumulator(3 * N_MFCC)
    emotion = _emotion_track(info.declared_s, warnings)
    asr = asr_mod.BackgroundTranscriber(asr_model, language, asr_threads)
    bar = tqdm(total=round(info.declared_s or 0, 1) or None, unit="s", desc=f"speech {media.name}",
               disable=not progress, leave=False)
    with asr:
        try:
            for offset, block in quiet_blocks(stream_samples(media, stats)):
                flags, vdb = webrtc_flags(block, SAMPLE_RATE)
                starts = offset + np.arange(flags.size) * VAD_FRAME_S
                # Whisper first: it decodes this block while the features below are computed.
                if given is None and flags.any() and float(np.abs(block).max()) > SILENT_PEAK:
                    asr.submit(block, offset,
                               functools.partial(_spoken, starts=starts, flags=flags))
                frames.vad_starts.append(starts)
                frames.vad_flags.append(flags)
                frames.vad_db.append(vdb)
                ff = frame_features(block, offset)
                frames.times.append(ff.times)
                for name in ("zcr", "energy_db", "energy_entropy", "centroid_hz",
                             "spectral_entropy"):
                    frames.cols.setdefault(name, []).append(getattr(ff, name))
                in_speech = _lookup(starts, flags, ff.times)
                mfcc.add(ff.mfcc[:, in_speech])
                voice.add_block(block, offset, SAMPLE_RATE)
                if emotion is not None:
                    emotion.add_block(block, flags)
                bar.update(round(block.size / SAMPLE_RATE, 1))
            segments = asr.finish()
        finally:
            bar.close()
    duration = stats.decoded_s
    if stats.errors or stats.decoded_samples != pre.decoded_samples:
        raise AudioInputError(f"{media}: the file changed or failed while being analysed")
    starts, flags, vdb = (np.concatenate(x) if x else np.zeros(0) for x in
                          (frames.vad_starts, frames.vad_flags, frames.vad_db))
    mask = speech_mask(flags.astype(bool), vdb)
    tm = timing(starts, mask)
    if tm.speech_s < MIN_SPEECH_S:
        raise NoSpeechError(
            f"{media}: no speech detected ({tm.speech_s:.2f} s of voice activity in "
            f"{duration:.1f} s); the recording is silent or only noise")
    clipped = stats.clipped_samples / max(stats.decoded_samples, 1)
    if clipped > CLIP_WARN:
        warnings.append(f"{clipped:.2%} of samples are clipped; loudness measures are biased")
    if given is not None:
        segments, source, conf = given, "transcript", 1.0
    else:
        source = f"asr:whisper-{asr.label}"
        probs = [w.probability for s in segments for w in s.words]
        conf = float(np.mean(probs)) if probs else 0.0
        if not segments:
            warnings.append("ASR produced no text for this recording")
    transcript = " ".join(s.text for s in segments).strip()
    speech_frames = _lookup(starts, mask, frames.cat("times"))
    intonation = _intonation(frames, speech_frames, voice, starts, mask, language, base, tm)
    rate = _rate(transcript, voice, starts, mask, tm, frames, speech_frames, mfcc, language, base)
    content = _content_text(segments, language, source, conf, warnings, duration)
    found = [content, intonation, rate]
    estimate = emotion.result() if emotion is not None else None
    if estimate is not None:
        found.append(_speech_emotion(estimate, tm))
    return SpeechAnalysis(found, warnings, transcript, duration, segments, tm)


def _emotion_track(declared_s: float | None, warnings: list[str]) -> EmotionTrack | None:
    try:
        return EmotionTrack(declared_s)
    except FileNotFoundError as exc:  # an installation without the packaged weights
        warnings.append(f"speech emotion not estimated: {exc}")
        return None


def _validate(media: Path, declared: float | None, stats: DecodeStats, duration: float) -> None:
    if stats.errors:
        raise AudioInputError(f"{media}: truncated or corrupt audio ({stats.errors[0]})")
    if declared and duration < 0.95 * declared - 0.2:
        raise AudioInputError(
            f"{media}: truncated audio (decoded {duration:.1f} s of {declared:.1f} s declared)")
    if duration < 0.3:
        raise NoSpeechError(f"{media}: only {duration:.2f} s of audio; too short to analyse")
    if stats.peak < SILENT_PEAK:
        raise NoSpeechError(f"{media}: silent (peak level below -60 dBFS)")
    clipped = stats.clipped_samples / max(stats.decoded_samples, 1)
    if clipped > CLIP_ERROR:
        raise NoSpeechError(
            f"{media}: clipped ({clipped:.1%} of samples at full scale); record at a lower "
            "input gain")


def _lookup(starts: np.ndarray, flags: np.ndarray, times: np.ndarray) -> np.ndarray:
    """For each time, the flag of the 30 ms VAD frame containing it."""
    if starts.size == 0 or times.size == 0:
        return np.zeros(times.size, dtype=bool)
    idx = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, starts.size - 1)
    inside = (times >= starts[idx]) & (times < starts[idx] + VAD_FRAME_S)
    return flags[idx] & inside


def _spoken(seg: asr_mod.Segment, starts: np.ndarray, flags: np.ndarray) -> bool:
    """Keep an ASR segment when at least a fifth of its 30 ms frames have voice activity;
    Whisper's inventions over silence ("thanks for watching") have almost none."""
    sel = (starts >= seg.start_s - VAD_FRAME_S) & (starts < seg.end_s)
    return bool(sel.any()) and float(flags[sel].mean()) >= 0.2


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _confidence(tm: SpeechTiming) -> float:
    return round(min(1.0, tm.speech_s / RELIABLE_SPEECH_S), 3)


def _intonation(
    frames: _Frames, speech: np.ndarray, voice: VoiceTrack, starts: np.ndarray,
    mask: np.ndarray, language: str, base: dict[str, tuple[float, float]] | None,
    tm: SpeechTiming,
) -> FeatureText:
    energy = frames.cat("energy_db")[speech]
    f0_t, f0 = voice.f0()
    f0 = np.where(_lookup(starts, mask, f0_t), f0, 0.0)
    summary = f0_summary(f0)
    vq = voice.voice_quality()
    values: dict[str, Any] = {
        "f0_mean_hz": _r(summary["f0_mean_hz"], 1),
        "f0_median_hz": _r(summary["f0_median_hz"], 1),
        "f0_range_semitones": _r(summary["f0_range_semitones"], 2),
        "f0_sd_semitones": _r(summary["f0_sd_semitones"], 2),
        "voiced_frames": summary["voiced_frames"],
        "energy_db": _r(10 * math.log10(float(np.mean(10 ** (energy / 10))) + 1e-12), 2),
        "energy_dynamic_db": _r(float(energy.std()), 2),
        "zcr": _r(float(frames.cat("zcr")[speech].mean()), 4),
        "energy_entropy": _r(float(frames.cat("energy_entropy")[speech].mean()), 4),
        "spectral_centroid_hz": _r(float(frames.cat("centroid_hz")[speech].mean()), 1),
        "jitter_local": _r(vq["jitter"], 5),
        "shimmer_local": _r(vq["shimmer"], 5),
        "hnr_db": _r(vq["hnr"], 2),
    }
    # Decimated F0/energy series for the session timeline (api/timeline.py).
    values["contour"] = contour(f0_t, f0, frames.cat("times"), frames.cat("energy_db"))
    feats = {k: values[k] for k in ("f0_mean_hz", "f0_range_semitones", "energy_db",
                                    "energy_dynamic_db")}
    d = decide("intonation", feats, language, base)
    _attach(values, d, "prosody")
    f0_txt = values["f0_mean_hz"] if values["f0_mean_hz"] is not None else "—"
    rng = values["f0_range_semitones"] if values["f0_range_semitones"] is not None else "—"
    zh = f"语调：{d.zh}（基频均值 {f0_txt} Hz，音域 {rng} 半音，能量 {values['energy_db']} dBFS）"
    en = (f"Intonation: {d.en} (F0 mean {f0_txt} Hz, range {rng} semitones, "
          f"energy {values['energy_db']} dBFS)")
    return FeatureText(modality="audio", kind="intonation", text=Bilingual(zh=zh, en=en),
                       values=values, confidence=_confidence(tm), start_s=0.0,
                       end_s=round(tm.span_end_s, 3), source=f"ingest.audio/{VERSION} praat")


def _speech_emotion(estimate: dict[str, Any], tm: SpeechTiming) -> FeatureText:
    """The speech-emotion recognizer's feature text (models/speech_emotion over voiced 2 s
    windows). Context for the counselor; deliberately no concept id and no alignment
    (kg/align/rules.py): the model is trained on acted German speech."""
    zh, en = emotion_sentence(estimate)
    values: dict[str, Any] = {"speech_emotion": estimate, "label": estimate["label"],
                              "probabilities": estimate["probabilities"], "concept_ids": []}
    return FeatureText(modality="audio", kind="speech_emotion",
                       text=Bilingual(zh=zh[0].upper() + zh[1:], en=en[0].upper() + en[1:]),
                       values=values, confidence=round(float(estimate["probability"]), 3),
                       start_s=0.0, end_s=round(tm.span_end_s, 3),
                       source=f"ingest.audio/{VERSION} {estimate.get('model', 'speech-emotion')}")


def _rate(
    transcript: str, voice: VoiceTrack, starts: np.ndarray, mask: np.ndarray,
    tm: SpeechTiming, frames: _Frames, speech: np.ndarray, mfcc: MomentAccumulator,
    language: str, base: dict[str, tuple[float, float]] | None,
) -> FeatureText:
    nuclei = syllable_nuclei(voice)
    nuclei = nuclei[_lookup(starts, mask, nuclei)]
    n_text = count_syllables(transcript, language) if transcript else 0
    # A transcript counts syllables almost exactly in Mandarin (one per hanzi); nuclei
    # are the fallback when there is no text (de Jong & Wempe 2009).
    count, source = (n_text, "transcript") if n_text > 0 else (int(nuclei.size), "nuclei")
    span, phon = max(tm.span_s, 1e-6), max(tm.speech_s, 1e-6)
    values: dict[str, Any] = {
        "syllables_per_second": _r(count / span, 3),
        "articulation_rate_sps": _r(count / phon, 3),
        "syllable_count": count,
        "syllable_source": source,
        "syllables_per_second_nuclei": _r(nuclei.size / span, 3),
        "syllables_per_second_transcript": _r(n_text / span, 3) if n_text else None,
        "pause_ratio": _r(tm.pause_ratio, 4),
        "pause_count": tm.pause_count,
        "mean_pause_s": _r(tm.mean_pause_s, 3),
        "speech_span_s": _r(tm.span_s, 3),
        "phonation_s": _r(tm.speech_s, 3),
        "spectral_entropy": _r(float(frames.cat("spectral_entropy")[speech].mean()), 4),
        "mfcc_mean": [round(float(v), 3) for v in mfcc.mean()],
        "mfcc_std": [round(float(v), 3) for v in mfcc.std()],
        "pauses": pause_spans(starts, mask),  # for the timeline
    }
    feats = {k: values[k] for k in ("articulation_rate_sps", "pause_ratio")}
    d = decide("rate", feats, language, base)
    _attach(values, d, "rate")
    pr = values["pause_ratio"] * 100
    zh = (f"语速：{d.zh}（{values['syllables_per_second']} 音节/秒，"
          f"发音速率 {values['articulation_rate_sps']} 音节/秒，停顿占 {pr:.0f}%）")
    en = (f"Speech rate: {d.en} ({values['syllables_per_second']} syllables/s, articulation "
          f"{values['articulation_rate_sps']} syllables/s, pauses {pr:.0f}% of the time)")
    return FeatureText(modality="audio", kind="speech_rate", text=Bilingual(zh=zh, en=en),
                       values=values, confidence=_confidence(tm), start_s=0.0,
                       end_s=round(tm.span_end_s, 3),
                       source=f"ingest.audio/{VERSION} webrtcvad+nuclei")


def _attach(values: dict[str, Any], d: Decision, namespace: str) -> None:
    values["descriptor"] = d.code
    values["zscores"] = d.zscores
    values["reference"] = d.reference
    values["concept_ids"] = [f"{namespace}:{d.code}"]


def _content_text(
    segments: list[asr_mod.Segment], language: str, source: str, conf: float,
    warnings: list[str], duration: float,
) -> FeatureText:
    transcript = " ".join(s.text for s in segments).strip()
    found = analyse_content(segments, language)
    pol, why = polarity(transcript)
    if why:
        warnings.append(why)
    codes = sorted(found.symptoms)
    values: dict[str, Any] = {
        "transcript": transcript,
        "transcript_source": source,
        "segments": [_segment(s, language) for s in segments],
        "polarity": None,
        "keywords": [],
        "symptoms": codes,
        "symptom_mentions": {c: sorted({m.phrase for m in found.symptoms[c]}) for c in codes},
        **risk_values(found),
        "concept_ids": [],
    }
    if pol is not None:
        if pol["coverage"] < LOW_COVERAGE:
            warnings.append(f"content polarity rests on {pol['coverage']:.0%} of the words "
                            "(the p/n/m word vectors are Chinese); treat it as weak")
        tokens = pol.pop("tokens")
        values["polarity"] = pol
        values["keywords"] = keywords(tokens)
        values["concept_ids"].append(polarity_id(pol["label"]))
    if found.suicide_risk != "none":
        values["concept_ids"].append(risk_id(found.suicide_risk))
    zh, en = _content_sentence(values, codes, language)
    return FeatureText(modality="audio", kind="speech_content", text=Bilingual(zh=zh, en=en),
                       values=values, confidence=round(min(max(conf, 0.0), 1.0), 3),
                       start_s=0.0, end_s=round(duration, 3) if duration else None,
                       source=f"ingest.audio/{VERSION} {source}")


def _segment(seg: asr_mod.Segment, language: str) -> dict[str, Any]:
    """One utterance for the timeline: its span, words, polarity label and syllable rate."""
    pol, _why = polarity(seg.text) if seg.text.strip() else (None, None)
    span = seg.end_s - seg.start_s
    return {"start_s": round(seg.start_s, 2), "end_s": round(seg.end_s, 2), "text": seg.text,
            "polarity": pol["label"] if pol else None,
            "syllables_per_s": _r(count_syllables(seg.text, language) / span, 2)
            if span > 0 else None}


def _content_sentence(values: dict[str, Any], codes: list[str],
                      language: str) -> tuple[str, str]:
    pol = values["polarity"]
    names = descriptors()["polarity"]["codes"]
    if pol is not None:
        p = pol["probability_positive"]  # what the label was decided from (not a cosine)
        zh = f"言语内容：{names[pol['label']]['zh']}（正面概率 {p:.2f}）"
        en = f"Speech content: {names[pol['label']]['en']} (P(positive) {p:.2f})"
    else:
        zh, en = "言语内容：情感倾向未评估", "Speech content: polarity not assessed"
    if codes:
        zh += "，提及" + "、".join(symptom_names(codes, "zh"))
        en += "; mentions " + ", ".join(symptom_names(codes, "en"))
    if values["suicide_risk"] == "high":
        zh += "；出现自杀意念表述（高风险，需立即评估）"
        en += "; explicit suicidal-ideation statement (high risk: assess now)"
    elif values["suicide_risk"] == "moderate":
        zh += "；提及自杀相关词语（否定语境，需核实）"
        en += "; suicide-related words in a negated context (verify)"
    if not values["transcript"]:
        zh += "；未识别到文字"
        en += "; no words recognised"
    return zh, en
