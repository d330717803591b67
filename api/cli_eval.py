"""`mindkg eval …`: evaluation commands a researcher reruns on a folder of real data.

Each command takes the data's path, prints metrics with bootstrap intervals and writes a JSON
report plus plots. Heavy modules are imported inside each command, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

eval_app = typer.Typer(
    help="Evaluate recognizers and models on real data you supply (a folder or a file).",
    no_args_is_help=True,
)


@eval_app.command("eatd")
def eval_eatd(
    root: Annotated[Path, typer.Option("--root", help="folder in the EATD layout: "
                                       "*/{positive,neutral,negative}.{flac,wav,txt} + sds.json")],
    out: Annotated[Path, typer.Option("--out", help="folder for eatd_eval.json and the PNGs")] = Path(
        "eatd_eval"),
    seeds: Annotated[int, typer.Option(min=1, max=50, help="repeats of the outer CV")] = 5,
    folds: Annotated[int, typer.Option(min=2, max=20, help="outer folds")] = 5,
    bootstrap: Annotated[int, typer.Option(min=100, max=100000, help="bootstrap resamples")] = 2000,
    jobs: Annotated[int, typer.Option(min=1, max=16, help="parallel speech analysis")] = 2,
    cache: Annotated[Path | None, typer.Option(help="feature cache folder (optional)")] = None,
) -> None:
    """Depression (SDS index >= 53): volunteer-level CV of the floor and the speech/text model."""
    from models.depression.report import evaluate, load_data, plots, table, write_report

    try:
        data, info = load_data(root, cache, jobs, progress=lambda m: typer.echo(m, err=True))
        result = evaluate(data, list(range(seeds)), folds, bootstrap)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"EATD: {info['volunteers']} volunteers, {info['depressed_sds_index_ge_53']} with "
               f"SDS index >= 53; {info['recordings_without_audio']} recordings without audio")
    for row in table(result):
        typer.echo(row)
    path = write_report(result, info, out)
    for p in [path, *plots(data, result, out)]:
        typer.echo(f"wrote {p}")
