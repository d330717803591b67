"""Character error rate of the speech path's ASR on a folder of real recordings.

The folder is in the EATD-Corpus layout: one sub-folder per speaker, holding audio files
(`*.flac` / `*.wav`) each with a same-named `.txt` reference transcript (UTF-8). Every file goes
through the product's own speech path (decode, VAD, Whisper with its hallucination guards), so
the CER and real-time factor are what a user gets. CER is the character edit distance over the
reference length after dropping punctuation and white space (full-width forms folded to
half-width, case folded); intervals are bootstrap 95 % over speakers (files of one speaker are
not independent). A lenient CER beside it also drops the hesitation fillers 嗯/额/呃 (the
transcripts write them, Whisper does not) and reads Arabic numbers as Chinese ("40" -> "四十",
"2019年" -> "二零一九年"), so a correct "40" is not counted as two errors against "四十".
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_FILLERS = re.compile("[嗯额呃]")
_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?(年)?")
_DIGITS = "零一二三四五六七八九"
AUDIO_SUFFIXES = (".flac", ".wav")


def normalise(text: str) -> str:
    """Characters that count for CER: punctuation and white space removed, full-width forms
    folded to half-width (NFKC), case folded."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


def normalise_lenient(text: str) -> str:
    """`normalise`, then fillers (嗯/额/呃) dropped and Arabic numbers read as Chinese."""
    return _FILLERS.sub("", normalise(_NUMBER.sub(_read_number,
                                                 unicodedata.normalize("NFKC", text))))


def _read_number(m: re.Match[str]) -> str:
    whole, frac, year = m.group(1), m.group(2), m.group(3)
    if year or len(whole) > 8 or (len(whole) > 1 and whole[0] == "0"):
        head = "".join(_DIGITS[int(d)] for d in whole)  # years, codes, phone numbers
    else:
        head = _integer(int(whole))
    tail = "点" + "".join(_DIGITS[int(d)] for d in frac) if frac else ""
    return head + tail + (year or "")


def _integer(n: int) -> str:
    """Chinese reading of 0 <= n < 10^8: 10 -> 十, 40 -> 四十, 105 -> 一百零五, 20000 -> 两万
    is written 二万 here (both readings occur; 二 is what a transcript of digits gives)."""
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((10**7, "千"), (10**6, "百"), (10**5, "十"), (10**4, ""),
                        (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
        if value == 10**4 and n >= 10**4:
            out, zero = out + "万", False
    if out.startswith("一十"):
        out = out[1:]
    return out


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
    errors_lenient: int = 0
    ref_chars_lenient: int = 0
    cpu_s: float = 0.0  # CPU time of the process (all threads) spent on this file


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
        ref_text = ref_path.read_text(encoding="utf-8")
        ref, ref_lenient = normalise(ref_text), normalise_lenient(ref_text)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            analysis = analyze_speech(audio, language=language)
            segments = [s.text for s in analysis.segments]
        except ValueError:  # no speech / too short: everything the reference holds is missed
            segments = []
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        hyp = normalise("".join(segments))
        row = FileResult(speaker, audio.name, float(sf.info(str(audio)).duration), seconds,
                         edit_distance(ref, hyp), len(ref), sum(is_loop(s) for s in segments),
                         hyp, edit_distance(ref_lenient, normalise_lenient("".join(segments))),
                         len(ref_lenient), cpu)
        results.append(row)
        if progress:
            progress(row)
    return results


def summary(results: Sequence[FileResult], *, n_boot: int = 2000, seed: int = 0
            ) -> dict[str, Any]:
    """Pooled CER (strict and lenient) with speaker-level bootstrap 95 % intervals, the RTF
    (wall seconds per audio second) and CPU seconds per audio second."""
    speakers = sorted({r.speaker for r in results})
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(speakers), size=(n_boot, len(speakers)))

    def pooled(err_of: Callable[[FileResult], int], ref_of: Callable[[FileResult], int]
               ) -> tuple[float, list[float]]:
        errs = np.array([sum(err_of(r) for r in results if r.speaker == s) for s in speakers],
                        float)
        refs = np.array([sum(ref_of(r) for r in results if r.speaker == s) for s in speakers],
                        float)
        boot = errs[draws].sum(1) / np.maximum(refs[draws].sum(1), 1)
        return (float(errs.sum() / max(refs.sum(), 1)),
                [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))])

    cer, ci = pooled(lambda r: r.errors, lambda r: r.ref_chars)
    cer_lenient, ci_lenient = pooled(lambda r: r.errors_lenient, lambda r: r.ref_chars_lenient)
    audio = sum(r.audio_s for r in results)
    return {
        "files": len(results),
        "speakers": len(speakers),
        "cer": cer,
        "cer_ci95": ci,
        "cer_lenient": cer_lenient,
        "cer_lenient_ci95": ci_lenient,
        "audio_s": audio,
        "rtf": sum(r.seconds for r in results) / audio if audio else 0.0,
        "cpu_per_audio_s": sum(r.cpu_s for r in results) / audio if audio else 0.0,
        "load_average_1min": os.getloadavg()[0],
        "files_with_loops": sum(r.loops > 0 for r in results),
        "per_file": [asdict(r) for r in results],
    }
