"""Check spotting and AU ranking on freshly generated SYNTHETIC clips (MEGC-style).

    python -m research.video.evaluate --clips 20 --seed 5000 --out /tmp/me-eval

Seeds 1000-1999 were used for tuning; report numbers from other seeds. A clip counts for AU
ranking when the k planted AUs are exactly the k highest AUxx_r above the pre-event baseline
at the true apex frame.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.video.analyze import analyze_video
from ingest.video.au_defs import AUS
from ingest.video.errors import VideoInputError
from ingest.video.spotting import SpotScore, evaluate_spotting
from research.video.synthetic import ClipTruth, generate_clip

# micro-expression AU sets typical of the source study's classes (subtle, 1-2 AUs)
AU_SETS: tuple[tuple[tuple[int, ...], str], ...] = (
    ((4,), "sadness"), ((4, 14), "contempt"), ((12,), "happiness"), ((6, 12), "happiness"),
    ((1, 2), "surprise"), ((1, 4), "sadness"), ((15,), "sadness"), ((14,), "contempt"),
    ((9, 10), "disgust"), ((17,), "sadness"), ((4, 7), "anger"), ((1, 2, 5), "surprise"),
    ((10,), "disgust"), ((15, 17), "sadness"), ((20,), "fear"), ((23,), "anger"),
    ((24,), "boredom"), ((25, 26), "surprise"), ((2,), "surprise"), ((4, 15), "sadness"),
)


def default_faces() -> list[str]:
    faces = ["astronaut"]
    try:
        from research.video.samples import pyfeat_file

        faces += [str(pyfeat_file(n)) for n in ("0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg",
                                                "single_face.jpg")]
    except (VideoInputError, OSError):
        pass
    return faces


def random_clip(out_dir: Path, seed: int, faces: list[str], fps: float = 120.0) -> ClipTruth:
    rng = np.random.default_rng(seed)
    aus, emotion = AU_SETS[int(rng.integers(len(AU_SETS)))]
    length = float(rng.uniform(0.2, 0.45))
    onset = float(rng.uniform(1.3, 2.2))
    apex = onset + length * float(rng.uniform(0.35, 0.6))
    return generate_clip(
        out_dir, face=faces[int(rng.integers(len(faces)))],
        aus={a: float(rng.uniform(0.4, 0.8)) for a in aus},
        onset_s=onset, apex_s=apex, offset_s=onset + length, duration_s=3.2, fps=fps,
        seed=seed, emotion_label=emotion, subject=f"{seed % 100:02d}",
        blinks=int(rng.integers(0, 2)), head_moves=int(rng.integers(0, 2)),
    )


@dataclass
class ClipResult:
    seed: int
    aus: list[int]
    top: list[int]
    au_hit: bool
    score: SpotScore
    spotted: list[tuple[int, int]]
    truth: tuple[int, int]


def evaluate_clip(truth: ClipTruth, landmarks_every: int = 1) -> ClipResult:
    a = analyze_video(truth.video_path, fps=truth.fps, progress=False,
                      landmarks_every=landmarks_every)
    spotted = [(e.onset_frame, e.offset_frame) for e in a.events]
    gt = (truth.onset_frame - 1, truth.offset_frame - 1)
    r = a.au_frames.data[:, 3 : 3 + len(AUS)]
    base = np.nanmedian(r[: max(1, gt[0] - 10)], axis=0)
    delta = r[truth.apex_frame - 1] - base
    k = len(truth.aus)
    top = [AUS[i] for i in np.argsort(-delta)[:k]]
    return ClipResult(seed=truth.seed, aus=sorted(truth.aus), top=sorted(top),
                      au_hit=set(top) == set(truth.aus),
                      score=evaluate_spotting(spotted, [gt]), spotted=spotted, truth=gt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5000)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--fps", type=float, default=120.0)
    ap.add_argument("--landmarks-every", type=int, default=1)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="mindkg-me-eval-"))
    faces = default_faces()
    total = SpotScore(0, 0, 0)
    hits = 0
    for i in range(args.clips):
        res = evaluate_clip(random_clip(out, args.seed + i, faces, args.fps),
                            args.landmarks_every)
        total = total + res.score
        hits += res.au_hit
        print(json.dumps({"seed": res.seed, "planted": res.aus, "top": res.top,
                          "au_hit": res.au_hit, "truth": res.truth, "spotted": res.spotted}))
    summary = {
        "clips": args.clips, "seeds": [args.seed, args.seed + args.clips - 1],
        "faces": [Path(f).name for f in faces],
        "tp": total.tp, "fp": total.fp, "fn": total.fn,
        "precision": round(total.precision, 4), "recall": round(total.recall, 4),
        "f1": round(total.f1, 4), "au_top_rate": round(hits / max(1, args.clips), 4),
        "landmarks_every": args.landmarks_every, "synthetic": True,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
