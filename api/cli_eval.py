"""`mindkg eval …`: evaluation commands a researcher reruns on a folder of real data.

Each command takes the data's path, prints metrics with bootstrap intervals and writes a JSON
report plus plots. Heavy modules are imported inside each command, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import handles_errors

eval_app = typer.Typer(
    help="Evaluate recognizers and models on real data you supply (a folder or a file).",
    no_args_is_help=True,
)


@eval_app.command("asr")
@handles_errors
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

    report = summary(evaluate(root, language=language, limit=speakers, progress=show))
    lo, hi = report["cer_ci95"]
    print(f"files {report['files']} of {report['speakers']} speakers, "
          f"{report['audio_s'] / 60:.1f} min audio")
    llo, lhi = report["cer_lenient_ci95"]
    print(f"CER {report['cer']:.3f} [95% CI {lo:.3f}, {hi:.3f}]  lenient CER (no fillers, "
          f"numbers read) {report['cer_lenient']:.3f} [{llo:.3f}, {lhi:.3f}]")
    print(f"RTF {report['rtf']:.3f} wall, {report['cpu_per_audio_s']:.3f} CPU-s per audio-s "
          f"(load average {report['load_average_1min']:.1f})  "
          f"files with repetition loops: {report['files_with_loops']}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "asr_report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {out / 'asr_report.json'}")


@eval_app.command("faces")
@handles_errors
def eval_faces(
    root: Annotated[Path, typer.Option("--root", help="folder of subjectNN.VARIANT photos "
                                       "(VARIANT: normal, happy, sad, surprised, sleepy, wink)")],
    out: Annotated[Path, typer.Option("--out", help="where the JSON and plot go")] = Path(
        "faces-eval"),
    fps: Annotated[float, typer.Option("--fps")] = 30.0,
    fades: Annotated[str, typer.Option(
        "--fades", help="expression fade-in/out times in seconds (0 = jump)")] = "0,0.1,0.2",
    keep_clips: Annotated[bool, typer.Option("--keep-clips",
                                             help="keep the mp4 clips in OUT")] = False,
) -> None:
    """AUs, expression events and eye closure on clips built from posed photos of real people.

    Each person's neutral photo (1.5 s) -> expression (0.4 s, jump or fade) -> neutral
    (1.5 s) at 30 fps, written as mp4 and analysed by the product's video recognizer; still
    clips of the neutral photo must give no events. Prints per-expression hit rates, AU
    precision/recall and false events; writes faces_eval.json and reliability.png.
    """
    from research.video.posed import run_evaluation

    fade_list = [float(x) for x in fades.split(",") if x.strip()]
    report = run_evaluation(root, out, fps=fps, fades=fade_list, keep_clips=keep_clips,
                            log=lambda m: typer.echo(m, err=True))
    typer.echo(f"expression clips right: {report['hits']}/{report['expression_clips']} "
               f"({report['hit_rate']:.1%})")
    for v, r in report["per_variant"].items():
        typer.echo(f"  {v:<10} {r['hits']}/{r['clips']}")
    for f, r in report["per_fade"].items():
        typer.echo(f"  fade {f:<5} {r['hits']}/{r['clips']}")
    typer.echo(f"still clips: {report['still_clips']}, false events: "
               f"{report['false_events_on_still_clips']}, eye events: "
               f"{report['eye_events_on_still_clips']}; events outside the expression window "
               f"in expression clips: {report['false_events_outside_window_in_expression_clips']}")
    typer.echo("AU  precision recall (tp/fp/fn)")
    for au, r in report["au_precision_recall"].items():
        typer.echo(f"  {au:<5} {r['precision']:>6} {r['recall']:>6} "
                   f"({r['tp']}/{r['fp']}/{r['fn']})")
    for name, rel in report["reliability"].items():
        typer.echo(f"reliability {name}: n={rel['n']} ECE={rel['ece']}")
    typer.echo(f"wrote {out / 'faces_eval.json'} and {out / 'reliability.png'}")


@eval_app.command("speech-emotion")
@handles_errors
def speech_emotion(
    root: Annotated[Path, typer.Option(
        help="EmoDB-layout folder: labels.csv (file,speaker,emotion) + audio")],
    out: Annotated[Path, typer.Option(help="folder for JSON + PNG")] = Path("speech-emotion-eval"),
    epochs: Annotated[int, typer.Option(
        min=1, help="attention-LSTM maximum epochs per fold (early stopping)")] = 40,
    lstm: Annotated[bool, typer.Option(
        "--lstm/--no-lstm", help="also cross-validate the attention-LSTM (minutes per fold)")
    ] = True,
    seed: Annotated[int, typer.Option(help="training and bootstrap seed")] = 0,
) -> None:
    """Leave-one-speaker-out UAR (7 classes; anger/happiness/neutral/sadness) with bootstrap
    95 % intervals for the floor (utterance statistics + logistic regression), the
    attention-LSTM and their ensemble (the shipped model); writes speech_emotion_loso.json
    and speech_emotion_confusion.png."""
    import json
    import sys

    from rich.console import Console

    from research.speech_emotion import train as T
    from research.speech_emotion.plots import confusion_png

    err = Console(stderr=True)
    corpus = T.load_corpus(root, lambda m: err.print(m, highlight=False))
    if (n_speakers := len(set(corpus.speakers))) < 3:
        raise ValueError(f"{root}: leave-one-speaker-out needs clips of at least 3 speakers "
                         f"(one held out, two to choose the model on); found {n_speakers}")
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


@eval_app.command("eatd")
@handles_errors
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
    from research.depression.report import evaluate, load_data, plots, table, write_report

    data, info = load_data(root, cache, jobs, progress=lambda m: typer.echo(m, err=True))
    result = evaluate(data, list(range(seeds)), folds, bootstrap)
    typer.echo(f"EATD: {info['volunteers']} volunteers, {info['depressed_sds_index_ge_53']} with "
               f"SDS index >= 53; {info['recordings_without_audio']} recordings without audio")
    for row in table(result):
        typer.echo(row)
    path = write_report(result, info, out)
    for p in [path, *plots(data, result, out)]:
        typer.echo(f"wrote {p}")


@eval_app.command("sentiment")
@handles_errors
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
    from research.mer.metrics import save_confusion_png
    from research.polarity.corpora import read_labelled
    from research.polarity.train import SEED, summarise

    file, out = Path(file_arg), Path(out_arg)
    try:
        rows = read_labelled(file)  # a CorpusFormatError is a ValueError: exit 2
    except UnicodeDecodeError as exc:  # name the file and the fix, not only the codec
        raise ValueError(f"{file}: not UTF-8 text ({exc.reason}); convert it first, e.g. "
                         "iconv -f GBK -t UTF-8") from None
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
    if len(rows_present) == 1:
        typer.echo(f"warning: every text is labelled {rows_present[0]}: balanced accuracy is "
                   "that class's recall alone", err=True)
    typer.echo(f"wrote {out / 'report.json'} and {out / 'confusion.png'}")
