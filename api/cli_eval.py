"""`mindkg eval …`: evaluation commands a researcher reruns on a folder of real data.

Each command takes the data's path, prints metrics with bootstrap intervals and writes a JSON
report plus plots. Heavy modules are imported inside each command, never at import time.
"""

from __future__ import annotations

import typer

eval_app = typer.Typer(
    help="Evaluate recognizers and models on real data you supply (a folder or a file).",
    no_args_is_help=True,
)
