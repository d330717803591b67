"""The `mindkg` command line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from kg.settings import ConfigError, Settings, load_settings
from kg.store.base import GraphStore, StoreError, StoreUnavailable

app = typer.Typer(
    help="MindKG: multimodal knowledge-graph reasoning for counseling sessions. "
    "Decision support for professionals, never a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(
    help="Run the project's own Neo4j Community 5.26 server on loopback.", no_args_is_help=True
)
kg_app = typer.Typer(help="Knowledge graph: seed, statistics, polarity.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
align_app = typer.Typer(help="Entity alignment for researchers: evaluate, explore, export, plot.", no_args_is_help=True)
app.add_typer(kg_app, name="kg")
app.add_typer(align_app, name="align")
fusion_app = typer.Typer(help="Learned fusion: train the HGC models the decoder can mix in.", no_args_is_help=True)
app.add_typer(fusion_app, name="fusion")

err = Console(stderr=True)
out = Console()
F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_STORE = 3
EXIT_SERVER = 4


def _fail(code: int, message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Map failures to clear messages and distinct exit codes instead of tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from api.auth.purpose import PurposeNotDeclared
        from kg.neo4j_server import Neo4jServerError

        try:
            return fn(*args, **kwargs)
        except (ConfigError, PurposeNotDeclared) as exc:
            _fail(EXIT_INPUT, f"configuration: {exc}")
        except StoreUnavailable as exc:
            _fail(EXIT_STORE, f"graph store unavailable: {exc}")
        except StoreError as exc:
            _fail(EXIT_STORE, str(exc))
        except Neo4jServerError as exc:
            _fail(EXIT_SERVER, str(exc))
        except ValueError as exc:  # every input error (bundle, scales, media) is a ValueError
            _fail(EXIT_INPUT, str(exc))
        return None

    return wrapper  # type: ignore[return-value]


def _settings() -> Settings:
    return load_settings()


def _require_purpose() -> None:
    """Emotion inference runs only for a declared purpose (docs/privacy.md)."""
    import os

    from api.auth.purpose import require_purpose

    require_purpose(os.environ.get("MINDKG_PURPOSE"))


def _store(settings: Settings) -> GraphStore:
    from kg.store.factory import open_store

    return open_store(settings)


# -- analysis ---------------------------------------------------------------------------------
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


@app.command()
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

    _require_purpose()
    settings = _settings()
    if me_model is not None:
        from models.mer.runtime import ME_MODELS

        if me_model not in ME_MODELS:
            raise ValueError(f"--me-model must be one of {', '.join(ME_MODELS)}, not {me_model!r}")
        settings = Settings.model_validate(settings.model_dump() | {"me_model": me_model})
    with _store(settings) as store:
        result = analyze_bundle(
            bundle, settings, store, write=write, beam_width=beam_width,
            progress=lambda m: err.print(f"[dim]· {m}[/]"),
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
            f"suicide risk: {result.assessment.suicide_risk})"
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


@app.command()
@handles_errors
def assess(
    features_file: Annotated[Path, typer.Argument(
        help="JSON list of feature texts (the FeatureText contract), or `analyze --json` output")],
    beam_width: BeamWidth = 5,
) -> None:
    """Decode the assessment from feature texts alone (apps with their own recognizers); prints JSON."""
    from api.pipeline import assess_features, read_feature_texts

    _require_purpose()
    features = read_feature_texts(features_file)
    settings = _settings()
    with _store(settings) as store:
        done = assess_features(features, settings, store, beam_width=beam_width,
                               progress=lambda m: err.print(f"[dim]· {m}[/]"))
    assert done.assessment is not None  # read_feature_texts rejects an empty list
    payload = {"feature_ids": done.feature_ids,
               "alignments": [a.model_dump() for a in done.alignments],
               "cross_modal": [c.model_dump() for c in done.cross_modal],
               "assessment": done.assessment.model_dump(), "warnings": done.warnings}
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@app.command()
@handles_errors
def ingest(
    bundle: Annotated[Path, typer.Argument(help="session bundle folder (with manifest.json)")],
) -> None:
    """Write a bundle's student, session and feature texts to the configured store (idempotent)."""
    from api.pipeline import analyze_bundle

    _require_purpose()
    settings = _settings()
    with _store(settings) as store:
        result = analyze_bundle(bundle, settings, store, write=True,
                                recognizer_config=_recognizer_config(settings))
    _bind_center(settings, result)
    out.print(
        f"ingested session {result.session_key} into {result.store}: "
        f"{len(result.feature_texts)} feature texts, {len(result.alignments)} alignments, "
        f"{result.write_stats}"
    )


# -- neo4j ------------------------------------------------------------------------------------
@neo4j_app.command("start")
@handles_errors
def neo4j_start() -> None:
    """Resolve Neo4j from Maven Central (once), configure it and start it; waits for Bolt."""
    from kg.neo4j_server import start

    settings = _settings()
    settings.neo4j_password_value()
    st = start(settings)
    out.print(f"Neo4j running (pid {st.pid}): {st.bolt_uri}  Browser: {st.http_url}")


