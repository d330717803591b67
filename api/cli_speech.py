"""`mindkg speech …`: speech emotion of audio files, and the seeded training run behind the
shipped weights (models/speech_emotion, trained on EmoDB: acted German speech).

api/cli.py adds `speech_app` with `app.add_typer(speech_app, name="speech")`.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_common import EXIT_INPUT, err, handles_errors, print_error

speech_app = typer.Typer(
    help="Speech emotion (EmoDB-trained; acted German speech): estimate, train.",
    no_args_is_help=True,
)
@speech_app.command("emotion")
@handles_errors
def emotion(
    files: Annotated[list[Path], typer.Argument(help="audio or video files (any ffmpeg input)")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Speech emotion of each file: mean class probabilities over voiced 2 s windows. A file
    that cannot be read gets one error line on stderr; the others are still scored (exit 2 at
    the end if any failed)."""
    from api.auth.purpose import require_purpose
    from contracts.settings import load_settings
    from ingest.audio.emotion import estimate_file

    require_purpose(load_settings().api.purpose)
    failed = 0
    for f in files:
        try:
            est = estimate_file(f)
        except (ValueError, FileNotFoundError) as exc:  # bad input, as handles_errors maps it
            print_error(str(exc))
            failed += 1
            continue
        r: dict[str, Any] = {"file": str(f), "label": est["label"] if est else None,
                             "probabilities": est["probabilities"] if est else None,
                             "model": est["model"] if est else None,
                             "windows": est["windows"] if est else 0,
                             "trained_on": est["trained_on"] if est else None,
                             **({} if est else {"note": "no 2 s window with enough speech"})}
        if as_json:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        elif r["label"] is None:
            sys.stdout.write(f"{r['file']}\t-\t({r['note']})\n")
        else:
            p = r["probabilities"][r["label"]]
            sys.stdout.write(f"{r['file']}\t{r['label']}\t{p:.2f}\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(EXIT_INPUT)


@speech_app.command("train-emotion")
@handles_errors
def train_emotion(
    root: Annotated[Path, typer.Option(help="EmoDB-layout folder: labels.csv + audio")],
    out: Annotated[Path, typer.Option(help="folder for attention_lstm.npz, floor.npz, "
                                            "loso.json")],
    seed: Annotated[int, typer.Option(help="training seed")] = 0,
    epochs: Annotated[int, typer.Option(min=1, help="attention-LSTM maximum epochs (LOSO "
                                        "early stopping; the final fit runs their median)")] = 40,
    skip_loso: Annotated[bool, typer.Option(
        "--skip-loso", help="only the final fit (no leave-one-speaker-out report)")] = False,
) -> None:
    """Seeded training on every clip of ROOT (the shipped weights: --root EmoDB)."""
    from research.speech_emotion import train as T

    log = functools.partial(err.print, highlight=False)
    lstm, floor = T.LstmConfig(epochs=epochs, seed=seed), T.FloorConfig(seed=seed)
    corpus = T.load_corpus(root, log)
    metrics: dict[str, Any] = {}
    final_epochs = None
    if not skip_loso:
        res = T.loso(corpus, lstm, floor, log)
        for line in T.summary(res):
            sys.stdout.write(line + "\n")
        metrics = {k: {kk: v[kk] for kk in ("uar_7", "uar_7_ci95", "uar_4", "uar_4_ci95")}
                   for k, v in res["models"].items()}
        final_epochs = res["lstm_final_epochs"]
    paths = T.fit_final(corpus, out, lstm, floor, metrics, final_epochs)
    if not skip_loso:
        (out / "loso.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    for p in paths:
        sys.stdout.write(f"wrote {p}\n")
