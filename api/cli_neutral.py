"""`mindkg kg neutral-train`: the neutral-text detector next to sentence polarity.

Registered on the `kg` sub-app by `register(kg_app, handles_errors)`; the research code
(scikit-learn, the corpora) is imported inside the command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


def register(kg_app: typer.Typer, handles_errors: Callable[[Any], Any]) -> None:
    out, err = Console(), Console(stderr=True)

    @kg_app.command("neutral-train")
    @handles_errors
    def kg_neutral_train(
        data: Annotated[Path, typer.Option(
            "--data", help="folder with ChnSentiCorp_htl_all.csv, online_shopping_10_cats.csv, "
            "clue_emotion_valid.jsonl (the polar texts)")],
        out_file: Annotated[Path | None, typer.Option(
            "--out", help="detector weights .npz to write (research: the product does not read it)")] = None,
        eatd: Annotated[Path | None, typer.Option(
            "--eatd", help="EATD-style folder: answers by prompt topic, evaluation only")] = None,
        report: Annotated[Path | None, typer.Option(
            "--report", help="write the metrics as JSON here")] = None,
        vector_cache: Annotated[Path | None, typer.Option(
            "--vector-cache", help="SQLite file keeping the sentence vectors between runs "
            "(e.g. $MINDKG_CACHE_DIR/vectors/neutral.sqlite3)")] = None,
        news_train: Annotated[int, typer.Option(
            "--news-train", min=30, max=20000, help="People's Daily sentences for training "
            "(first 75 % of the file's lines)")] = 3000,
        news_test: Annotated[int, typer.Option(
            "--news-test", min=10, max=9000, help="held-out sentences (last 25 %)")] = 1000,
    ) -> None:
        """Train the neutral detector (seeded): neutral = People's Daily 1998 sentences, polar =
        the sentiment corpora; prints leave-one-corpus-out false-neutral rates, interview
        answers by topic and held-out news, with 95 % intervals."""
        from api.cli_common import write_report
        from research.polarity.neutral import train_and_evaluate

        if not data.is_dir():
            raise ValueError(f"{data}: not a folder")
        result = train_and_evaluate(data, out_file, eatd_dir=eatd, vector_cache=vector_cache,
                                    n_news_train=news_train, n_news_test=news_test,
                                    log=lambda m: err.print(f"[dim]· {m}[/]"))
        if report is not None:
            write_report(report, result)
        for fs, res in result["feature_sets"].items():
            table = Table(title=f"neutral detector ({fs}): neutral rate [95 % CI]")
            for col in ("set", "new labelling", "current model"):
                table.add_column(col)
            for name, m in res["leave_one_corpus_out"].items():
                d = m["detector_false_neutral"]
                table.add_row(f"polar {name} (left out)",
                              f"{m['false_neutral_new_labelling']:.3f} (detector "
                              f"{d['rate']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}])",
                              f"{m['false_neutral_current']:.3f}")
            h = res["held_out_news"]
            table.add_row("held-out news", _rate(h["new_labelling"]), _rate(h["current"]))
            if "interviews" in res:
                iv = res["interviews"]
                for topic in ("neutral", "positive", "negative"):
                    table.add_row(f"EATD {topic}-topic answers",
                                  _rate(iv["neutral_rate_new"][topic]),
                                  _rate(iv["neutral_rate_current"][topic]))
                for key in ("separation", "auc"):
                    table.add_row(f"EATD {key}", _ci(iv[f"{key}_new"]), _ci(iv[f"{key}_current"]))
                table.add_row("EATD polar balanced accuracy", _ci(iv["ba_polar_new"]),
                              _ci(iv["ba_polar_current"]))
            out.print(table)


def _rate(m: dict[str, Any]) -> str:
    return f"{m['neutral']}/{m['n']} = {m['rate']:.3f} [{m['ci95'][0]:.3f}, {m['ci95'][1]:.3f}]"


def _ci(m: dict[str, Any]) -> str:
    return f"{m['value']:.3f} [{m['ci95'][0]:.3f}, {m['ci95'][1]:.3f}]"