@neo4j_app.command("stop")
@handles_errors
def neo4j_stop() -> None:
    """Stop the project's Neo4j server."""
    from kg.neo4j_server import stop

    out.print("Neo4j stopped" if stop(_settings()) else "Neo4j was not running")


@neo4j_app.command("status")
@handles_errors
def neo4j_status() -> None:
    """Show whether the project's Neo4j server runs and answers on Bolt (exit 1 if not)."""
    from kg.neo4j_server import status

    st = status(_settings())
    out.print(
        f"running: {st.running}  pid: {st.pid}  bolt: {st.bolt_uri} ({st.detail})  home: {st.home}"
    )
    if not st.bolt_ok:
        raise typer.Exit(1)


@neo4j_app.command("schema")
@handles_errors
def neo4j_schema() -> None:
    """Apply cypher/schema.cypher (constraints and indexes) to the configured store."""
    settings = _settings()
    with _store(settings) as store:
        out.print(f"schema applied to the {store.backend} store")


browse_app = typer.Typer(
    help="A browse-only copy of the graph for Neo4j Browser: a second Neo4j whose database is "
    "read-only, with its own login (Community has no read-only roles).",
    no_args_is_help=True,
)
neo4j_app.add_typer(browse_app, name="browse-copy")
BoltPort = Annotated[
    int | None, typer.Option(min=1, max=65535, help="copy's Bolt port (default: main's + 1)")
]
HttpPort = Annotated[
    int | None, typer.Option(min=1, max=65535, help="copy's HTTP port (default: main's + 1)")
]
Heap = Annotated[str, typer.Option(help="copy's JVM heap, e.g. 384m")]


def _browse_copy(bolt_port: int | None, http_port: int | None, heap: str | None = None) -> Any:
    from kg.neo4j_browse_copy import DEFAULT_HEAP, browse_copy

    return browse_copy(
        _settings(), bolt_port=bolt_port, http_port=http_port, heap=heap or DEFAULT_HEAP
    )


def _print_browse_copy(copy: Any, pid: int | None) -> None:
    layout = copy.layout
    out.print(f"Browse-only copy running (pid {pid}), database read-only: {layout.bolt_uri}")
    out.print(f"Browser: {layout.browser_url}  login: {copy.user}")
    out.print(f"password: in {copy.password_file} (owner-only; never the main password)")


@browse_app.command("refresh")
@handles_errors
def browse_copy_refresh(
    bolt_port: BoltPort = None, http_port: HttpPort = None, heap: Heap = "384m"
) -> None:
    """Rebuild the copy from the running main server over Bolt, then serve it read-only."""
    from kg.neo4j_browse_copy import check_source, main_source, refresh, status
    from kg.neo4j_server import ensure_jars

    settings = _settings()
    copy = _browse_copy(bolt_port, http_port, heap)
    source = main_source(settings)
    check_source(source)
    ensure_jars(settings)
    report = refresh(copy, source, progress=lambda m: err.print(f"[dim]· {m}[/]"))
    out.print(
        f"copied {report.nodes} nodes, {report.relationships} relationships, "
        f"{report.schema_statements} schema statements"
    )
    _print_browse_copy(copy, status(copy)[0].pid)


@browse_app.command("start")
@handles_errors
def browse_copy_start(
    bolt_port: BoltPort = None, http_port: HttpPort = None, heap: Heap = "384m"
) -> None:
    """Serve the last refreshed copy, read-only."""
    from kg.neo4j_browse_copy import start

    copy = _browse_copy(bolt_port, http_port, heap)
    _print_browse_copy(copy, start(copy).pid)


@browse_app.command("stop")
@handles_errors
def browse_copy_stop() -> None:
    """Stop the browse-only copy (its data stays for the next start)."""
    from kg.neo4j_browse_copy import stop

    copy = _browse_copy(None, None)
    out.print("browse copy stopped" if stop(copy) else "browse copy was not running")


@browse_app.command("status")
@handles_errors
def browse_copy_status(bolt_port: BoltPort = None, http_port: HttpPort = None) -> None:
    """Whether the copy runs, answers the browsing login, and is read-only (exit 1 if not)."""
    from kg.neo4j_browse_copy import status

    copy = _browse_copy(bolt_port, http_port)
    st, database = status(copy)
    out.print(
        f"running: {st.running}  pid: {st.pid}  bolt: {st.bolt_uri} ({st.detail}; {database})  "
        f"Browser: {st.http_url}  login: {copy.user}  password file: {copy.password_file}"
    )
    if not (st.bolt_ok and database.endswith("online, read-only")):
        raise typer.Exit(1)


