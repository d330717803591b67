"""`mindkg analyze`, `assess` and `ingest`: a session through the one pipeline (api/pipeline.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from api.cli_common import (
    err,
    handles_errors,
    load_cli_settings,
    open_cli_store,
    out,
    progress_line,
    require_purpose,
)

if TYPE_CHECKING:
    from contracts.settings import Settings

analysis_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)

BeamWidth = Annotated[int, typer.Option(min=1, max=50, help="beam width n: how many candidates")]


def _recognizer_config(settings: Settings) -> Any:
    from api.pipeline import recognizer_config_for

    return recognizer_config_for(settings, show_progress=True)


def _bind_center(settings: Settings, result: Any) -> None:
    """A written session binds its student to the configured center (MINDKG_CENTER), as the
    HTTP path binds it to the submitting key's: that center's psychologists can then read it."""
    if result.written:
        from api.auth.keys import bind_written_student

        bind_written_student(settings.home, result.student, settings.center)


@analysis_app.command()
@handles_errors
def analyze(
    bundle: Annotated[Path, typer.Argument(help="session bundle folder (with manifest.json)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result JSON")] = False,
    write: Annotated[
        bool, typer.Option("--write/--no-write", help="ingest into the graph store")
    ] = True,
    beam_width: BeamWidth = 5,
    me_model: Annotated[str | None, typer.Option(
        "--me-model", help="micro-expression classifier: cnn_gcn (default, shipped weights "
        "trained on SYNTHETIC clips), hybridmicronet, mer_gcn_transformer, lbp_vgg16 or rules; "
        "overrides the me_model setting")] = None,
) -> None:
    """Analyse a session bundle end to end, print the assessment, and ingest it."""
    from api.pipeline import analyze_bundle

    require_purpose()
    settings = load_cli_settings()
    if me_model is not None:
        from contracts.settings import Settings
        from models.mer.runtime import ME_MODELS

        if me_model not in ME_MODELS:
            raise ValueError(f"--me-model must be one of {', '.join(ME_MODELS)}, not {me_model!r}")
        settings = Settings.model_validate(settings.model_dump() | {"me_model": me_model})
    with open_cli_store(settings) as store:
        result = analyze_bundle(
            bundle, settings, store, write=write, beam_width=beam_width,
            progress=progress_line,
            recognizer_config=_recognizer_config(settings),
        )
    _bind_center(settings, result)
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    table = Table(title=f"Feature texts — session {result.session} (student {result.student})")
    for col in ("modality", "kind", "text (zh)", "text (en)"):
        table.add_column(col)
    for f in result.feature_texts:
        table.add_row(f.modality, f.kind, f.text.zh, f.text.en)
    out.print(table)
    if result.assessment:
        out.print(
            f"[bold]Assessment[/] (depression: {result.assessment.depression_level}, "
            f"suicide risk: {result.assessment.suicide_risk if result.assessment.suicide_risk_assessed else 'not assessed'})"
        )
        out.print(result.assessment.text.zh)
        out.print(result.assessment.text.en)
    for w in result.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    out.print(
        f"modalities used: {', '.join(result.modalities_used) or 'none'}; "
        f"missing: {', '.join(m.recognizer for m in result.modalities_missing) or 'none'}; "
        f"written to {result.store}: {result.written}"
    )


@analysis_app.command()
@handles_errors
def assess(
    features_file: Annotated[Path, typer.Argument(
        help="JSON list of feature texts (the FeatureText contract), or `analyze --json` output")],
    beam_width: BeamWidth = 5,
) -> None:
    """Decode the assessment from feature texts alone (apps with their own recognizers); prints JSON."""
    from api.pipeline import assess_features, read_feature_texts

    require_purpose()
    features = read_feature_texts(features_file)
    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        done = assess_features(features, settings, store, beam_width=beam_width,
                               progress=progress_line)
    assert done.assessment is not None  # read_feature_texts rejects an empty list
    payload = {"feature_ids": done.feature_ids,
               "alignments": [a.model_dump() for a in done.alignments],
               "cross_modal": [c.model_dump() for c in done.cross_modal],
               "assessment": done.assessment.model_dump(), "warnings": done.warnings}
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@analysis_app.command()
@handles_errors
def ingest(
    bundle: Annotated[Path, typer.Argument(help="session bundle folder (with manifest.json)")],
) -> None:
    """Write a bundle's student, session and feature texts to the configured store (idempotent)."""
    from api.pipeline import analyze_bundle

    require_purpose()
    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        result = analyze_bundle(bundle, settings, store, write=True,
                                recognizer_config=_recognizer_config(settings))
    _bind_center(settings, result)
    out.print(
        f"ingested session {result.session_key} into {result.store}: "
        f"{len(result.feature_texts)} feature texts, {len(result.alignments)} alignments, "
        f"{result.write_stats}"
    )


