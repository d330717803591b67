"""The browse-only copy, against real servers: the test Neo4j (scripts/test.sh) is the main
server; a second Neo4j DBMS is built from it on free loopback ports and served read-only.

One refresh per module (two JVM starts, ~60 s on a loaded 2-core machine); the copy is
stopped in the fixture's teardown even when a test fails. The student graph is synthetic.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from neo4j.exceptions import AuthError, ClientError

from contracts.settings import Settings, load_settings
from kg.cypher_files import CYPHER_DIR, schema_statements
from kg.graph_model import Edge, Node
from kg.server.browse_copy import (
    BROWSE_USER,
    BrowseCopy,
    BrowseCopyError,
    CopyReport,
    Source,
    browse_copy,
    browse_password,
    refresh,
    status,
    stop,
)
from kg.server.neo4j_server import Login, ensure_jars
from kg.store.neo4j_store import Neo4jGraphStore
from neo4j import Driver, GraphDatabase
from tests.conftest import SHARED_CACHE, _neo4j_or_skip, _wipe

pytestmark = pytest.mark.neo4j
READ_ONLY_CODE = "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase"


def _synthetic_student_graph() -> tuple[list[Node], list[Edge]]:
    """A synthetic student with two sessions, feature texts, concepts and an assessment."""
    stu = "stu_synthetic01"
    nodes = [
        Node("Student", stu, {"cohort": "2025", "synthetic": True}),
        Node("Concept", "emotion:sadness", {"name_zh": "悲伤", "name_en": "sadness",
                                            "type": "Emotion", "aliases": ["难过", "伤心"]},
             extra_labels=("Emotion",)),
        Node("Concept", "risk:moderate", {"name_zh": "中度风险", "name_en": "moderate risk",
                                          "type": "RiskLevel"}, extra_labels=("RiskLevel",)),
        Node("Concept", "severity:SDS:moderate", {"name_en": "SDS moderate", "type": "Severity"},
             extra_labels=("Severity",)),
    ]
    edges: list[Edge] = []
    for s in (1, 2):
        session = f"{stu}/s{s}"
        nodes += [
            Node("Session", session, {"session": f"s{s}", "recorded_at": f"2025-10-0{s}T10:00:00"}),
            Node("FeatureText", f"{session}/scale_score/SDS",
                 {"modality": "scales", "kind": "scale_score", "text_zh": "SDS 标准分 63",
                  "score": 63.0 + s, "items": [1, 2, 3]}),
            Node("FeatureText", f"{session}/micro_expression",
                 {"modality": "video", "kind": "micro_expression", "text_en": "AU4 + AU15"}),
            Node("Assessment", f"{session}/assessment",
                 {"depression_level": "moderate", "suicide_risk": "moderate", "confidence": 0.7}),
        ]
        edges += [
            Edge("HAS_SESSION", "Student", stu, "Session", session),
            Edge("HAS_FEATURE", "Session", session, "FeatureText", f"{session}/scale_score/SDS"),
            Edge("HAS_FEATURE", "Session", session, "FeatureText", f"{session}/micro_expression"),
            Edge("ALIGNED_TO", "FeatureText", f"{session}/scale_score/SDS", "Concept",
                 "severity:SDS:moderate", {"score": 1.0, "method": "recognizer", "rank": 1}),
            Edge("ALIGNED_TO", "FeatureText", f"{session}/micro_expression", "Concept",
                 "emotion:sadness", {"score": 0.61, "method": "joint_space", "rank": 1}),
            Edge("HAS_ASSESSMENT", "Session", session, "Assessment", f"{session}/assessment"),
            Edge("EVIDENCE_FOR", "FeatureText", f"{session}/scale_score/SDS", "Assessment",
                 f"{session}/assessment", {"claim": "depression_level"}),
            Edge("EVIDENCE_FOR", "Concept", "risk:moderate", "Assessment",
                 f"{session}/assessment", {"claim": "suicide_risk"}),
        ]
    return nodes, edges


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports() -> tuple[int, int]:
    """A Bolt port and an HTTP port whose +2 (Browser assets) is free too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        bolt = int(sock.getsockname()[1])
    for http in range(27400, 27800, 7):
        if http != bolt and all(_port_is_free(p) for p in (http, http + 2)):
            return bolt, http
    raise RuntimeError("no free HTTP port pair for the browse copy")


