"""A browse-only copy of the graph: a second Neo4j Community DBMS whose database is read-only.

Why: Community 5.26 has no roles, so every login on the main server can write. Psychologists
who browse in Neo4j Browser get their own login (`mindkg_browser`, a random password in
`$MINDKG_HOME/secrets/`) on a separate DBMS started with `server.databases.read_only=neo4j`:
the server itself refuses every write, whoever asks.

A refresh builds a new copy beside the served one (own folder, HTTP off, a free loopback Bolt
port, a one-time loader password that is never stored), copies the main graph over Bolt in
UNWIND batches (nodes with labels and properties, relationships with types and properties, the
schema from cypher/schema.cypher), creates the browsing login, drops the loader login, stops,
swaps the folders and starts the copy read-only with the same Browser guide and style as the
main server. A failed refresh leaves the served copy as it was.
"""

from __future__ import annotations

import fcntl
import re
import secrets
import shutil
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.settings import Settings
from kg.cypher_files import schema_statements
from kg.server.neo4j_server import (
    DEFAULT_DATABASE,
    Login,
    Neo4jServerError,
    ServerLayout,
    ServerStatus,
    lib_dir,
    main_layout,
    main_login,
    server_status,
    set_initial_password,
    start_server,
    stop_server,
)

BROWSE_USER = "mindkg_browser"
PASSWORD_FILE = "neo4j-browse.password"
DEFAULT_HEAP = "384m"
DEFAULT_PAGECACHE = "64m"
BATCH_SIZE = 2000
# Bookkeeping on the copy while it is built (removed before it is served).
_COPY_LABEL = "MindkgCopyInProgress"
_COPY_KEY = "mindkg_copy_eid"
_COPY_INDEX = "mindkg_copy_eid"
_LOADER_USER = "neo4j"
_BOLT_QUIET_PERIOD = "internal.dbms.bolt.netty_server_shutdown_quiet_period"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

Progress = Callable[[str], None]


class BrowseCopyError(Neo4jServerError):
    """The browse-only copy could not be built, started or checked."""


@dataclass(frozen=True)
class BrowseCopy:
    """Where the copy lives and listens, and where its browsing password is kept."""

    layout: ServerLayout
    password_file: Path
    user: str = BROWSE_USER


@dataclass(frozen=True)
class Source:
    """The running main server the copy is read from."""

    uri: str
    login: Login
    database: str = DEFAULT_DATABASE


@dataclass
class CopyReport:
    nodes: int = 0
    relationships: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    schema_statements: int = 0


def browse_copy(
    settings: Settings,
    *,
    bolt_port: int | None = None,
    http_port: int | None = None,
    heap: str = DEFAULT_HEAP,
    pagecache: str = DEFAULT_PAGECACHE,
    lib: Path | None = None,
) -> BrowseCopy:
    """The copy of `settings`' main server. Ports: the arguments, else the settings
    `neo4j_browse_bolt_port`/`neo4j_browse_http_port` (so `start` and `status` find a copy
    refreshed on other ports), else the main ports + 1 (7688, 7475)."""
    main = main_layout(settings)
    bolt = bolt_port or settings.neo4j_browse_bolt_port or main.bolt_port + 1
    http = http_port or settings.neo4j_browse_http_port or settings.neo4j_http_port + 1
    layout = ServerLayout(
        home=settings.home / "neo4j-browse",
        lib=lib if lib is not None else lib_dir(settings),
        bolt_port=bolt,
        http_port=http,
        heap=heap,
        pagecache=pagecache,
        read_only=True,
        name="Browse-only Neo4j copy",
        # Neo4j 5.26's Bolt shutdown waits a 5 s quiet period twice; a browse copy has
        # nothing in flight worth waiting for, and it is stopped on every refresh.
        extra_config=(f"{_BOLT_QUIET_PERIOD}=1",),
        # C1-only JIT: the copy restarts on every refresh and serves small interactive reads;
        # on our loaded 2-core machine it started in ~18 s instead of ~30 s.
        jvm_options=("-XX:TieredStopAtLevel=1",),
    )
    ours = {bolt, http, http + 2}
    taken = {main.bolt_port, settings.neo4j_http_port, settings.neo4j_http_port + 2}
    if len(ours) != 3 or ours & taken or not all(1 <= p <= 65535 for p in ours):
        raise BrowseCopyError(
            f"browse copy ports bolt {bolt}, http {http}, assets {http + 2} must be distinct, "
            f"valid, and apart from the main server's {sorted(taken)}"
        )
    return BrowseCopy(layout=layout, password_file=settings.secrets_dir / PASSWORD_FILE)


