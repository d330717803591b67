"""The recognize stage isolates recognizers: a broken or unavailable one is a missing modality
with a reason, the user's bad input (ValueError) stops the session; the registry checks names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.pipeline import recognize
from api.recognizers import ScalesRecognizer, register
from contracts.feature_text import Modality
from contracts.recognition import Part, Recognition, RecognizerConfig, SessionInput


@dataclass(frozen=True)
class Raising:
    error: Exception
    name: str = "raising"
    version: str = "0"
    modality: Modality = "text"
    accepts: frozenset[Part] = frozenset({"transcript"})

    def recognize(self, session: SessionInput, config: RecognizerConfig) -> Recognition:
        raise self.error


@pytest.fixture
def session(tmp_path: Path) -> SessionInput:
    scales = tmp_path / "scales.json"
    scales.write_text(json.dumps({"PHQ9": [1, 1, 1, 1, 0, 0, 0, 0, 0]}))
    transcript = tmp_path / "t.txt"
    transcript.write_text("hello")
    return SessionInput(parts={"scales": scales, "transcript": transcript})


def test_a_broken_recognizer_does_not_sink_the_others(session: SessionInput) -> None:
    got = recognize(session, RecognizerConfig(),
                    recognizers=[Raising(RuntimeError("model exploded")), ScalesRecognizer()])
    assert got.modalities_used == ["scales"]
    (missing,) = got.modalities_missing
    assert missing.recognizer == "raising"
    assert missing.reason == "recognizer failed (RuntimeError: model exploded)"
    assert "text not used: recognizer failed (RuntimeError: model exploded)" in got.warnings
    assert [r.status for r in got.reports] == ["missing", "used"]


def test_an_unavailable_recognizer_is_missing(session: SessionInput) -> None:
    got = recognize(session, RecognizerConfig(),
                    recognizers=[Raising(ImportError("No module named 'mediapipe'"))])
    assert got.modalities_missing[0].reason.startswith("recognizer unavailable: No module")


def test_bad_user_input_stops_the_session(session: SessionInput) -> None:
    with pytest.raises(ValueError, match="bad answers"):
        recognize(session, RecognizerConfig(), recognizers=[Raising(ValueError("bad answers"))])


def test_registry_refuses_duplicates_and_non_recognizers() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(ScalesRecognizer())
    with pytest.raises(TypeError):
        register(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must match"):
        register(Raising(RuntimeError(), name="Bad Name"))


def test_recognition_states_are_consistent() -> None:
    with pytest.raises(ValueError):
        Recognition("missing")  # no reason
    with pytest.raises(ValueError):
        Recognition("used")  # no feature texts
