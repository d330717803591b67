"""`mindkg kg …`: seed the knowledge graph, count it, build its joint space; sentence polarity
(api/cli_polarity.py) is registered on the same sub-app."""

from __future__ import annotations

import typer
from rich.table import Table

from api.cli_common import (
    err,
    handles_errors,
    load_cli_settings,
    open_cli_store,
    out,
    progress_line,
)
from api.cli_neutral import register as register_neutral
from api.cli_polarity import register as register_polarity

kg_app = typer.Typer(help="Knowledge graph: seed, statistics, polarity.", no_args_is_help=True)

@kg_app.command("seed")
@handles_errors
def kg_seed() -> None:
    """Load the default OpenKG seed (CMeKG neighbourhood, Cilin, curated ontology); idempotent."""
    from rich.progress import Progress

    from kg.seed import build_default_seed, load_seed

    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        seed = build_default_seed(progress=progress_line)
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"loading seed into the {store.backend} store", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            load_seed(store, seed, on_batch=advance)
        _print_counts(f"nodes per label ({store.backend} store)", store.count_by_label())


@kg_app.command("stats")
@handles_errors
def kg_stats() -> None:
    """Node counts per label and relationship counts per type."""
    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        _print_counts("nodes per label", store.count_by_label())
        _print_counts("relationships per type", store.count_by_type())


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title)
    table.add_column("name")
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    out.print(table)


@kg_app.command("embed")
@handles_errors
def kg_embed() -> None:
    """Build (or load the cached) joint node2vec + Word2Vec space of the current graph."""
    from kg.align.service import load_aligner

    settings = load_cli_settings()
    with open_cli_store(settings) as store:
        aligner = load_aligner(store, settings, progress=progress_line)
    space = aligner.space
    out.print(f"joint space: {len(space.concepts)} concepts, dim {space.words.dim}, "
              f"vocabulary {len(space.words.key_to_index)}; model in {space.model_dir}")




register_polarity(kg_app, handles_errors)  # kg polarity, kg polarity-train
register_neutral(kg_app, handles_errors)  # kg neutral-train
