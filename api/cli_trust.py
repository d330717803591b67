"""`mindkg admin ...`: operator commands for center isolation and data hygiene.

pseudonym-map  old (pre-center) -> new (per-center) pseudonyms for a list of local ids, the
               first step of the migration in docs/privacy.md ("Per-center pseudonyms").
erase          everything about one student pseudonym, as DELETE /v1/students/{pseudonym}.
sweep-uploads  delete uploads no live job needs (the API's workers do it at start-up).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import err, handles_errors, load_cli_settings

admin_app = typer.Typer(
    help="Operator commands: pseudonym migration, upload sweeps.", no_args_is_help=True
)


@admin_app.command("pseudonym-map")
@handles_errors
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
    """Print CSV `legacy_pseudonym,pseudonym,center` (no local ids) for a migration."""
    from ingest.bundle import ID_PATTERN
    from kg.pseudonym import legacy_pseudonym, load_or_create_key, pseudonymize

    settings = load_cli_settings()
    key = load_or_create_key(settings)
    chosen = center or settings.center
    if not ids.is_file():
        raise ValueError(f"--ids: {ids} is not a file")
    locals_ = [line.strip() for line in ids.read_text(encoding="utf-8").splitlines()]
    for n, local_id in enumerate(locals_, 1):  # the bundles' student id rule; nothing printed
        if local_id and not ID_PATTERN.match(local_id):
            raise ValueError(f"--ids: {ids} line {n} is not a student id (1-64 letters, "
                             "digits, '_', '.' or '-' starting with a letter or digit)")
    locals_ = [x for x in locals_ if x]
    rows = [[legacy_pseudonym(x, key), pseudonymize(x, key, chosen), chosen] for x in locals_]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["legacy_pseudonym", "pseudonym", "center"])
    writer.writerows(rows)
    err.print(f"{len(locals_)} id(s) mapped for center {chosen}")


@admin_app.command("erase")
@handles_errors
def erase(
    student: Annotated[str, typer.Argument(help="student pseudonym (stu_...)")],
) -> None:
    """Erase everything about a student (graph, job results, kept uploads, bindings)."""
    import getpass
    import re

    from api.auth.keys import ApiKey, AuthDB, auth_db_path
    from api.erasure import erase_student_everywhere
    from api.jobs.store import JobStore, jobs_db_path
    from kg.store.factory import open_store

    if not re.fullmatch(r"stu_[0-9a-f]{20}", student):
        raise ValueError(f"not a student pseudonym: {student!r} (stu_ + 20 hex digits)")
    settings = load_cli_settings()
    auth = AuthDB(auth_db_path(settings.home))
    jobs = JobStore(jobs_db_path(settings.home))
    try:
        with open_store(settings) as graph:
            out = erase_student_everywhere(settings, jobs, auth, graph, student)
        known = out.graph_nodes_removed or out.job_results_erased or out.center_bindings_removed
        operator = ApiKey(f"cli:{getpass.getuser()}", "cli", "admin", None, "", None)
        auth.audit(operator, "CLI", "mindkg admin erase", student=student, session=None,
                   outcome=200 if known else 404)
    finally:
        jobs.close()
        auth.close()
    if not known:
        raise ValueError(f"nothing is stored about {student}")
    for line in out.removed:
        err.print(f"removed {line}")
    sys.stdout.write(out.model_dump_json() + "\n")


@admin_app.command("sweep-uploads")
@handles_errors
def sweep() -> None:
    """Delete uploads no live job needs (also done at every start of the API's workers)."""
    from api.jobs.store import JobStore, jobs_db_path
    from api.jobs.sweep import sweep_uploads

    settings = load_cli_settings()
    jobs = JobStore(jobs_db_path(settings.home))
    try:
        removed = sweep_uploads(settings, settings.api, jobs)
    finally:
        jobs.close()
    err.print(f"swept {len(removed)} upload(s)")
