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


@eval_app.command("asr")
def eval_asr(
    root: Annotated[Path, typer.Option("--root", help="folder: SPEAKER/NAME.flac|wav + NAME.txt")],
    out: Annotated[Path | None, typer.Option("--out", help="folder for report.json")] = None,
    language: Annotated[str, typer.Option(help="zh or en")] = "zh",
    speakers: Annotated[int | None, typer.Option(
        min=1, help="only every k-th speaker, N in all (a quick sample)")] = None,
) -> None:
    """Character error rate and real-time factor of the speech path's ASR on real recordings."""
    import json

    from rich.console import Console

    from ingest.audio.asr_eval import FileResult, evaluate, summary

    err = Console(stderr=True)

    def show(row: FileResult) -> None:
        cer = row.errors / max(row.ref_chars, 1)
        err.print(f"[dim]{row.speaker}/{row.file}: {row.audio_s:.1f} s audio, "
                  f"{row.seconds:.1f} s, CER {cer:.3f}{', LOOP' if row.loops else ''}[/]")

    try:
        report = summary(evaluate(root, language=language, limit=speakers, progress=show))
    except ValueError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    lo, hi = report["cer_ci95"]
    print(f"files {report['files']} of {report['speakers']} speakers, "
          f"{report['audio_s'] / 60:.1f} min audio")
    print(f"CER {report['cer']:.3f} [95% CI {lo:.3f}, {hi:.3f}]  RTF {report['rtf']:.3f}  "
          f"files with repetition loops: {report['files_with_loops']}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "asr_report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {out / 'asr_report.json'}")
