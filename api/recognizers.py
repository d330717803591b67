"""The registered recognizers: thin adapters from the recognizer contract to ingest/.

Each adapter follows contracts/recognition.py: configuration comes in as a RecognizerConfig,
an absent or signal-less part gives `Recognition.missing(reason)`, a corrupt file the user
named raises ValueError. Heavy recognizers (video, speech) import their modules only when a
session has media for them. New recognizers are added with `register(...)`.

The speech recognizers (content, intonation, rate, speech emotion) share one decode/VAD/ASR
pass over the session's audio (ingest.audio.analyze_speech), kept in `SessionInput.shared`;
speech emotion (models/speech_emotion over the voiced windows of that pass) is its own
feature text, `kind="speech_emotion"`, with `values["speech_emotion"]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.feature_text import Modality
from contracts.recognition import Part, Recognition, Recognizer, RecognizerConfig, SessionInput
from ingest.scales import SOURCE as SCALES_SOURCE

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_REGISTRY: dict[str, Recognizer] = {}


def register(recognizer: Recognizer) -> Recognizer:
    """Add a recognizer to the registry the pipeline runs (names are unique)."""
    if not isinstance(recognizer, Recognizer):
        raise TypeError(f"{recognizer!r} does not follow the Recognizer protocol")
    if not _NAME.match(recognizer.name):
        raise ValueError(f"recognizer name {recognizer.name!r} must match {_NAME.pattern}")
    if recognizer.name in _REGISTRY:
        raise ValueError(f"a recognizer named {recognizer.name!r} is already registered")
    _REGISTRY[recognizer.name] = recognizer
    return recognizer


def registered() -> tuple[Recognizer, ...]:
    """The registered recognizers, in the order the pipeline runs them."""
    return tuple(_REGISTRY.values())


def short_reason(message: str, paths: Iterable[Path]) -> str:
    """A reason that names files by their name only (no server or home paths in results)."""
    for path in sorted({str(p) for p in paths}, key=len, reverse=True):
        message = message.replace(path, Path(path).name)
    return message


def _absent(parts: Iterable[Part]) -> Recognition:
    *first, last = list(parts)
    return Recognition.missing(f"no {', '.join(first) + ' or ' if first else ''}{last} in the bundle")


# -- scales -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScalesRecognizer:
    """Depression rating scales (SDS, HAMD-17, PHQ-9, BDI-II) scored from raw answers."""

    name: str = "scales"
    version: str = SCALES_SOURCE
    modality: Modality = "scales"
    accepts: frozenset[Part] = frozenset({"scales"})

    def recognize(self, session: SessionInput, config: RecognizerConfig) -> Recognition:
        path = session.get("scales")
        if path is None:
            return _absent(["scales"])
        from ingest.scales import load_scales_file, scale_feature_texts

        features = scale_feature_texts(load_scales_file(path))
        if not features:
            return Recognition.missing(f"{path.name}: holds no scale answers")
        return Recognition.used(features, components={"scales": self.version})


# -- video ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoRecognizer:
    """Faces, action units and spotted micro-expressions of the session video.

    `config.options["video"]` may hold `me_classifier` (an ingest.video MEClassifier; None =
    the AU rules) or, instead, `me_model` / `me_weights` naming the trained classifier to
    load (models.mer.runtime: cnn_gcn with its shipped weights when neither is set), and
    `landmarks_every`.
    """

    name: str = "video"
    version: str = "mindkg.ingest.video/0.1"
    modality: Modality = "video"
    accepts: frozenset[Part] = frozenset({"video"})

    def recognize(self, session: SessionInput, config: RecognizerConfig) -> Recognition:
        path = session.get("video")
        if path is None:
            return _absent(["video"])
        from ingest.video.errors import NoFaceError

        try:
            from ingest.video import analyze_video

            opts = config.options_for(self.name)
            if "me_classifier" in opts:
                me_classifier = opts["me_classifier"]
            else:
                from models.mer.runtime import load_me_classifier

                me_classifier = load_me_classifier(opts.get("me_model"), opts.get("me_weights"))
            analysis = analyze_video(
                path, fps=session.fps, progress=config.show_progress, au_model=config.au_model,
                me_classifier=me_classifier,
                landmarks_every=int(opts.get("landmarks_every", 1)),
            )
        except NoFaceError as exc:
            return Recognition.missing(short_reason(str(exc), [path]))
        warnings = [short_reason(w, [path]) for w in analysis.warnings]
        if not analysis.feature_texts:
            return Recognition.missing(f"{path.name}: nothing recognised", warnings)
        return Recognition.used(analysis.feature_texts, warnings, analysis.components)


# -- speech -----------------------------------------------------------------------------------
@dataclass
class _SpeechPass:
    """The one speech analysis of a session, shared by the speech recognizers."""

    features: dict[str, Any] = field(default_factory=dict)  # kind -> FeatureText
    warnings: list[str] = field(default_factory=list)
    no_signal: str = ""  # why the audio gave nothing (no stream, silence, no speech)


_SPEECH_KEY = "speech"


def _speech_pass(session: SessionInput, config: RecognizerConfig) -> _SpeechPass:
    cached = session.shared.get(_SPEECH_KEY)
    if isinstance(cached, _SpeechPass):
        return cached
    if isinstance(cached, BaseException):
        raise cached
    try:
        result = _run_speech(session, config)
    except Exception as exc:  # e.g. a corrupt file the user named: fail every speech
        session.shared[_SPEECH_KEY] = exc  # recognizer the same way, without a second pass
        raise
    session.shared[_SPEECH_KEY] = result
    return result


def _run_speech(session: SessionInput, config: RecognizerConfig) -> _SpeechPass:
    from ingest.audio import analyze_speech
    from ingest.audio.errors import NoSpeechError

    audio, video, transcript = (session.get(p) for p in ("audio", "video", "transcript"))
    media = audio or video
    paths = [p for p in (audio, video, transcript) if p is not None]
    out = _SpeechPass()
    if media is None and transcript is None:
        return out
    try:
        analysis = analyze_speech(
            audio, video_path=video if audio is None else None, transcript_path=transcript,
            language=session.language, progress=config.show_progress, asr_model=config.asr_model,
            asr_threads=config.asr_threads,
        )
    except NoSpeechError as exc:
        out.no_signal = short_reason(str(exc), paths)
        if transcript is None:
            return out
        analysis = analyze_speech(None, transcript_path=transcript, language=session.language,
                                  progress=False)
    out.features = {f.kind: f for f in analysis.feature_texts}
    out.warnings = [short_reason(w, paths) for w in analysis.warnings]
    return out


@dataclass(frozen=True)
class SpeechRecognizer:
    """One speech feature (`kind`) from the session's shared speech pass."""

    name: str
    kind: str
    accepts: frozenset[Part]
    version: str = "ingest.audio/0.1"
    modality: Modality = "audio"
    carries_warnings: bool = False  # the pass's warnings are reported once, by content

    def recognize(self, session: SessionInput, config: RecognizerConfig) -> Recognition:
        given = [p for p in ("audio", "video", "transcript") if p in self.accepts]
        if not any(session.get(p) for p in given):
            return _absent(given)
        speech = _speech_pass(session, config)
        warnings = speech.warnings if self.carries_warnings else []
        feature = speech.features.get(self.kind)
        if feature is not None:
            components = {self.name: feature.source}
            return Recognition.used([feature], warnings, components)
        if speech.no_signal:
            return Recognition.missing(speech.no_signal, warnings)
        return Recognition.missing(f"the speech pass produced no {self.kind}", warnings)


_MEDIA: frozenset[Part] = frozenset({"audio", "video"})

register(ScalesRecognizer())
register(VideoRecognizer())
register(SpeechRecognizer("speech_content", "speech_content",
                          frozenset({"audio", "video", "transcript"}), carries_warnings=True))
register(SpeechRecognizer("intonation", "intonation", _MEDIA))
register(SpeechRecognizer("speech_rate", "speech_rate", _MEDIA))
register(SpeechRecognizer("speech_emotion", "speech_emotion", _MEDIA))
