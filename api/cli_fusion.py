"""`mindkg fusion train`: the learned (HGC) fusion the decoder can mix in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import err, handles_errors, out

fusion_app = typer.Typer(
    help="Learned fusion: train the HGC models the decoder can mix in.", no_args_is_help=True
)

@fusion_app.command("train")
@handles_errors
def fusion_train(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write (replaced atomically)")],
    sessions: Annotated[Path | None, typer.Option(
        help="labelled sessions, JSON lines: feature_texts, emotion, depression_level")] = None,
    synthetic: Annotated[int, typer.Option(
        min=0, help="instead: train on N SYNTHETIC cohort sessions (demo and evaluation only)")] = 0,
    seed: Annotated[int, typer.Option(help="cohort and training seed")] = 7,
    epochs: Annotated[int, typer.Option(min=1, help="training epochs")] = 30,
    weight: Annotated[float, typer.Option(min=0.0, max=1.0,
                                          help="share of the learned opinion in decoding")] = 0.5,
) -> None:
    """Train the learned (HGC) fusion; point MINDKG_LEARNED_FUSION_DIR at --out to use it."""
    from datetime import UTC, datetime

    from models.fusion.hgc import HGCConfig
    from models.fusion.learned_store import (
        LabelledSession,
        read_labelled_sessions,
        save_learned_fusion,
        train_learned_fusion,
    )

    if (sessions is None) == (synthetic == 0):
        raise ValueError("give exactly one of --sessions FILE or --synthetic N")
    if sessions is not None:
        rows = read_labelled_sessions(sessions)
        source = {"trained_on": str(sessions), "synthetic": False}
    else:
        from research.cohort import generate_cohort

        rows = [LabelledSession(s.features, s.truth.emotion, s.truth.level)
                for s in generate_cohort(synthetic, seed)]
        source = {"trained_on": f"research.cohort SYNTHETIC cohort, seed {seed}", "synthetic": True}
    err.print(f"training on {len(rows)} sessions ({epochs} epochs per target)")
    fusion = train_learned_fusion(rows, weight=weight, cfg=HGCConfig(epochs=epochs, seed=seed))
    meta = {**source, "sessions": len(rows), "seed": seed, "epochs": epochs,
            "created": datetime.now(UTC).isoformat(timespec="seconds")}
    folder = save_learned_fusion(fusion, out_dir, meta)
    targets = [t for t in ("emotion", "depression") if getattr(fusion, t) is not None]
    out.print(f"wrote {folder} ({', '.join(targets)}); use it with MINDKG_LEARNED_FUSION_DIR={folder}")
