"""Reading a folder in the EATD-Corpus layout and running the project's speech path on it.

Layout (Shen, Yang & Lin, ICASSP 2022): one folder per volunteer (`t_*`, `v_*` or any name)
holding `positive|neutral|negative` answers as `.flac`/`.wav` audio and `.txt` transcripts, and
`sds.json` with `sds_index` (and optionally `sds_raw`, `depressed_sds_index_ge_53`).
A recording without audio still contributes its transcript.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contracts.feature_text import FeatureText
from models.depression.features import PersonInput, person_input

PROMPTS: tuple[str, ...] = ("positive", "neutral", "negative")
AUDIO_SUFFIXES: tuple[str, ...] = (".flac", ".wav")
SDS_CUTOFF = 53.0  # EATD: depressed when the SDS index (raw x 1.25) is >= 53
MAX_SUBJECTS = 5000


@dataclass
class Subject:
    name: str
    sds_index: float
    depressed: bool
    person: PersonInput
    missing_audio: list[str]


def _sds(path: Path) -> tuple[float, bool]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        index = float(data["sds_index"]) if "sds_index" in data else 1.25 * float(data["sds_raw"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: unreadable SDS file ({exc})") from exc
    if not 0.0 <= index <= 125.0:
        raise ValueError(f"{path}: SDS index {index} out of range")
    return index, index >= SDS_CUTOFF


def subject_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        raise ValueError(f"{root}: not a folder")
    dirs = sorted((d for d in root.iterdir() if d.is_dir() and (d / "sds.json").is_file()),
                  key=lambda d: d.name)
    if not dirs:
        raise ValueError(f"{root}: no volunteer folders with sds.json (EATD layout expected)")
    if len(dirs) > MAX_SUBJECTS:
        raise ValueError(f"{root}: more than {MAX_SUBJECTS} volunteer folders")
    return dirs


def _recording_texts(audio: Path | None, transcript: Path | None) -> list[FeatureText]:
    from ingest.audio import analyze_speech

    speech = analyze_speech(audio, transcript_path=transcript, language="zh", progress=False)
    return speech.feature_texts


def _cache_key(paths: list[Path]) -> str:
    h = hashlib.sha1(b"depression-features-v1")
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{p.read_bytes()[:4096].hex()}".encode())
    return h.hexdigest()[:20]


def recording_feature_texts(folder: Path, prompt: str, cache_dir: Path | None = None
                            ) -> tuple[list[FeatureText] | None, bool]:
    """The speech path's feature texts of one answer (None when it has neither audio nor a
    transcript) and whether its audio is missing."""
    audio = next((folder / f"{prompt}{s}" for s in AUDIO_SUFFIXES
                  if (folder / f"{prompt}{s}").is_file()), None)
    txt = folder / f"{prompt}.txt"
    transcript = txt if txt.is_file() else None
    if audio is None and transcript is None:
        return None, True
    paths = [p for p in (audio, transcript) if p is not None]
    cached = cache_dir / f"{_cache_key(paths)}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        fts = [FeatureText.model_validate(d) for d in json.loads(cached.read_text())]
    else:
        fts = _recording_texts(audio, transcript)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps([f.model_dump(mode="json") for f in fts],
                                         ensure_ascii=False))
    return fts, audio is None


def read_subject(folder: Path, cache_dir: Path | None = None) -> Subject:
    index, depressed = _sds(folder / "sds.json")
    recordings: list[list[FeatureText]] = []
    answered: list[str] = []
    missing: list[str] = []
    for prompt in PROMPTS:
        fts, no_audio = recording_feature_texts(folder, prompt, cache_dir)
        if no_audio:
            missing.append(prompt)
        if fts is None:
            continue
        recordings.append(fts)
        answered.append(prompt)
    if not recordings:
        raise ValueError(f"{folder}: no audio or transcript for any prompt")
    return Subject(folder.name, index, depressed, person_input(recordings, answered), missing)


def read_corpus(root: Path, cache_dir: Path | None = None,
                progress: Callable[[str], None] | None = None, jobs: int = 1) -> list[Subject]:
    """Every volunteer of `root`, in name order; `jobs` > 1 analyses volunteers in parallel
    processes (the result does not depend on it)."""
    dirs = subject_dirs(root)
    if jobs <= 1:
        out = []
        for i, d in enumerate(dirs):
            if progress:
                progress(f"[{i + 1}/{len(dirs)}] {d.name}")
            out.append(read_subject(d, cache_dir))
        return out
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(read_subject, d, cache_dir) for d in dirs]
        results = []
        for i, fut in enumerate(futures):
            results.append(fut.result())
            if progress:
                progress(f"[{i + 1}/{len(dirs)}] {dirs[i].name}")
    return results
