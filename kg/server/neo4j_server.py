"""The project's own Neo4j Community 5.26 server, resolved from Maven Central.

`mindkg neo4j start|stop|status`. The server listens on loopback only, with auth on; the
password is set with neo4j-admin before the first start, so the default password never exists.
Neo4j Browser's guide and GraSS style are served next to it by kg.server.browser_assets.

Everything below works on a `ServerLayout` (home folder, ports, memory, read-only or not), so
the browse-only copy (kg.server.browse_copy) runs as a second DBMS through the same code; the
`start/stop/status(settings)` functions are the main server's layout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from contracts.settings import PROJECT_ROOT, ConfigError, Settings

NEO4J_VERSION = "5.26.30"
POM = PROJECT_ROOT / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
ASSETS_DIR = PROJECT_ROOT / "cypher" / "browser"
DEFAULT_DATABASE = "neo4j"


class Neo4jServerError(RuntimeError):
    """The server could not be resolved, configured, started or stopped."""


@dataclass(frozen=True)
class ServerLayout:
    """One Neo4j DBMS: its own home (conf, data, logs, run), ports and memory; shared jars.

    http_port None turns HTTP (and Browser) off, for a DBMS only our own code talks to.
    read_only makes the `neo4j` database refuse every write at the server level.
    jvm_options go before the class path (e.g. C1-only JIT for a short-lived loader);
    extra_config lines are appended to neo4j.conf.
    """

    home: Path
    lib: Path
    bolt_port: int
    http_port: int | None
    heap: str
    pagecache: str
    read_only: bool = False
    name: str = "Neo4j"
    jvm_options: tuple[str, ...] = ()
    extra_config: tuple[str, ...] = ()

    @property
    def assets_port(self) -> int | None:
        return None if self.http_port is None else self.http_port + 2

    @property
    def bolt_uri(self) -> str:
        return f"bolt://localhost:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://localhost:{self.http_port}/browser/" if self.http_port else ""


@dataclass(frozen=True)
class Login:
    """Credentials that check a server answers; `source` names where the password comes from."""

    user: str
    password: str = field(repr=False)
    source: str = "MINDKG_NEO4J_PASSWORD"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_ok: bool
    bolt_uri: str
    http_url: str
    home: Path
    detail: str


def lib_dir(settings: Settings) -> Path:
    return settings.neo4j_home / "lib"


def assets_port(settings: Settings) -> int:
    return settings.neo4j_http_port + 2


def main_layout(settings: Settings) -> ServerLayout:
    """The main server, as configured by MINDKG_* settings."""
    return ServerLayout(
        home=settings.neo4j_home,
        lib=lib_dir(settings),
        bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
    )


def main_login(settings: Settings) -> Login:
    return Login(settings.neo4j_user, settings.neo4j_password_value())


def ensure_jars(settings: Settings, *, quiet: bool = True) -> Path:
    """Resolve the server's class path with Maven once; a marker records the version."""
    lib = lib_dir(settings)
    marker = lib / f".resolved-{NEO4J_VERSION}"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(
            "Maven (mvn) is not installed: run scripts/setup.sh or apt-get install maven"
        )
    if shutil.which("java") is None:
        raise Neo4jServerError("Java 17 is not installed: apt-get install openjdk-17-jre-headless")
    tmp = lib.with_name("lib.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [
        mvn,
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={tmp}",
        "-DincludeScope=runtime",
    ]
    if quiet:
        cmd.insert(2, "-q")
    proc = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
    if proc.returncode != 0:
        raise Neo4jServerError(
            f"Maven could not resolve Neo4j {NEO4J_VERSION}:\n{proc.stdout}{proc.stderr}"
        )
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)
    marker.touch()
    return lib


def write_config(layout: ServerLayout) -> Path:
    """neo4j.conf for one layout; rewritten on every start so it follows the settings."""
    home = layout.home
    for sub in ("conf", "data", "logs", "run", "plugins", "import"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by MindKG on every start; edit settings through MINDKG_* instead.",
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{layout.bolt_port}",
        f"server.bolt.advertised_address=localhost:{layout.bolt_port}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        f"server.memory.heap.initial_size={layout.heap}",
        f"server.memory.heap.max_size={layout.heap}",
        f"server.memory.pagecache.size={layout.pagecache}",
        "db.tx_log.rotation.retention_policy=1 days",
        "dbms.usage_report.enabled=false",
    ]
    if layout.http_port is None:
        lines.append("server.http.enabled=false")
    else:
        assets = f"http://127.0.0.1:{layout.assets_port}"
        lines += [
            f"server.http.listen_address=127.0.0.1:{layout.http_port}",
            f"server.http.advertised_address=localhost:{layout.http_port}",
            # Browser: MindKG's style and guide on connect, fetched from the assets server.
            "browser.remote_content_hostname_whitelist=127.0.0.1,localhost",
            f"browser.post_connect_cmd=style {assets}/mindkg.grass; play {assets}/guide.html",
        ]
    if layout.read_only:
        # Every database refuses writes (the system database keeps its own rules: logins).
        lines += [
            "server.databases.default_to_read_only=true",
            f"server.databases.read_only={DEFAULT_DATABASE}",
        ]
    lines += layout.extra_config
    conf = home / "conf" / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def _java_env(layout: ServerLayout) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(layout.home)
    env["NEO4J_CONF"] = str(layout.home / "conf")
    return env


