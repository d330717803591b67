"""`mindkg kg polarity` and `mindkg kg polarity-train`: sentence polarity on real Chinese text.

Registered on the `kg` sub-app by `register(kg_app, handles_errors)`; heavy modules (word
vectors, scikit-learn) are imported inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

MAX_LINES = 100_000


def read_lines(path: Path) -> list[str]:
    """Non-empty lines of a UTF-8 text file (one text per line), bounded."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig") as handle:
            lines = []
            for i, line in enumerate(handle):
                if i >= MAX_LINES:
                    raise ValueError(f"{path}: more than {MAX_LINES} lines")
                if line.strip():
                    lines.append(line.strip())
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc})") from None
    return lines


def score_record(text: str, s: Any) -> dict[str, Any]:
    return {"text": text, "label": s.label, "probability_positive": round(s.probability, 4),
            "cos_p": round(s.cos_p, 4), "cos_n": round(s.cos_n, 4), "cos_m": round(s.cos_m, 4),
            "coverage": round(s.coverage, 4),
            "lexicon": {k: round(v, 4) for k, v in s.lexicon.items()}}


def register(kg_app: typer.Typer, handles_errors: Callable[[Any], Any]) -> None:
    out, err = Console(), Console(stderr=True)

    @kg_app.command("polarity")
    @handles_errors
    def kg_polarity(
        texts: Annotated[list[str] | None, typer.Argument(help="sentences, zh or en")] = None,
        file: Annotated[Path | None, typer.Option(
            "--file", help="score one text per line of this UTF-8 file")] = None,
        as_json: Annotated[bool, typer.Option(
            "--json", help="one JSON object per text (label, probability, p/n/m cosines)")] = False,
    ) -> None:
        """Sentence polarity: learned layer over p/n/m cosines, scoped lexicon cues, n-grams."""
        from kg.embed.sentence_polarity import load_sentence_polarity

        items = list(texts or [])
        if file is not None:
            lines = read_lines(file)
            if not lines:
                raise ValueError(f"{file}: holds no text (one text per line)")
            items += lines
        if not items:
            raise ValueError("give texts as arguments or --file F")
        model = load_sentence_polarity()
        scores = model.score_many(items)
        if as_json:
            for text, s in zip(items, scores, strict=True):
                print(json.dumps(score_record(text, s), ensure_ascii=False))
            return
        table = Table(title="sentence polarity (P(positive); cosine to p / n / m)")
        for col in ("text", "polarity", "P(pos)", "cos p", "cos n", "cos m", "coverage"):
            table.add_column(col)
        for text, s in zip(items, scores, strict=True):
            table.add_row(text, s.label, f"{s.probability:.3f}", f"{s.cos_p:.3f}",
                          f"{s.cos_n:.3f}", f"{s.cos_m:.3f}", f"{s.coverage:.2f}")
        out.print(table)

    @kg_app.command("polarity-train")
    @handles_errors
    def kg_polarity_train(
        data: Annotated[Path, typer.Option(
            "--data", help="folder with ChnSentiCorp_htl_all.csv, online_shopping_10_cats.csv, "
            "clue_emotion_valid.jsonl")],
        out_file: Annotated[Path, typer.Option("--out", help="weights .npz to write")],
        eatd: Annotated[Path | None, typer.Option(
            "--eatd", help="EATD-style folder of interview answers: evaluation only")] = None,
        snownlp: Annotated[bool, typer.Option(
            "--snownlp", help="also score the snownlp naive-Bayes baseline")] = False,
        report: Annotated[Path | None, typer.Option(
            "--report", help="write the metrics as JSON here")] = None,
        cap: Annotated[int, typer.Option(
            "--cap-per-class", min=10, help="texts per corpus and class (seeded sample; "
            "research.polarity.train.CAP_PER_CLASS)")] = 4000,
        vector_cache: Annotated[Path | None, typer.Option(
            "--vector-cache", help="SQLite file keeping the sentence vectors between runs "
            "(e.g. $MINDKG_CACHE_DIR/vectors/polarity.sqlite3)")] = None,
    ) -> None:
        """Train the sentence-polarity weights (seeded) with in-corpus and leave-one-corpus-out
        CV of it and of the char-n-gram floor; prints balanced accuracy with 95 % intervals."""
        from api.cli_common import write_report
        from research.polarity.train import train_and_evaluate

        if not data.is_dir():
            raise ValueError(f"{data}: not a folder")
        result = train_and_evaluate(data, out_file, eatd_dir=eatd, snownlp=snownlp,
                                    vector_cache=vector_cache, cap=cap,
                                    log=lambda m: err.print(f"[dim]· {m}[/]"))
        if report is not None:
            write_report(report, result)
        table = Table(title="balanced accuracy [bootstrap 95 % CI], neutral rate")
        for col in ("protocol", "corpus", "model", "bal. acc.", "95 % CI", "neutral"):
            table.add_column(col)
        for protocol in ("in_corpus_cv", "leave_one_corpus_out"):
            for corpus, models in result[protocol].items():
                for name, m in models.items():
                    table.add_row(protocol, corpus, name, f"{m['balanced_accuracy']:.3f}",
                                  f"{m['ci95'][0]:.3f}-{m['ci95'][1]:.3f}",
                                  f"{m['neutral_rate']:.3f}")
        for corpus, m in result.get("snownlp", {}).items():
            table.add_row("sample of 1000", corpus, "snownlp", f"{m['balanced_accuracy']:.3f}",
                          f"{m['ci95'][0]:.3f}-{m['ci95'][1]:.3f}", f"{m['neutral_rate']:.3f}")
        for name, m in result.get("interview_answers", {}).items():
            if isinstance(m, dict):
                table.add_row("evaluation only", "interview_answers", name,
                              f"{m['balanced_accuracy']:.3f}",
                              f"{m['ci95'][0]:.3f}-{m['ci95'][1]:.3f}", f"{m['neutral_rate']:.3f}")
        out.print(table)
        out.print(f"shipped model (chosen by inner CV): {result['choices']['shipped']}")
