"""A SYNTHETIC arousal-proxy dataset, because no emotional speech corpus is available offline.

Each source utterance (real or TTS speech) is re-rendered with sox in three prosodic styles
that the literature associates with arousal: slower, lower and quieter
(`low_arousal_proxy`), unchanged apart from small jitter (`neutral`), and faster, higher and
louder (`high_arousal_proxy`). A model trained on it learns to detect those manipulations;
it has NOT learned emotions, and must not be used as an emotion recogniser.
Splits are by source utterance, so test sentences are never seen in training.

    python -m models.speech_emotion.synthetic OUT_DIR SRC_AUDIO... [--variants 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
from pathlib import Path

STYLES: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    # (tempo range, pitch cents range, gain dB range)
    "low_arousal_proxy": ((0.75, 0.88), (-350.0, -150.0), (-9.0, -4.0)),
    "neutral": ((0.97, 1.03), (-40.0, 40.0), (-1.0, 1.0)),
    "high_arousal_proxy": ((1.12, 1.3), (150.0, 350.0), (-1.0, 1.0)),
}


def make_dataset(out: Path, sources: list[Path], *, variants: int = 3, seed: int = 0,
                 test_share: float = 0.2, val_share: float = 0.2) -> Path:
    """Write clips and labels.csv under `out`; returns the labels file."""
    if shutil.which("sox") is None:
        raise SystemExit("sox is required (Debian package sox)")
    if len(sources) < 3:
        raise SystemExit("need at least 3 source utterances (one per split)")
    rng = random.Random(seed)
    order = sorted(sources)
    rng.shuffle(order)
    n_test = max(1, round(len(order) * test_share))
    n_val = max(1, round(len(order) * val_share))
    split_of = {p: "test" if i < n_test else "val" if i < n_test + n_val else "train"
                for i, p in enumerate(order)}
    (out / "clips").mkdir(parents=True, exist_ok=True)
    rows = []
    for src in order:
        for label, (tempo, cents, gain) in STYLES.items():
            for v in range(variants):
                name = f"clips/{src.stem}_{label}_{v}.wav"
                # Peak-normalise first so the gain differences are the only loudness cue
                # and nothing clips.
                subprocess.run(
                    ["sox", "-V1", str(src), "-r", "16000", "-c", "1", "-b", "16",
                     str(out / name), "norm", "-6",
                     "tempo", "-s", f"{rng.uniform(*tempo):.3f}",
                     "pitch", f"{rng.uniform(*cents):.0f}",
                     "gain", f"{rng.uniform(*gain):.1f}"],
                    check=True,
                )
                rows.append({"path": name, "split": split_of[src], "label": label,
                             "speaker": src.stem})
    labels = out / "labels.csv"
    with labels.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["path", "split", "label", "speaker"])
        writer.writeheader()
        writer.writerows(rows)
    return labels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="synthetic arousal-proxy dataset (sox)")
    ap.add_argument("out", type=Path)
    ap.add_argument("sources", type=Path, nargs="+")
    ap.add_argument("--variants", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(make_dataset(args.out, args.sources, variants=args.variants, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