def set_initial_password(layout: ServerLayout, password: str) -> bool:
    """Before the first start only; returns False when the database already has users."""
    home = layout.home
    write_config(layout)  # neo4j-admin reads the data folder from it
    if (home / "data" / "dbms" / "auth.ini").exists() or (
        home / "data" / "databases" / "system"
    ).exists():
        return False
    if len(password) < 8:
        raise ConfigError("MINDKG_NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)")
    proc = subprocess.run(
        ["java", "-cp", f"{layout.lib}/*", ADMIN_TOOL, "dbms", "set-initial-password", password],
        env=_java_env(layout),
        capture_output=True,
        text=True,
        check=False,
        cwd=home,
    )
    if proc.returncode != 0:
        raise Neo4jServerError(f"could not set the initial password: {proc.stdout}{proc.stderr}")
    return True


def _pid_file(layout: ServerLayout, name: str = "neo4j") -> Path:
    return layout.home / "run" / f"{name}.pid"


def _read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def bolt_uri(settings: Settings) -> str:
    return main_layout(settings).bolt_uri


def _bolt_ok(layout: ServerLayout, login: Login) -> tuple[bool, str]:
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(
            layout.bolt_uri, auth=(login.user, login.password), connection_timeout=3.0
        ) as driver:
            driver.verify_connectivity()
        return True, "bolt answers"
    except AuthError:
        return False, f"bolt answers but rejects {login.source}"
    except (ServiceUnavailable, Neo4jError, OSError) as exc:
        return False, f"bolt not answering: {type(exc).__name__}"


def server_status(layout: ServerLayout, login: Login) -> ServerStatus:
    pid = _read_pid(_pid_file(layout))
    ok, detail = _bolt_ok(layout, login) if pid else (False, "not running")
    return ServerStatus(
        running=pid is not None,
        pid=pid,
        bolt_ok=ok,
        bolt_uri=layout.bolt_uri,
        http_url=layout.browser_url,
        home=layout.home,
        detail=detail,
    )


def status(settings: Settings) -> ServerStatus:
    return server_status(main_layout(settings), main_login(settings))


def _spawn(cmd: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )


def start_server(layout: ServerLayout, login: Login, *, timeout_s: float = 180.0) -> ServerStatus:
    """Configure and start one DBMS (and its Browser assets server); waits until `login` works.

    The jars and the initial password must already be in place (ensure_jars,
    set_initial_password).
    """
    current = server_status(layout, login)
    if current.running:
        if current.bolt_ok:
            return current
        raise Neo4jServerError(f"{layout.name} (pid {current.pid}) is running but {current.detail}")
    if not (layout.lib / f".resolved-{NEO4J_VERSION}").exists():
        raise Neo4jServerError(f"Neo4j {NEO4J_VERSION} jars are not resolved in {layout.lib}")
    write_config(layout)
    home = layout.home
    proc = _spawn(
        [
            "java",
            # The launcher script normally turns server.memory.heap.* into these flags; we
            # start the entry point directly, so we pass them ourselves.
            f"-Xms{layout.heap}",
            f"-Xmx{layout.heap}",
            "-Xss2m",
            "-XX:+UseG1GC",
            *layout.jvm_options,
            "-cp",
            f"{layout.lib}/*",
            ENTRY_POINT,
            f"--home-dir={home}",
            f"--config-dir={home / 'conf'}",
        ],
        home / "logs" / "console.log",
        _java_env(layout),
        home,
    )
    _pid_file(layout).write_text(str(proc.pid))
    if layout.assets_port is not None:
        assets = _spawn(
            [
                sys.executable,
                "-m",
                "kg.server.browser_assets",
                "--dir",
                str(ASSETS_DIR),
                "--port",
                str(layout.assets_port),
            ],
            home / "logs" / "assets.log",
            dict(os.environ),
            PROJECT_ROOT,
        )
        _pid_file(layout, "assets").write_text(str(assets.pid))
    deadline = time.monotonic() + timeout_s
    detail = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _pid_file(layout).unlink(missing_ok=True)
            stop_server(layout)
            tail = (home / "logs" / "console.log").read_text(errors="replace")[-3000:]
            raise Neo4jServerError(f"{layout.name} exited with status {proc.returncode}:\n{tail}")
        ok, detail = _bolt_ok(layout, login)
        if ok:
            return server_status(layout, login)
        if "rejects" in detail:
            stop_server(layout)
            raise Neo4jServerError(
                f"{layout.name} started but rejects {login.source} (the database was created "
                f"with another password; remove {home / 'data'} to start over)"
            )
        time.sleep(1.0)
    stop_server(layout)
    raise Neo4jServerError(
        f"{layout.name} did not answer on Bolt within {timeout_s:.0f}s ({detail})"
    )


def start(settings: Settings, *, timeout_s: float = 180.0) -> ServerStatus:
    """The main server: resolve jars, set the initial password on first start, start."""
    layout = main_layout(settings)
    login = main_login(settings)
    if server_status(layout, login).running:
        return start_server(layout, login, timeout_s=timeout_s)
    ensure_jars(settings)
    set_initial_password(layout, login.password)
    return start_server(layout, login, timeout_s=timeout_s)


def _terminate(pid: int, timeout_s: float) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reap if it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.3)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_server(layout: ServerLayout, *, timeout_s: float = 60.0) -> bool:
    """Stop one DBMS and its assets server; True when the DBMS was running."""
    stopped = False
    for name in ("assets", "neo4j"):
        pid_file = _pid_file(layout, name)
        pid = _read_pid(pid_file)
        if pid is not None:
            _terminate(pid, timeout_s)
            stopped = stopped or name == "neo4j"
        pid_file.unlink(missing_ok=True)
    return stopped


def stop(settings: Settings, *, timeout_s: float = 60.0) -> bool:
    return stop_server(main_layout(settings), timeout_s=timeout_s)
