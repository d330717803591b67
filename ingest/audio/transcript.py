"""Transcripts supplied in a session bundle: plain text, SRT, or JSON with times.

A human transcript beats ASR, so when the bundle has one it is used for content and for
counting syllables. Accepted JSON shapes: {"segments": [{"start", "end", "text"}]},
a bare list of such segments, or {"text": "..."}.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.audio.asr import Segment
from ingest.audio.errors import AudioInputError
from ingest.limits import JsonLimitError, input_limits, loads_bounded

_SRT_TIME = re.compile(
    r"(\d+):(\d\d):(\d\d)[,.](\d{1,3})\s*-->\s*(\d+):(\d\d):(\d\d)[,.](\d{1,3})"
)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def read_transcript(path: Path) -> tuple[list[Segment], bool]:
    """Segments and whether they carry real times (plain text gets one untimed segment)."""
    if not path.is_file():
        raise AudioInputError(f"{path}: transcript file not found")
    limit = input_limits().max_transcript_bytes
    if path.stat().st_size > limit:
        raise AudioInputError(
            f"{path}: transcript is {path.stat().st_size} bytes, over "
            f"MINDKG_MAX_TRANSCRIPT_BYTES={limit}"
        )
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AudioInputError(f"{path}: transcript is not UTF-8 text ({exc.reason})") from exc
    suffix = path.suffix.lower()
    if suffix == ".json":
        segments = _from_json(path, raw)
        timed = True
    elif suffix == ".srt" or _SRT_TIME.search(raw):
        segments, timed = _from_srt(raw), True
    else:
        text = " ".join(line.strip() for line in raw.splitlines() if line.strip())
        segments, timed = [Segment(0.0, 0.0, text, ())], False
    if not any(s.text.strip() for s in segments):
        raise AudioInputError(f"{path}: transcript is empty")
    return segments, timed


def _from_srt(raw: str) -> list[Segment]:
    out: list[Segment] = []
    for block in re.split(r"\n\s*\n", raw.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            m = _SRT_TIME.search(line)
            if m:
                g = m.groups()
                out.append(Segment(_seconds(*g[:4]), _seconds(*g[4:]),
                                   " ".join(lines[i + 1:]), ()))
                break
    return out


def _from_json(path: Path, raw: str) -> list[Segment]:
    try:
        data = loads_bounded(raw)
    except JsonLimitError as exc:
        raise AudioInputError(f"{path}: JSON transcript refused: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise AudioInputError(f"{path}: invalid JSON transcript ({exc})") from exc
    if isinstance(data, dict) and "segments" not in data and isinstance(data.get("text"), str):
        return [Segment(0.0, 0.0, data["text"], ())]
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AudioInputError(f"{path}: JSON transcript needs 'segments' or 'text'")
    out: list[Segment] = []
    for i, item in enumerate(items):
        try:
            out.append(Segment(float(item["start"]), float(item["end"]), str(item["text"]), ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise AudioInputError(
                f"{path}: segment {i} needs numeric start, end and a text ({exc})") from exc
    return out
