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


@eval_app.command("sentiment")
def eval_sentiment(
    file_arg: str = typer.Argument(..., help="labelled texts: CSV label,review or cat,label,review; "
                                "JSON lines content,label; TSV label<TAB>text; or an EATD folder"),
    out_arg: str = typer.Option("sentiment_eval", "--out", help="folder for report.json and "
                             "confusion.png"),
    limit: int = typer.Option(0, min=0, help="score a seeded class-balanced sample of at most "
                              "N texts (0: all)"),
) -> None:
    """Sentence polarity on real labelled texts: balanced accuracy with a bootstrap 95 % CI
    (by volunteer for an EATD folder), neutral rate, confusion; JSON report + confusion PNG."""
    import json
    import random
    from pathlib import Path

    import numpy as np

    from kg.embed.sentence_polarity import load_sentence_polarity
    from kg.embed.sentence_polarity_train import SEED, summarise
    from kg.embed.sentiment_corpora import CorpusFormatError, read_labelled
    from models.mer.metrics import save_confusion_png

    file, out = Path(file_arg), Path(out_arg)
    try:
        rows = read_labelled(file)
    except CorpusFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if limit and len(rows) > limit:
        by_label: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by_label.setdefault(r.label, []).append(i)
        keep: list[int] = []
        for label in sorted(by_label):
            ids = by_label[label]
            random.Random(f"{SEED}:{label}").shuffle(ids)
            keep += ids[: max(limit // len(by_label), 1)]
        rows = [rows[i] for i in sorted(keep)]
    model = load_sentence_polarity()
    scores = model.score_many([r.text for r in rows])
    gold = [r.label for r in rows]
    pred = [s.label for s in scores]
    grouped = file.is_dir()
    result = summarise(gold, pred, [r.group for r in rows] if grouped else None)
    result.update({"file": str(file), "bootstrap_unit": "volunteer" if grouped else "text",
                   "mean_probability_positive": round(float(np.mean(
                       [s.probability for s in scores])), 4)})
    out.mkdir(parents=True, exist_ok=True)
    labels = ["positive", "negative", "neutral"]
    rows_present = [g for g in labels if g in result["confusion"]]
    matrix = np.array([[result["confusion"].get(g, {}).get(p, 0) for p in labels]
                       for g in labels])
    save_confusion_png(matrix, labels, out / "confusion.png",
                       f"{file.name}: balanced accuracy {result['balanced_accuracy']:.3f}")
    (out / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False),
                                     encoding="utf-8")
    lo, hi = result["ci95"]
    typer.echo(f"{file}: n={result['n']} balanced accuracy {result['balanced_accuracy']:.3f} "
               f"[95% CI {lo:.3f}, {hi:.3f}] neutral rate {result['neutral_rate']:.3f}")
    for g in rows_present:
        typer.echo(f"  gold {g:<8} -> " + "  ".join(
            f"{p} {result['confusion'][g][p]}" for p in labels))
    typer.echo(f"wrote {out / 'report.json'} and {out / 'confusion.png'}")
