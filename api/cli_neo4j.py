"""`mindkg neo4j …`: the project's own Neo4j server and its browse-only copy."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.cli_common import handles_errors, load_cli_settings, open_cli_store, out, progress_line

neo4j_app = typer.Typer(
    help="Run the project's own Neo4j Community 5.26 server on loopback.", no_args_is_help=True
)

@neo4j_app.command("start")
@handles_errors
def neo4j_start() -> None:
    """Resolve Neo4j from Maven Central (once), configure it and start it; waits for Bolt."""
    from kg.server.neo4j_server import start

    settings = load_cli_settings()
    settings.neo4j_password_value()
    st = start(settings)
    out.print(f"Neo4j running (pid {st.pid}): {st.bolt_uri}  Browser: {st.http_url}")


@neo4j_app.command("stop")
@handles_errors
def neo4j_stop() -> None:
    """Stop the project's Neo4j server."""
    from kg.server.neo4j_server import stop

    out.print("Neo4j stopped" if stop(load_cli_settings()) else "Neo4j was not running")


@neo4j_app.command("status")
@handles_errors
def neo4j_status() -> None:
    """Show whether the project's Neo4j server runs and answers on Bolt (exit 1 if not)."""
    from kg.server.neo4j_server import status

    st = status(load_cli_settings())
    out.print(
        f"running: {st.running}  pid: {st.pid}  bolt: {st.bolt_uri} ({st.detail})  home: {st.home}"
    )
    if not st.bolt_ok:
        raise typer.Exit(1)


@neo4j_app.command("schema")
@handles_errors
def neo4j_schema() -> None:
    """Apply cypher/schema.cypher (constraints and indexes) to the configured store."""
    settings = load_cli_settings()
    with open_cli_store(settings) as store:
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
    from kg.server.browse_copy import DEFAULT_HEAP, browse_copy

    return browse_copy(
        load_cli_settings(), bolt_port=bolt_port, http_port=http_port, heap=heap or DEFAULT_HEAP
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
    from kg.server.browse_copy import check_source, main_source, refresh, status
    from kg.server.neo4j_server import ensure_jars

    settings = load_cli_settings()
    copy = _browse_copy(bolt_port, http_port, heap)
    source = main_source(settings)
    check_source(source)
    ensure_jars(settings)
    report = refresh(copy, source, progress=progress_line)
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
    from kg.server.browse_copy import start

    copy = _browse_copy(bolt_port, http_port, heap)
    _print_browse_copy(copy, start(copy).pid)


@browse_app.command("stop")
@handles_errors
def browse_copy_stop() -> None:
    """Stop the browse-only copy (its data stays for the next start)."""
    from kg.server.browse_copy import stop

    copy = _browse_copy(None, None)
    out.print("browse copy stopped" if stop(copy) else "browse copy was not running")


@browse_app.command("status")
@handles_errors
def browse_copy_status(bolt_port: BoltPort = None, http_port: HttpPort = None) -> None:
    """Whether the copy runs, answers the browsing login, and is read-only (exit 1 if not)."""
    from kg.server.browse_copy import status

    copy = _browse_copy(bolt_port, http_port)
    st, database = status(copy)
    out.print(
        f"running: {st.running}  pid: {st.pid}  bolt: {st.bolt_uri} ({st.detail}; {database})  "
        f"Browser: {st.http_url}  login: {copy.user}  password file: {copy.password_file}"
    )
    if not (st.bolt_ok and database.endswith("online, read-only")):
        raise typer.Exit(1)


