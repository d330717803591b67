"""Compare Whisper decoding settings on EATD development speakers (never the scored ones).

Runs the product's own block path (quiet_blocks, the WebRTC gate, `ingest.audio.asr.transcribe`
with its guards, the speech-share filter) with faster-whisper options overridden, and prints the
pooled CER (strict and lenient) and CPU seconds per audio second. How the settings in
`ingest/audio/asr.py` were chosen (docs/REAL_DATA.md, Mandarin ASR):

    python -m research.asr.decode_settings --root ../shared/reference/eatd_train \
        --speakers t_102,t_109,t_15,t_22,t_30,t_36,t_44,t_51 \
        --options '{"vad_filter": true, "without_timestamps": true}'
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np


def evaluate(root: Path, speakers: list[str], options: dict[str, Any], threads: int = 2
             ) -> dict[str, Any]:
    """Pooled CER, lenient CER and CPU-s per audio-s of `speakers` under `options`."""
    from ingest.audio import asr
    from ingest.audio.analyze import _spoken
    from ingest.audio.asr_eval import edit_distance, normalise, normalise_lenient
    from ingest.audio.decode import SAMPLE_RATE, DecodeStats, quiet_blocks, stream_samples
    from ingest.audio.vad import VAD_FRAME_S, webrtc_flags

    _label, model = asr.model_for("base", "zh", threads)
    errors = chars = errors_l = chars_l = 0
    audio_s, cpu = 0.0, time.process_time()
    rows = []
    for speaker in speakers:
        for audio in sorted((root / speaker).glob("*.flac")):
            segments: list[asr.Segment] = []
            for offset, block in quiet_blocks(stream_samples(audio, DecodeStats())):
                audio_s += block.size / SAMPLE_RATE
                flags, _db = webrtc_flags(block, SAMPLE_RATE)
                if not flags.any():
                    continue
                starts = offset + np.arange(flags.size) * VAD_FRAME_S
                segments += [s for s in asr.transcribe(model, block, offset, "zh", **options)
                             if _spoken(s, starts, flags)]
            ref_text = audio.with_suffix(".txt").read_text(encoding="utf-8")
            hyp_text = "".join(s.text for s in segments)
            e = edit_distance(normalise(ref_text), normalise(hyp_text))
            errors, chars = errors + e, chars + len(normalise(ref_text))
            errors_l += edit_distance(normalise_lenient(ref_text), normalise_lenient(hyp_text))
            chars_l += len(normalise_lenient(ref_text))
            rows.append({"speaker": speaker, "file": audio.name, "errors": e,
                         "hypothesis": normalise(hyp_text)})
    cpu = time.process_time() - cpu
    return {"options": options, "cer": errors / max(chars, 1), "cer_lenient": errors_l /
            max(chars_l, 1), "cpu_per_audio_s": cpu / max(audio_s, 1e-9), "per_file": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--speakers", required=True, help="comma-separated speaker folders")
    parser.add_argument("--options", default="{}", help="faster-whisper options as JSON")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = evaluate(args.root, args.speakers.split(","), json.loads(args.options))
    print(f"CER {report['cer']:.4f}  lenient {report['cer_lenient']:.4f}  "
          f"{report['cpu_per_audio_s']:.3f} CPU-s per audio-s")
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
