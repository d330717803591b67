"""The project's own Neo4j Community 5.26 server, resolved from Maven Central.

`mindkg neo4j start|stop|status`. The server listens on loopback only, with auth on; the
password is set with neo4j-admin before the first start, so the default password never exists.
Neo4j Browser's guide and GraSS style are served next to it by kg.browser_assets.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kg.settings import PROJECT_ROOT, ConfigError, Settings

NEO4J_VERSION = "5.26.30"
POM = PROJECT_ROOT / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
ASSETS_DIR = PROJECT_ROOT / "cypher" / "browser"


class Neo4jServerError(RuntimeError):
    """The server could not be resolved, configured, started or stopped."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_ok: bool
    bolt_uri: str
    http_url: str
    home: Path
    detail: str


def _home(settings: Settings) -> Path:
    return settings.neo4j_home


def lib_dir(settings: Settings) -> Path:
    return _home(settings) / "lib"


def assets_port(settings: Settings) -> int:
    return settings.neo4j_http_port + 2


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


def write_config(settings: Settings) -> Path:
    home = _home(settings)
    conf_dir = home / "conf"
    for sub in ("conf", "data", "logs", "run", "plugins", "import"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    assets = f"http://127.0.0.1:{assets_port(settings)}"
    lines = [
        "# Written by `mindkg neo4j start`; edit settings through MINDKG_* instead.",
        "server.default_listen_address=127.0.0.1",
        f"server.bolt.listen_address=127.0.0.1:{settings.neo4j_bolt_port}",
        f"server.bolt.advertised_address=localhost:{settings.neo4j_bolt_port}",
        f"server.http.listen_address=127.0.0.1:{settings.neo4j_http_port}",
        f"server.http.advertised_address=localhost:{settings.neo4j_http_port}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"server.directories.data={home / 'data'}",
        f"server.directories.logs={home / 'logs'}",
        f"server.directories.run={home / 'run'}",
        f"server.directories.plugins={home / 'plugins'}",
        f"server.directories.import={home / 'import'}",
        f"server.memory.heap.initial_size={settings.neo4j_heap}",
        f"server.memory.heap.max_size={settings.neo4j_heap}",
        f"server.memory.pagecache.size={settings.neo4j_pagecache}",
        "db.tx_log.rotation.retention_policy=1 days",
        "dbms.usage_report.enabled=false",
        # Browser: MindKG's style and guide on connect, fetched from the assets server.
        "browser.remote_content_hostname_whitelist=127.0.0.1,localhost",
        f"browser.post_connect_cmd=style {assets}/mindkg.grass; play {assets}/guide.html",
    ]
    conf = conf_dir / "neo4j.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


def _java_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(_home(settings))
    env["NEO4J_CONF"] = str(_home(settings) / "conf")
    return env


def set_initial_password(settings: Settings) -> bool:
    """Before the first start only; returns False when the database already has users."""
    home = _home(settings)
    if (home / "data" / "dbms" / "auth.ini").exists() or (
        home / "data" / "databases" / "system"
    ).exists():
        return False
    password = settings.neo4j_password_value()
    if len(password) < 8:
        raise ConfigError("MINDKG_NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)")
    proc = subprocess.run(
        [
            "java",
            "-cp",
            f"{lib_dir(settings)}/*",
            ADMIN_TOOL,
            "dbms",
            "set-initial-password",
            password,
        ],
        env=_java_env(settings),
        capture_output=True,
        text=True,
        check=False,
        cwd=home,
    )
    if proc.returncode != 0:
        raise Neo4jServerError(f"could not set the initial password: {proc.stdout}{proc.stderr}")
    return True


def _pid_file(settings: Settings, name: str = "neo4j") -> Path:
    return _home(settings) / "run" / f"{name}.pid"


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
    return f"bolt://localhost:{settings.neo4j_bolt_port}"


def _bolt_ok(settings: Settings) -> tuple[bool, str]:
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(
            bolt_uri(settings),
            auth=(settings.neo4j_user, settings.neo4j_password_value()),
            connection_timeout=3.0,
        ) as driver:
            driver.verify_connectivity()
        return True, "bolt answers"
    except AuthError:
        return False, "bolt answers but rejects MINDKG_NEO4J_PASSWORD"
    except (ServiceUnavailable, Neo4jError, OSError) as exc:
        return False, f"bolt not answering: {type(exc).__name__}"


def status(settings: Settings) -> ServerStatus:
    pid = _read_pid(_pid_file(settings))
    ok, detail = _bolt_ok(settings) if pid else (False, "not running")
    return ServerStatus(
        running=pid is not None,
        pid=pid,
        bolt_ok=ok,
        bolt_uri=bolt_uri(settings),
        http_url=f"http://localhost:{settings.neo4j_http_port}/browser/",
        home=_home(settings),
        detail=detail,
    )


def _spawn(cmd: list[str], log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )


def start(settings: Settings, *, timeout_s: float = 180.0) -> ServerStatus:
    current = status(settings)
    if current.running:
        if current.bolt_ok:
            return current
        raise Neo4jServerError(f"Neo4j (pid {current.pid}) is running but {current.detail}")
    ensure_jars(settings)
    write_config(settings)
    set_initial_password(settings)
    home = _home(settings)
    proc = _spawn(
        [
            "java",
            "-Xss2m",
            "-XX:+UseG1GC",
            "-cp",
            f"{lib_dir(settings)}/*",
            ENTRY_POINT,
            f"--home-dir={home}",
            f"--config-dir={home / 'conf'}",
        ],
        home / "logs" / "console.log",
        _java_env(settings),
        home,
    )
    _pid_file(settings).write_text(str(proc.pid))
    assets = _spawn(
        [
            sys.executable,
            "-m",
            "kg.browser_assets",
            "--dir",
            str(ASSETS_DIR),
            "--port",
            str(assets_port(settings)),
        ],
        home / "logs" / "assets.log",
        dict(os.environ),
        PROJECT_ROOT,
    )
    _pid_file(settings, "assets").write_text(str(assets.pid))
    deadline = time.monotonic() + timeout_s
    detail = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (home / "logs" / "console.log").read_text(errors="replace")[-3000:]
            raise Neo4jServerError(f"Neo4j exited with status {proc.returncode}:\n{tail}")
        ok, detail = _bolt_ok(settings)
        if ok:
            return status(settings)
        if "rejects" in detail:
            stop(settings)
            raise Neo4jServerError(
                "Neo4j started but rejects MINDKG_NEO4J_PASSWORD (the database was created with "
                f"another password; remove {home / 'data'} to start over)"
            )
        time.sleep(1.0)
    stop(settings)
    raise Neo4jServerError(f"Neo4j did not answer on Bolt within {timeout_s:.0f}s ({detail})")


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


def stop(settings: Settings, *, timeout_s: float = 60.0) -> bool:
    stopped = False
    for name in ("assets", "neo4j"):
        pid_file = _pid_file(settings, name)
        pid = _read_pid(pid_file)
        if pid is not None:
            _terminate(pid, timeout_s)
            stopped = stopped or name == "neo4j"
        pid_file.unlink(missing_ok=True)
    return stopped
