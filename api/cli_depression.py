"""`mindkg depression …`: train the speech/text depression estimate (models/depression)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import handles_errors

depression_app = typer.Typer(
    help="The depression estimate learned from real interviews (EATD-Corpus layout).",
    no_args_is_help=True,
)


@depression_app.command("train")
@handles_errors
def train(
    root: Annotated[Path, typer.Option("--root", help="folder in the EATD layout")],
    out: Annotated[Path, typer.Option("--out", help="folder for model.json + weights.npz")],
    seed: Annotated[int, typer.Option(help="seed of the inner folds")] = 0,
    cv_seeds: Annotated[int, typer.Option(
        min=0, max=50, help="repeats of the outer CV whose metrics go into the card (0: none)")] = 5,
    jobs: Annotated[int, typer.Option(min=1, max=16, help="parallel speech analysis")] = 2,
    cache: Annotated[Path | None, typer.Option(help="feature cache folder (optional)")] = None,
) -> None:
    """Train on every volunteer with the nested recipe; write weights and the CV metrics."""
    from research.depression.report import evaluate, load_data, table, train_and_save

    t0 = time.perf_counter()
    data, info = load_data(root, cache, jobs, progress=lambda m: typer.echo(m, err=True))
    result = evaluate(data, list(range(cv_seeds)), 5, 2000) if cv_seeds else None
    model = train_and_save(data, seed, out, result, info)
    if result is not None:
        for row in table(result):
            typer.echo(row)
    typer.echo(f"threshold {model.threshold:.4f} (prompts unknown: "
               f"{model.fallback.threshold:.4f}); C text {model.meta['C_text']}, C speech "
               f"{model.meta['C_dense']} ({model.meta['C_dense_no_prompts']}); "
               f"{time.perf_counter() - t0:.0f} s")
    typer.echo(f"wrote {out / 'model.json'} and {out / 'weights.npz'}")
