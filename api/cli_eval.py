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


@eval_app.command("speech-emotion")
def speech_emotion(
    root: Annotated[Path, typer.Option(
        help="EmoDB-layout folder: labels.csv (file,speaker,emotion) + audio")],
    out: Annotated[Path, typer.Option(help="folder for JSON + PNG")] = Path("speech-emotion-eval"),
    epochs: Annotated[int, typer.Option(min=1, help="attention-LSTM epochs per fold")] = 20,
    lstm: Annotated[bool, typer.Option(
        "--lstm/--no-lstm", help="also cross-validate the attention-LSTM (minutes per fold)")
    ] = True,
    seed: Annotated[int, typer.Option(help="training and bootstrap seed")] = 0,
) -> None:
    """Leave-one-speaker-out UAR (7 classes; anger/happiness/neutral/sadness) with bootstrap
    95 % intervals for the floor (utterance statistics + logistic regression) and the
    attention-LSTM; writes speech_emotion_loso.json and speech_emotion_confusion.png."""
    import json
    import sys

    from rich.console import Console

    from models.speech_emotion import train as T
    from models.speech_emotion.plots import confusion_png

    err = Console(stderr=True)
    try:
        corpus = T.load_corpus(root, lambda m: err.print(m, highlight=False))
    except ValueError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    res = T.loso(corpus, T.LstmConfig(epochs=epochs, seed=seed) if lstm else None,
                 T.FloorConfig(seed=seed), lambda m: err.print(m, highlight=False))
    out.mkdir(parents=True, exist_ok=True)
    (out / "speech_emotion_loso.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    png = confusion_png(res, out / "speech_emotion_confusion.png")
    for line in T.summary(res):
        sys.stdout.write(line + "\n")
    for name, m in res["models"].items():
        rec = ", ".join(f"{c} {r:.2f}" for c, r in m["recall"].items())
        sys.stdout.write(f"{name} recall: {rec}\n")
    sys.stdout.write(f"wrote {out / 'speech_emotion_loso.json'} and {png}\n")