def _snapshot(store: Neo4jGraphStore) -> tuple[list[object], list[object]]:
    return list(store.iter_nodes()), list(store.iter_edges())


def _users(driver: Driver) -> list[str]:
    records, _, _ = driver.execute_query("SHOW USERS YIELD user", database_="system")
    return sorted(r["user"] for r in records)


@dataclass
class Built:
    copy: BrowseCopy
    report: CopyReport
    main: Neo4jGraphStore
    main_login: Login
    main_before: tuple[list[object], list[object]]
    main_users: list[str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    uri, user, password = _neo4j_or_skip()
    main = Neo4jGraphStore(uri, user, password)
    main.ping()
    _wipe(main)
    main.ensure_schema()
    nodes, edges = _synthetic_student_graph()
    main.write(nodes, edges)
    home = tmp_path_factory.mktemp("browse") / "home"
    bolt, http = _free_ports()
    # The jars of the server scripts/test.sh started ($MINDKG_HOME), shared, not re-resolved.
    lib = ensure_jars(load_settings())
    settings = Settings(home=home, cache_dir=SHARED_CACHE)
    copy = browse_copy(settings, bolt_port=bolt, http_port=http, heap="256m", lib=lib)
    login = Login(user, password)
    with GraphDatabase.driver(uri, auth=(user, password)) as admin:
        main_users = _users(admin)
    before = _snapshot(main)
    try:
        report = refresh(copy, Source(uri=uri, login=login))
        yield Built(copy, report, main, login, before, main_users)
    finally:
        stop(copy)
        main.close()


@pytest.fixture(scope="module")
def browser(built: Built) -> Iterator[Driver]:
    """The psychologist's login on the copy."""
    password = browse_password(built.copy)
    with GraphDatabase.driver(
        built.copy.layout.bolt_uri, auth=(BROWSE_USER, password), max_transaction_retry_time=0
    ) as driver:
        yield driver


def test_the_browsing_user_reads_the_same_graph(built: Built) -> None:
    copy_store = Neo4jGraphStore(
        built.copy.layout.bolt_uri, BROWSE_USER, browse_password(built.copy)
    )
    try:
        assert copy_store.count_by_label() == built.main.count_by_label()
        assert copy_store.count_by_type() == built.main.count_by_type()
        assert _snapshot(copy_store) == _snapshot(built.main)  # labels, keys, every property
    finally:
        copy_store.close()
    assert built.report.nodes == 12 and built.report.relationships == 16
    st, database = status(built.copy)
    assert st.bolt_ok and database == "neo4j database online, read-only"


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE (:Student {id: 'stu_intruder'})",
        "MATCH (s:Student) SET s.note = 'edited in Browser'",
        "MATCH (a:Assessment) DETACH DELETE a",
        "MERGE (:Student {id: 'stu_merged'})",
        "MATCH (f:FeatureText) REMOVE f:FeatureText",
        "CREATE INDEX student_note IF NOT EXISTS FOR (n:Student) ON (n.note)",
        "DROP CONSTRAINT student_id",
        "DROP INDEX concept_names",
    ],
    ids=["create", "set", "delete", "merge", "remove-label", "create-index", "drop-constraint",
         "drop-index"],
)
def test_every_write_is_refused_by_the_server(browser: Driver, statement: str) -> None:
    with pytest.raises(ClientError) as refused:
        browser.execute_query(statement, database_="neo4j")
    assert refused.value.code == READ_ONLY_CODE, refused.value.message


