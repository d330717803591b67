"""Running the recognizers a bundle has media for, and reporting which modalities were used.

Recognizers for video and speech load heavy models; they are imported only when a bundle
needs them, and a missing optional recognizer is reported as a warning, not hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.bundle import SessionBundle
from ingest.scales import load_scales_file, scale_feature_texts
from kg.feature_text import FeatureText
from kg.settings import Settings


@dataclass
class Recognized:
    feature_texts: list[FeatureText] = field(default_factory=list)
    modalities_used: list[str] = field(default_factory=list)
    modalities_missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_recognizers(bundle: SessionBundle, *, progress: Callable[[str], None],
                    settings: Settings | None = None) -> Recognized:
    out = Recognized()
    settings = settings or Settings()
    if bundle.scales is not None:
        progress("scoring scales")
        out.feature_texts += scale_feature_texts(load_scales_file(bundle.scales))
        out.modalities_used.append("scales")
    else:
        out.modalities_missing.append("scales")

    if bundle.video is not None:
        try:
            from ingest.video import analyze_video
        except ImportError as exc:
            out.warnings.append(
                f"video present but the micro-expression recognizer is unavailable: {exc}"
            )
            out.modalities_missing.append("video")
        else:
            from models.mer.runtime import load_me_classifier

            me_classifier = load_me_classifier(settings.me_model, settings.me_weights)
            progress("analysing video (faces, micro-expressions, action units)")
            video = analyze_video(bundle.video, fps=bundle.fps, me_classifier=me_classifier)
            out.feature_texts += video.feature_texts
            out.warnings += video.warnings
            out.modalities_used.append("video")
    else:
        out.modalities_missing.append("video")

    speech_source = bundle.audio or bundle.transcript or bundle.video
    if speech_source is not None:
        try:
            from ingest.audio import analyze_speech
        except ImportError as exc:
            out.warnings.append(f"speech present but the speech recognizers are unavailable: {exc}")
            out.modalities_missing.append("audio")
        else:
            progress("analysing speech (content, intonation, rate)")
            speech = analyze_speech(
                bundle.audio,
                video_path=bundle.video if bundle.audio is None else None,
                transcript_path=bundle.transcript,
                language=bundle.language,
            )
            out.feature_texts += speech.feature_texts
            out.warnings += speech.warnings
            out.modalities_used.append("audio")
    else:
        out.modalities_missing.append("audio")
    return out
