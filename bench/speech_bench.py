"""Speech-path benchmark and ASR accuracy (not a test; numbers go to docs/benchmarks/speech.md).

    .venv/bin/python bench/speech_bench.py rtf --minutes 10      # RTF + openSMILE, same run
    .venv/bin/python bench/speech_bench.py accuracy              # CER (zh) / WER (en)

`rtf` builds a 10-minute recording by concatenating the committed samples (with 0.8 s
gaps) and times, on at most 2 cores: (1) the whole speech path (decode, VAD, features,
Praat, Whisper ASR, content, tables); (2) our feature extraction alone (same call with the
reference transcript supplied, so ASR is skipped); (3) openSMILE eGeMAPSv02 functionals on
the same file. The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SPEECH = ROOT / "samples" / "speech"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# Reference transcripts spell out abbreviations; Whisper writes them short.
_EN_ABBREV = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def _limit_cores(n: int) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", str(n))
    os.environ.setdefault("MINDKG_ASR_THREADS", str(n))
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[:n]
        os.sched_setaffinity(0, set(cpus))


def references() -> dict[str, str]:
    rows = (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in rows if line.strip())


def _norm_zh(text: str) -> str:
    return _PUNCT.sub("", text)


def _norm_en(text: str) -> str:
    words = re.findall(r"[a-z']+", text.lower())
    return " ".join(_EN_ABBREV.get(w, w) for w in words)


def accuracy() -> dict[str, Any]:
    import jiwer

    from ingest.audio import analyze_speech

    refs = references()
    out: dict[str, Any] = {"zh": [], "en": []}
    for name, ref in sorted(refs.items()):
        lang = "zh" if name.startswith("zh_") else "en"
        hyp = analyze_speech(SPEECH / name, language=lang, progress=False).transcript
        out[lang].append({"file": name, "ref": ref, "hyp": hyp})
    zh_ref = [_norm_zh(r["ref"]) for r in out["zh"]]
    zh_hyp = [_norm_zh(r["hyp"]) for r in out["zh"]]
    en_ref = [_norm_en(r["ref"]) for r in out["en"]]
    en_hyp = [_norm_en(r["hyp"]) for r in out["en"]]
    out["cer_zh"] = jiwer.cer(zh_ref, zh_hyp)
    out["wer_en"] = jiwer.wer(en_ref, en_hyp)
    out["zh_chars"] = sum(len(r) for r in zh_ref)
    out["en_words"] = sum(len(r.split()) for r in en_ref)
    return out


def _long_recording(folder: Path, minutes: float, lang: str) -> tuple[Path, Path]:
    """Concatenate samples of one language with gaps until `minutes`; also its transcript."""
    refs = references()
    names = sorted(n for n in refs if n.startswith("zh_") == (lang == "zh"))
    gap = folder / "gap.wav"
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(gap), "trim", "0",
                    "0.8"], check=True)
    parts: list[str] = []
    texts: list[str] = []
    total = 0.0
    while total < minutes * 60:
        for n in names:
            wav = folder / f"{Path(n).stem}.wav"
            if not wav.exists():
                subprocess.run(["sox", str(SPEECH / n), "-r", "16000", "-c", "1", "-b", "16",
                                str(wav)], check=True)
            dur = float(subprocess.check_output(["soxi", "-D", str(wav)], text=True))
            parts += [str(wav), str(gap)]
            texts.append(refs[n])
            total += dur + 0.8
            if total >= minutes * 60:
                break
    long = folder / f"session_{lang}_{minutes:g}min.wav"
    subprocess.run(["sox", *parts, str(long)], check=True)
    transcript = folder / "transcript.txt"
    transcript.write_text("\n".join(texts), encoding="utf-8")
    return long, transcript


def rtf(minutes: float, lang: str, cores: int) -> dict[str, Any]:
    _limit_cores(cores)
    import opensmile

    from ingest.audio import analyze_speech
    from ingest.audio.asr import model_for

    with tempfile.TemporaryDirectory() as tmp:
        audio, transcript = _long_recording(Path(tmp), minutes, lang)
        duration = float(subprocess.check_output(["soxi", "-D", str(audio)], text=True))
        t0 = time.perf_counter()
        model_for("auto", lang)
        load_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        full = analyze_speech(audio, language=lang, progress=False)
        full_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        analyze_speech(audio, transcript_path=transcript, language=lang, progress=False)
        feats_s = time.perf_counter() - t0

        smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                                feature_level=opensmile.FeatureLevel.Functionals)
        t0 = time.perf_counter()
        egemaps = smile.process_file(str(audio))
        smile_s = time.perf_counter() - t0
    rate = next(ft.values for ft in full.feature_texts if ft.kind == "speech_rate")
    return {
        "audio_s": round(duration, 1),
        "language": lang,
        "cores": cores,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "asr_model_load_s": round(load_s, 2),
        "whole_path_s": round(full_s, 1),
        "whole_path_rtf": round(full_s / duration, 3),
        "features_only_s": round(feats_s, 1),
        "features_only_rtf": round(feats_s / duration, 4),
        "opensmile_egemaps_s": round(smile_s, 1),
        "opensmile_egemaps_rtf": round(smile_s / duration, 4),
        "features_vs_opensmile": round(feats_s / smile_s, 2),
        "egemaps_features": int(egemaps.shape[1]),
        "transcript_chars": len(full.transcript),
        "syllables_per_second": rate["syllables_per_second"],
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rtf")
    r.add_argument("--minutes", type=float, default=10.0)
    r.add_argument("--language", choices=["zh", "en"], default="zh")
    r.add_argument("--cores", type=int, default=2)
    sub.add_parser("accuracy")
    args = ap.parse_args()
    result = rtf(args.minutes, args.language, args.cores) if args.cmd == "rtf" else accuracy()
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
