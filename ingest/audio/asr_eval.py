"""Character error rate of the speech path's ASR on a folder of real recordings.

The folder is in the EATD-Corpus layout: one sub-folder per speaker, holding audio files
(`*.flac` / `*.wav`) each with a same-named `.txt` reference transcript (UTF-8). Every file goes
through the product's own speech path (decode, VAD, Whisper with its hallucination guards), so
the CER and real-time factor are what a user gets. CER is the character edit distance over the
reference length after dropping punctuation and white space; intervals are bootstrap 95 % over
speakers (files of one speaker are not independent).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
AUDIO_SUFFIXES = (".flac", ".wav")


def normalise(text: str) -> str:
    """Characters that count for CER: punctuation and white space removed, case folded."""
    return _PUNCT.sub("", text).lower()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    if len(a) < len(b):
        a, b = b, a
    prev = np.arange(len(b) + 1, dtype=np.int64)
    bs = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    for i, ch in enumerate(a.encode("utf-32-le").decode("utf-32-le"), 1):
        sub = prev[:-1] + (bs != ord(ch))
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, sub)
        # insertions run left to right: cur[j] = min(cur[j], cur[j-1] + 1)
        cur = np.minimum.accumulate(cur - np.arange(len(cur))) + np.arange(len(cur))
        prev = cur
    return int(prev[-1])


@dataclass(frozen=True)
class FileResult:
    speaker: str
    file: str
    audio_s: float
    seconds: float
    errors: int
    ref_chars: int
    loops: int
    hypothesis: str


def pairs(root: Path) -> list[tuple[str, Path, Path]]:
    """(speaker, audio, reference) for every audio file that has a reference transcript."""
    if not root.is_dir():
        raise ValueError(f"{root}: not a folder")
    found = []
    for speaker in sorted(p for p in root.iterdir() if p.is_dir()):
        for audio in sorted(speaker.iterdir()):
            ref = audio.with_suffix(".txt")
            if audio.suffix.lower() in AUDIO_SUFFIXES and ref.is_file():
                found.append((speaker.name, audio, ref))
    if not found:
        raise ValueError(f"{root}: no speaker folders with audio + .txt transcripts")
    return found


def evaluate(root: Path, *, language: str = "zh", limit: int | None = None,
             progress: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Run the speech path's ASR on each file; `limit` takes every k-th speaker to keep N."""
    import soundfile as sf

    from ingest.audio import analyze_speech
    from ingest.audio.asr import is_loop

    items = pairs(root)
    if limit is not None:
        speakers = sorted({s for s, _a, _r in items})
        step = max(1, len(speakers) // limit)
        chosen = set(speakers[::step][:limit])
        items = [it for it in items if it[0] in chosen]
    results = []
    for speaker, audio, ref_path in items:
        ref = normalise(ref_path.read_text(encoding="utf-8"))
        start = time.perf_counter()
        try:
            analysis = analyze_speech(audio, language=language)
            segments = [s.text for s in analysis.segments]
        except ValueError:  # no speech / too short: everything the reference holds is missed
            segments = []
        seconds = time.perf_counter() - start
        hyp = normalise("".join(segments))
        row = FileResult(speaker, audio.name, float(sf.info(str(audio)).duration), seconds,
                         edit_distance(ref, hyp), len(ref), sum(is_loop(s) for s in segments),
                         hyp)
        results.append(row)
        if progress:
            progress(row)
    return results


def summary(results: Sequence[FileResult], *, n_boot: int = 2000, seed: int = 0
            ) -> dict[str, Any]:
    """Pooled CER, RTF and a speaker-level bootstrap 95 % interval of the CER."""
    speakers = sorted({r.speaker for r in results})
    errs = np.array([sum(r.errors for r in results if r.speaker == s) for s in speakers], float)
    refs = np.array([sum(r.ref_chars for r in results if r.speaker == s) for s in speakers], float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(speakers), size=(n_boot, len(speakers)))
    boot = errs[draws].sum(1) / np.maximum(refs[draws].sum(1), 1)
    audio = sum(r.audio_s for r in results)
    return {
        "files": len(results),
        "speakers": len(speakers),
        "cer": float(errs.sum() / max(refs.sum(), 1)),
        "cer_ci95": [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))],
        "audio_s": audio,
        "rtf": sum(r.seconds for r in results) / audio if audio else 0.0,
        "files_with_loops": sum(r.loops > 0 for r in results),
        "per_file": [asdict(r) for r in results],
    }
