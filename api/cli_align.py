"""`mindkg align …`: entity alignment for researchers (evaluate, explore, plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import handles_errors, load_cli_settings, open_cli_store, out, progress_line

align_app = typer.Typer(
    help="Entity alignment for researchers: evaluate, explore, export, plot.", no_args_is_help=True
)

@align_app.command("eval")
@handles_errors
def align_eval(
    gold: Annotated[Path, typer.Argument(help="TSV rows phrase<TAB>concept (id or exact zh/en label)")],
    details: Annotated[Path | None, typer.Option(help="write each row's rank and top 10 as CSV")] = None,
) -> None:
    """Hits@1/5/10 and MRR of the aligner on a gold set (OpenEA conventions)."""
    import csv

    from kg.align.gold import evaluate, read_gold, resolve_concepts
    from kg.align.service import load_aligner

    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        aligner = load_aligner(store, settings, progress=progress_line)
        labels: dict[str, str] = {}
        for c in aligner.concepts:
            labels.setdefault(c.id, c.id)
            for name in c.names[:2]:
                labels.setdefault(name, c.id)
        rows = resolve_concepts(read_gold(gold), labels)
        metrics, rows_out = evaluate(rows, lambda p: aligner.rank_ids(p, top_k=10))
    table = Table(title=f"alignment on {gold.name}")
    for col in ("subset", "n", "Hits@1", "Hits@5", "Hits@10", "MRR"):
        table.add_column(col)
    for name, m in metrics.items():
        table.add_row(name, str(m.n), *(f"{m.hits[k]:.3f}" for k in (1, 5, 10)), f"{m.mrr:.3f}")
    out.print(table)
    if details is not None:
        with details.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "phrase", "gold", "rank", "top10"])
            for row, rank, top in rows_out:
                writer.writerow([row.line, row.phrase, row.concept, rank or "", " ".join(top)])
        out.print(f"details written to {details}")


@align_app.command("explore")
@handles_errors
def align_explore(
    session: Annotated[str, typer.Argument(help="session key: <student pseudonym>/<session id>")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="export the alignments as CSV")] = None,
) -> None:
    """List a session's feature texts with their ALIGNED_TO concepts and scores."""
    import csv

    settings = load_cli_settings()
    rows: list[list[str]] = []
    with open_cli_store(settings) as store:
        if store.get_node("Session", session) is None:
            raise ValueError(f"no session {session!r} in the {store.backend} store")
        for fe in store.edges("Session", session, "HAS_FEATURE"):
            feature = store.get_node("FeatureText", fe.dst_key)
            text = str(feature.props.get("text_zh", "")) if feature else ""
            for al in store.edges("FeatureText", fe.dst_key, "ALIGNED_TO"):
                concept = store.get_node("Concept", al.dst_key)
                name = str(concept.props.get("name_zh", "")) if concept else ""
                rows.append([fe.dst_key, text, al.dst_key, name, str(al.props.get("method", "")),
                             str(al.props.get("rank", "")), f"{float(al.props.get('score', 0)):.3f}"])
    header = ["feature", "text", "concept", "concept name", "method", "rank", "score"]
    table = Table(title=f"alignments of {session}")
    for col in header[1:]:
        table.add_column(col)
    for r in rows:
        table.add_row(*r[1:])
    out.print(table)
    if csv_out is not None:
        with csv_out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        out.print(f"{len(rows)} alignments exported to {csv_out}")


@align_app.command("plot")
@handles_errors
def align_plot(
    out_png: Annotated[Path, typer.Option("--out", help="PNG file")] = Path("joint-space.png"),
) -> None:
    """t-SNE picture of the joint space, coloured by concept type."""
    from kg.align.plot import plot_joint_space
    from kg.align.service import load_aligner

    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        aligner = load_aligner(store, settings, progress=progress_line)
    out.print(f"wrote {plot_joint_space(aligner.space, out_png)}")