def main_source(settings: Settings) -> Source:
    """The configured main server: MINDKG_NEO4J_URI, else the project's own server."""
    uri = settings.neo4j_uri or main_layout(settings).bolt_uri
    return Source(uri=uri, login=main_login(settings), database=settings.neo4j_database)


def browse_password(copy: BrowseCopy, *, create: bool = False) -> str:
    """The browsing login's password, kept owner-only next to the other secrets."""
    path = copy.password_file
    if path.is_file():
        password = path.read_text(encoding="utf-8").strip()
        if len(password) < 8:
            raise BrowseCopyError(f"{path} holds no usable password (Neo4j needs 8+ characters)")
        return password
    if not create:
        raise BrowseCopyError(
            f"no browse copy password at {path}: run `mindkg neo4j browse-copy refresh` first"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    password = secrets.token_hex(24)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(password + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    tmp.rename(path)
    return password


def browse_login(copy: BrowseCopy) -> Login:
    return Login(copy.user, browse_password(copy), source=f"the password in {copy.password_file}")


def check_identifier(name: str, what: str) -> str:
    """Labels and types from the data are spliced into Cypher (no parameters exist for them)."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or name == _COPY_LABEL:
        raise BrowseCopyError(
            f"{what} {name!r} is not a plain identifier ([A-Za-z][A-Za-z0-9_]*): not copied"
        )
    return name


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _driver(uri: str, login: Login) -> Any:
    from neo4j import GraphDatabase

    return GraphDatabase.driver(
        uri, auth=(login.user, login.password), connection_timeout=10.0,
        max_transaction_retry_time=5.0,
    )


def _batches(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_write(dst: Any, query: str, rows: list[dict[str, Any]]) -> int:
    records, _, _ = dst.execute_query(query, rows=rows, database_=DEFAULT_DATABASE)
    return int(records[0]["written"]) if records else 0


def _copy_nodes(src: Any, source: Source, dst: Any, report: CopyReport) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)

    def flush(labels: tuple[str, ...]) -> None:
        rows = groups.pop(labels, [])
        if not rows:
            return
        spliced = "".join(f":`{lab}`" for lab in labels)
        query = (
            f"UNWIND $rows AS row CREATE (n:`{_COPY_LABEL}`{spliced}) "
            f"SET n = row.props, n.`{_COPY_KEY}` = row.eid RETURN count(n) AS written"
        )
        if _run_write(dst, query, rows) != len(rows):
            raise BrowseCopyError("the copy did not create every node of a batch")
        report.nodes += len(rows)

    with src.session(database=source.database, default_access_mode="READ") as session:
        result = session.run(
            "MATCH (n) RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props"
        )
        for record in result:
            props = dict(record["props"])
            if _COPY_KEY in props:
                raise BrowseCopyError(f"a main-server node has the reserved property {_COPY_KEY}")
            labels = tuple(sorted(check_identifier(lab, "label") for lab in record["labels"]))
            for lab in labels:
                report.labels[lab] = report.labels.get(lab, 0) + 1
            groups[labels].append({"eid": record["eid"], "props": props})
            if len(groups[labels]) >= BATCH_SIZE:
                flush(labels)
    for labels in list(groups):
        flush(labels)


def _copy_relationships(src: Any, source: Source, dst: Any, report: CopyReport) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def flush(rel_type: str) -> None:
        rows = groups.pop(rel_type, [])
        if not rows:
            return
        query = (
            f"UNWIND $rows AS row "
            f"MATCH (a:`{_COPY_LABEL}` {{`{_COPY_KEY}`: row.src}}) "
            f"MATCH (b:`{_COPY_LABEL}` {{`{_COPY_KEY}`: row.dst}}) "
            f"CREATE (a)-[r:`{rel_type}`]->(b) SET r = row.props RETURN count(r) AS written"
        )
        written = _run_write(dst, query, rows)
        if written != len(rows):
            raise BrowseCopyError(
                f"{len(rows) - written} {rel_type} relationship(s) point at nodes that were not "
                "copied (the main graph changed during the refresh): refresh again"
            )
        report.relationships += len(rows)
        report.types[rel_type] = report.types.get(rel_type, 0) + len(rows)

    with src.session(database=source.database, default_access_mode="READ") as session:
        result = session.run(
            "MATCH (a)-[r]->(b) RETURN elementId(a) AS src, elementId(b) AS dst, "
            "type(r) AS type, properties(r) AS props"
        )
        for record in result:
            rel_type = check_identifier(record["type"], "relationship type")
            groups[rel_type].append(
                {"src": record["src"], "dst": record["dst"], "props": dict(record["props"])}
            )
            if len(groups[rel_type]) >= BATCH_SIZE:
                flush(rel_type)
    for rel_type in list(groups):
        flush(rel_type)


def copy_graph(source: Source, dst_uri: str, dst_login: Login) -> CopyReport:
    """Copy every node and relationship of `source` into an EMPTY writable database."""
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    report = CopyReport()
    try:
        with _driver(source.uri, source.login) as src, _driver(dst_uri, dst_login) as dst:
            src.verify_connectivity()
            existing, _, _ = dst.execute_query("MATCH (n) RETURN count(n) AS c LIMIT 1")
            if existing and existing[0]["c"]:
                raise BrowseCopyError("the copy's database is not empty; refusing to merge into it")
            for statement in schema_statements():
                dst.execute_query(statement, database_=DEFAULT_DATABASE)
                report.schema_statements += 1
            dst.execute_query(
                f"CREATE INDEX `{_COPY_INDEX}` IF NOT EXISTS "
                f"FOR (n:`{_COPY_LABEL}`) ON (n.`{_COPY_KEY}`)",
                database_=DEFAULT_DATABASE,
            )
            dst.execute_query("CALL db.awaitIndexes(120)", database_=DEFAULT_DATABASE)
            _copy_nodes(src, source, dst, report)
            _copy_relationships(src, source, dst, report)
            with dst.session(database=DEFAULT_DATABASE) as session:
                session.run(
                    f"MATCH (n:`{_COPY_LABEL}`) CALL (n) {{ REMOVE n:`{_COPY_LABEL}` "
                    f"REMOVE n.`{_COPY_KEY}` }} IN TRANSACTIONS OF 10000 ROWS"
                ).consume()
            dst.execute_query(f"DROP INDEX `{_COPY_INDEX}`", database_=DEFAULT_DATABASE)
            _check_counts(dst, report)
    except (Neo4jError, ServiceUnavailable, OSError) as exc:
        raise BrowseCopyError(f"copying the graph failed: {type(exc).__name__}: {exc}") from exc
    return report


def _check_counts(dst: Any, report: CopyReport) -> None:
    nodes, _, _ = dst.execute_query("MATCH (n) RETURN count(n) AS c", database_=DEFAULT_DATABASE)
    rels, _, _ = dst.execute_query(
        "MATCH ()-[r]->() RETURN count(r) AS c", database_=DEFAULT_DATABASE
    )
    got = (int(nodes[0]["c"]), int(rels[0]["c"]))
    if got != (report.nodes, report.relationships):
        raise BrowseCopyError(
            f"the copy holds {got[0]} nodes and {got[1]} relationships, expected "
            f"{report.nodes} and {report.relationships}"
        )


def _hand_over_logins(uri: str, loader: Login, browser: Login) -> None:
    """Create the browsing login, then drop the loader's: the copy ends with one login."""
    with _driver(uri, loader) as driver:
        driver.execute_query(
            f"CREATE USER `{check_identifier(browser.user, 'user name')}` "
            "SET PASSWORD $password CHANGE NOT REQUIRED",
            password=browser.password,
            database_="system",
        )
    with _driver(uri, browser) as driver:
        driver.execute_query(f"DROP USER `{loader.user}`", database_="system")


def check_source(source: Source) -> None:
    """Fail before starting a JVM when the main server cannot be read."""
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    try:
        with _driver(source.uri, source.login) as driver, driver.session(
            database=source.database, default_access_mode="READ"
        ) as session:
            session.run("RETURN 1").consume()  # no retries: a typo should fail at once
    except (Neo4jError, ServiceUnavailable, OSError) as exc:
        raise BrowseCopyError(
            f"cannot read the main server {source.uri} (database {source.database}): {exc}"
        ) from exc


def _build_dir(copy: BrowseCopy) -> Path:
    return copy.layout.home.with_name(copy.layout.home.name + ".building")


@contextmanager
def _refresh_lock(copy: BrowseCopy) -> Iterator[None]:
    """One refresh at a time: two would share the build folder."""
    path = copy.layout.home.with_name(copy.layout.home.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BrowseCopyError(f"another refresh of {copy.layout.home} is running") from exc
        yield


def refresh(copy: BrowseCopy, source: Source, *, progress: Progress | None = None) -> CopyReport:
    """Rebuild the copy from the running main server and serve it read-only."""
    with _refresh_lock(copy):
        return _refresh(copy, source, progress or (lambda _msg: None))


def _refresh(copy: BrowseCopy, source: Source, say: Progress) -> CopyReport:
    target = urlsplit(source.uri)
    if target.hostname in ("localhost", "127.0.0.1", "::1") and target.port == copy.layout.bolt_port:
        raise BrowseCopyError(f"the source {source.uri} is the browse copy itself")
    check_source(source)
    browser = Login(copy.user, browse_password(copy, create=True), source=str(copy.password_file))
    loader = Login(_LOADER_USER, secrets.token_hex(24), source="the one-time loader password")
    build = replace(
        copy.layout, home=_build_dir(copy), bolt_port=_free_port(), http_port=None,
        read_only=False, name="Browse copy (building)",
    )
    shutil.rmtree(build.home, ignore_errors=True)
    try:
        say(f"building a new copy in {build.home} (writable, Bolt on {build.bolt_port}, no HTTP)")
        set_initial_password(build, loader.password)
        start_server(build, loader)
        say(f"copying {source.uri} (database {source.database})")
        report = copy_graph(source, build.bolt_uri, loader)
        say(f"copied {report.nodes} nodes, {report.relationships} relationships")
        _hand_over_logins(build.bolt_uri, loader, browser)
        stop_server(build)
    except BaseException:
        stop_server(build)
        shutil.rmtree(build.home, ignore_errors=True)
        raise
    home = copy.layout.home
    old = home.with_name(home.name + ".old")
    say("swapping in the new copy")
    stop_server(copy.layout)
    shutil.rmtree(old, ignore_errors=True)
    if home.exists():
        home.rename(old)
    build.home.rename(home)
    shutil.rmtree(old, ignore_errors=True)
    say("starting it read-only")
    start(copy)
    return report


def start(copy: BrowseCopy, *, timeout_s: float = 180.0) -> ServerStatus:
    """Serve the last refreshed copy, read-only; checks the database really is read-only."""
    if not (copy.layout.home / "data" / "databases" / DEFAULT_DATABASE).is_dir():
        raise BrowseCopyError(
            f"no browse copy in {copy.layout.home}: run `mindkg neo4j browse-copy refresh`"
        )
    login = browse_login(copy)
    st = start_server(copy.layout, login, timeout_s=timeout_s)
    state, access = database_state(copy, login)
    if access != "read-only" or state != "online":
        stop_server(copy.layout)
        raise BrowseCopyError(
            f"the copy's {DEFAULT_DATABASE} database is {state}, {access}: expected online, "
            "read-only; stopped it"
        )
    return st


def database_state(copy: BrowseCopy, login: Login) -> tuple[str, str]:
    """(currentStatus, access) of the copy's database, as the server reports them."""
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    try:
        with _driver(copy.layout.bolt_uri, login) as driver:
            for _ in range(60):  # the database may still be coming online after Bolt answers
                records, _, _ = driver.execute_query(
                    "SHOW DATABASE $name YIELD currentStatus, access",
                    name=DEFAULT_DATABASE,
                    database_="system",
                )
                if not records:
                    return "missing", "unknown"
                state, access = str(records[0]["currentStatus"]), str(records[0]["access"])
                if state != "starting":
                    return state, access
                time.sleep(0.5)
            return state, access
    except (Neo4jError, ServiceUnavailable, OSError) as exc:
        raise BrowseCopyError(f"cannot read the copy's database state: {exc}") from exc


def stop(copy: BrowseCopy) -> bool:
    return stop_server(copy.layout)


def status(copy: BrowseCopy) -> tuple[ServerStatus, str]:
    """Server status plus the database's state, e.g. 'online, read-only'."""
    try:
        login = browse_login(copy)
    except BrowseCopyError as exc:
        st = server_status(copy.layout, Login(copy.user, "", source="no password"))
        return st, str(exc)
    st = server_status(copy.layout, login)
    if not st.bolt_ok:
        return st, "database not reachable"
    state, access = database_state(copy, login)
    return st, f"{DEFAULT_DATABASE} database {state}, {access}"