def test_writes_stay_refused_in_write_transactions(browser: Driver) -> None:
    with browser.session(database="neo4j") as session, pytest.raises(ClientError) as refused:
        session.execute_write(lambda tx: tx.run("CREATE (:Session {id: 'x'})").consume())
    assert refused.value.code == READ_ONLY_CODE


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("ALTER DATABASE neo4j SET ACCESS READ WRITE",
         "Neo.ClientError.Statement.UnsupportedAdministrationCommand"),
        ("CALL dbms.setConfigValue('server.databases.read_only', '')",
         "Neo.ClientError.Procedure.ProcedureNotFound"),
    ],
    ids=["alter-database", "set-config-value"],
)
def test_the_database_cannot_be_switched_back_to_writable(
    browser: Driver, statement: str, code: str
) -> None:
    """Community has neither command; the read-only setting comes from neo4j.conf alone."""
    with pytest.raises(ClientError) as refused:
        browser.execute_query(statement, database_="system")
    assert refused.value.code == code, refused.value.message


def test_schema_was_copied_and_the_copy_has_one_login(built: Built, browser: Driver) -> None:
    records, _, _ = browser.execute_query("SHOW INDEXES YIELD name", database_="neo4j")
    names = {r["name"] for r in records}
    expected = {s.split()[2] for s in schema_statements() if s.split()[1] in ("CONSTRAINT", "INDEX")}
    expected |= {s.split()[3] for s in schema_statements() if s.startswith("CREATE FULLTEXT")}
    assert expected and expected <= names
    assert "mindkg_copy_eid" not in names
    assert _users(browser) == [BROWSE_USER]


def test_main_credentials_do_not_open_the_copy(built: Built) -> None:
    for user in (built.main_login.user, BROWSE_USER):
        with GraphDatabase.driver(
            built.copy.layout.bolt_uri, auth=(user, built.main_login.password)
        ) as driver, pytest.raises(AuthError):
            driver.verify_connectivity()
    assert browse_password(built.copy) != built.main_login.password
    assert built.copy.password_file.stat().st_mode & 0o777 == 0o600


def test_main_server_is_unchanged(built: Built) -> None:
    assert _snapshot(built.main) == built.main_before
    with GraphDatabase.driver(
        built.main.uri, auth=(built.main_login.user, built.main_login.password)
    ) as admin:
        assert _users(admin) == built.main_users
        records, _, _ = admin.execute_query("SHOW DATABASE neo4j YIELD access", database_="system")
        assert records[0]["access"] == "read-write"


def test_browser_serves_the_same_guide_and_style(built: Built) -> None:
    layout = built.copy.layout
    conf = (layout.home / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    assets = f"http://127.0.0.1:{layout.assets_port}"
    assert f"browser.post_connect_cmd=style {assets}/mindkg.grass; play {assets}/guide.html" in conf
    for name in ("mindkg.grass", "guide.html"):
        with urllib.request.urlopen(f"{assets}/{name}", timeout=10) as resp:
            assert resp.read() == (CYPHER_DIR / "browser" / name).read_bytes()
    with urllib.request.urlopen(layout.browser_url, timeout=10) as resp:
        assert resp.status == 200 and b"Neo4j Browser" in resp.read()


def test_a_failed_refresh_keeps_the_served_copy(built: Built, browser: Driver) -> None:
    """Last in this module: a label that is not an identifier stops the refresh before it is
    spliced into Cypher; the half-built copy is removed and the served one keeps serving."""
    pid_before = status(built.copy)[0].pid
    with built.main._session() as session:
        session.run("CREATE (:`Bad-Label` {id: 'synthetic-bad'})").consume()
    try:
        with pytest.raises(BrowseCopyError, match="'Bad-Label' is not a plain identifier"):
            refresh(built.copy, Source(uri=built.main.uri, login=built.main_login))
    finally:
        with built.main._session() as session:
            session.run("MATCH (n:`Bad-Label`) DELETE n").consume()
    assert not built.copy.layout.home.with_name("neo4j-browse.building").exists()
    st, database = status(built.copy)
    assert st.pid == pid_before and database == "neo4j database online, read-only"
    records, _, _ = browser.execute_query("MATCH (n) RETURN count(n) AS c", database_="neo4j")
    assert records[0]["c"] == built.report.nodes