# -- knowledge graph --------------------------------------------------------------------------
@kg_app.command("seed")
@handles_errors
def kg_seed() -> None:
    """Load the default OpenKG seed (CMeKG neighbourhood, Cilin, curated ontology); idempotent."""
    from rich.progress import Progress

    from kg.seed import build_default_seed, load_seed

    settings = _settings()
    with _store(settings) as store:
        seed = build_default_seed(progress=lambda msg: err.print(f"[dim]· {msg}[/]"))
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
    settings = _settings()
    with _store(settings) as store:
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

    settings = _settings()
    with _store(settings) as store:
        aligner = load_aligner(store, settings, progress=lambda m: err.print(f"[dim]· {m}[/]"))
    space = aligner.space
    out.print(f"joint space: {len(space.concepts)} concepts, dim {space.words.dim}, "
              f"vocabulary {len(space.words.key_to_index)}; model in {space.model_dir}")


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

    settings = _settings()
    with _store(settings) as store:
        aligner = load_aligner(store, settings, progress=lambda m: err.print(f"[dim]· {m}[/]"))
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

    settings = _settings()
    rows: list[list[str]] = []
    with _store(settings) as store:
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

    settings = _settings()
    with _store(settings) as store:
        aligner = load_aligner(store, settings, progress=lambda m: err.print(f"[dim]· {m}[/]"))
    out.print(f"wrote {plot_joint_space(aligner.space, out_png)}")


@app.command("config")
@handles_errors
def show_config() -> None:
    """Print the effective configuration (secrets masked)."""
    settings = _settings()
    data = json.loads(settings.model_dump_json())
    data["store_backend"] = settings.store_backend
    out.print_json(json.dumps(data))


def _register_optional_apps() -> None:
    from api.cli_server import keys_app, server_app

    app.add_typer(server_app)  # serve, worker, submit, audit, timeline, trend
    app.add_typer(keys_app, name="keys")
    from api.cli_eval import eval_app

    app.add_typer(eval_app, name="eval")
    from api.cli_trust import admin_app

    app.add_typer(admin_app, name="admin")
    from api.cli_mer import mer_app

    app.add_typer(mer_app, name="mer")
    from api.cli_speech import speech_app

    app.add_typer(speech_app, name="speech")  # speech emotion (EmoDB-trained)
    from api.cli_depression import depression_app

    app.add_typer(depression_app, name="depression")
    from api.cli_polarity import register as register_polarity

    register_polarity(kg_app, handles_errors)  # kg polarity, kg polarity-train


_register_optional_apps()


def main() -> None:
    app()


if __name__ == "__main__":
    main()


# -- fusion -----------------------------------------------------------------------------------
@fusion_app.command("train")
@handles_errors
def fusion_train(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write (replaced atomically)")],
    sessions: Annotated[Path | None, typer.Option(
        help="labelled sessions, JSON lines: feature_texts, emotion, depression_level")] = None,
    synthetic: Annotated[int, typer.Option(
        min=0, help="instead: train on N SYNTHETIC cohort sessions (demo and evaluation only)")] = 0,
    seed: Annotated[int, typer.Option(help="cohort and training seed")] = 7,
    epochs: Annotated[int, typer.Option(min=1, help="training epochs")] = 30,
    weight: Annotated[float, typer.Option(min=0.0, max=1.0,
                                          help="share of the learned opinion in decoding")] = 0.5,
) -> None:
    """Train the learned (HGC) fusion; point MINDKG_LEARNED_FUSION_DIR at --out to use it."""
    from datetime import UTC, datetime

    from models.fusion.hgc import HGCConfig
    from models.fusion.learned_store import (
        LabelledSession,
        read_labelled_sessions,
        save_learned_fusion,
        train_learned_fusion,
    )

    if (sessions is None) == (synthetic == 0):
        raise ValueError("give exactly one of --sessions FILE or --synthetic N")
    if sessions is not None:
        rows = read_labelled_sessions(sessions)
        source = {"trained_on": str(sessions), "synthetic": False}
    else:
        from models.cohort import generate_cohort

        rows = [LabelledSession(s.features, s.truth.emotion, s.truth.level)
                for s in generate_cohort(synthetic, seed)]
        source = {"trained_on": f"models.cohort SYNTHETIC cohort, seed {seed}", "synthetic": True}
    err.print(f"training on {len(rows)} sessions ({epochs} epochs per target)")
    fusion = train_learned_fusion(rows, weight=weight, cfg=HGCConfig(epochs=epochs, seed=seed))
    meta = {**source, "sessions": len(rows), "seed": seed, "epochs": epochs,
            "created": datetime.now(UTC).isoformat(timespec="seconds")}
    folder = save_learned_fusion(fusion, out_dir, meta)
    targets = [t for t in ("emotion", "depression") if getattr(fusion, t) is not None]
    out.print(f"wrote {folder} ({', '.join(targets)}); use it with MINDKG_LEARNED_FUSION_DIR={folder}")
