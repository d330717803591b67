"""`mindkg admin ...`: operator commands for center isolation and data hygiene.

pseudonym-map  old (pre-center) -> new (per-center) pseudonyms for a list of local ids, the
               first step of the migration in docs/privacy.md ("Per-center pseudonyms").
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_server import _errors, err
from kg.pseudonym import legacy_pseudonym, load_or_create_key, pseudonymize
from kg.settings import load_settings

admin_app = typer.Typer(
    help="Operator commands: pseudonym migration, upload sweeps.", no_args_is_help=True
)


@admin_app.command("pseudonym-map")
@_errors
def pseudonym_map(
    ids: Annotated[
        Path,
        typer.Option(
            "--ids", help="text file: one local student id of this center per line"
        ),
    ],
    center: Annotated[
        str | None, typer.Option(help="the center these ids belong to (default: MINDKG_CENTER)")
    ] = None,
) -> None:
    """Print CSV `legacy_pseudonym,pseudonym` (no local ids) for a migration."""
    settings = load_settings()
    key = load_or_create_key(settings)
    chosen = center or settings.center
    if not ids.is_file():
        raise ValueError(f"--ids: {ids} is not a file")
    locals_ = [line.strip() for line in ids.read_text(encoding="utf-8").splitlines()]
    locals_ = [x for x in locals_ if x]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["legacy_pseudonym", "pseudonym", "center"])
    for local_id in locals_:
        writer.writerow([legacy_pseudonym(local_id, key), pseudonymize(local_id, key, chosen), chosen])
    err.print(f"{len(locals_)} id(s) mapped for center {chosen}")
