"""The recognizer contract: what every recognizer is, takes and returns.

A recognizer turns some parts of a session bundle (video, audio, transcript, scales) into
feature texts. It is a small object with a `name`, a `version`, the `modality` its feature
texts carry, the bundle `parts` it `accepts`, and `recognize(session, config) -> Recognition`.

- Configuration is passed in (`RecognizerConfig`); a recognizer never reads the environment.
- A part that is absent, or readable but without signal (a silent video's missing audio
  stream, audio without speech, a video without a face), is not an error: the recognizer
  returns `Recognition.missing(reason)`.
- A part the user named that is corrupt or unreadable raises `ValueError` with a message that
  names the file: the session then fails clearly and nothing is written.
- The same input and configuration give the same Recognition (deterministic).

`tests/contract/test_recognizer_contract.py` checks every registered recognizer against this,
like scikit-learn's `check_estimator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from contracts.feature_text import FeatureText, Modality

Part = Literal["video", "audio", "transcript", "scales"]
PARTS: tuple[Part, ...] = ("video", "audio", "transcript", "scales")
Status = Literal["used", "missing"]


@dataclass(frozen=True)
class SessionInput:
    """One session's media as recognizers see them.

    `parts` maps each present bundle part to its file. `shared` holds intermediates that
    several recognizers of one session reuse (e.g. one decode and ASR pass for the speech
    content, intonation and rate recognizers); it lives as long as this object.
    """

    parts: Mapping[Part, Path]
    language: Literal["zh", "en"] = "zh"
    fps: float | None = None
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, part: Part) -> Path | None:
        return self.parts.get(part)


@dataclass(frozen=True)
class RecognizerConfig:
    """Everything a recognizer may be configured with; built by the caller from Settings.

    `options` holds recognizer-specific settings keyed by recognizer name, so a new
    recognizer needs no new field here.
    """

    asr_model: str = "auto"
    asr_threads: int = 0  # faster-whisper's CPU threads; 0 = min(cores, 4)
    au_model: str = "geometric"
    show_progress: bool = False
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def options_for(self, name: str) -> Mapping[str, Any]:
        return self.options.get(name, {})


@dataclass
class Recognition:
    """What one recognizer made of one session."""

    status: Status
    feature_texts: list[FeatureText] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""  # why the modality is missing; empty when used
    components: dict[str, str] = field(default_factory=dict)  # models/tools that produced it

    def __post_init__(self) -> None:
        if self.status == "missing" and (not self.reason or self.feature_texts):
            raise ValueError("a missing Recognition has a reason and no feature texts")
        if self.status == "used" and (self.reason or not self.feature_texts):
            raise ValueError("a used Recognition has feature texts and no reason")

    @classmethod
    def used(cls, feature_texts: list[FeatureText], warnings: list[str] | None = None,
             components: dict[str, str] | None = None) -> Recognition:
        return cls("used", list(feature_texts), list(warnings or []), "", dict(components or {}))

    @classmethod
    def missing(cls, reason: str, warnings: list[str] | None = None) -> Recognition:
        return cls("missing", [], list(warnings or []), reason)


@runtime_checkable
class Recognizer(Protocol):
    """A recognizer; see the module docstring for the rules it follows."""

    @property
    def name(self) -> str:
        """Unique in the registry: [a-z][a-z0-9_]*."""

    @property
    def version(self) -> str: ...

    @property
    def modality(self) -> Modality:
        """The modality of the feature texts it emits."""

    @property
    def accepts(self) -> frozenset[Part]:
        """The bundle parts it reads."""

    def recognize(self, session: SessionInput, config: RecognizerConfig) -> Recognition: ...
