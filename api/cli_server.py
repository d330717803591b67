"""CLI commands for the HTTP API: serve, worker, submit, keys, audit, timeline and trend.

`server_app` holds the top-level commands and `keys_app` the `keys` group; api/cli.py adds
them with `app.add_typer(server_app)` and `app.add_typer(keys_app, name="keys")`.
"""

from __future__ import annotations

import io
import json
import signal
import tarfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from api.cli_common import err, handles_errors, load_cli_settings, out

if TYPE_CHECKING:
    from contracts.settings import Settings

server_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
keys_app = typer.Typer(
    help="API keys: create (the secret is shown once), list, revoke.", no_args_is_help=True
)
def _auth(settings: Settings) -> Any:
    from api.auth.keys import AuthDB, auth_db_path

    return AuthDB(auth_db_path(settings.home))


# -- server ----------------------------------------------------------------------------------
@server_app.command()
@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="bind address (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="job worker threads (default MINDKG_WORKERS or 1)")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, max=32, help="HTTP processes, each with its own models (default "
            "MINDKG_HTTP_PROCESSES or 1); with the embedded queue one of them runs the job workers"
        ),
    ] = None,
) -> None:
    """Start the HTTP API (OpenAPI docs at /docs); job workers run in the same process."""
    import os
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from api.http.app import create_app

    settings = load_cli_settings()
    if workers is not None:
        settings.api = settings.api.model_copy(update={"workers": workers})
    if processes is not None:
        settings.api = settings.api.model_copy(update={"http_processes": processes})
    api = settings.api
    if api.http_processes == 1:
        if api.workers and not api.redis_url:  # one line, before uvicorn's lifespan traceback
            from api.jobs.runner import check_embedded_lock_free

            check_embedded_lock_free(settings)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    # Each process builds its app from the environment (api.http.app.app_from_env).
    os.environ["MINDKG_WORKERS"] = str(api.workers)
    os.environ["MINDKG_HTTP_PROCESSES"] = str(api.http_processes)
    config = uvicorn.Config(
        "api.http.app:app_from_env", factory=True, workers=api.http_processes,
        host=host, port=port, log_level="info",
    )
    sock = config.bind_socket()
    # uvicorn binds this socket with protocol 0, so asyncio does not set TCP_NODELAY on the
    # connections the processes accept: every response (head and body are two writes) then
    # waited ~40 ms for the client's delayed ACK. Accepted sockets inherit it on Linux.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


@server_app.command()
@handles_errors
def worker(
    threads: Annotated[int, typer.Option(min=1, max=16, help="worker threads")] = 1,
) -> None:
    """Run job workers without HTTP (scale out next to `serve`; needs MINDKG_REDIS_URL)."""
    from api.auth.keys import AuthDB, auth_db_path
    from api.jobs.queue import make_queue
    from api.jobs.runner import Runner
    from api.jobs.store import JobStore, jobs_db_path
    from contracts.settings import ConfigError

    settings = load_cli_settings()
    api = settings.api
    if not api.redis_url:
        raise ConfigError("`mindkg worker` shares a queue with the API: set MINDKG_REDIS_URL")
    auth = AuthDB(auth_db_path(settings.home))
    store = JobStore(jobs_db_path(settings.home))
    runner = Runner(settings, api, store, make_queue(store, api.redis_url), auth.bind_student)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    runner.start(threads)
    err.print(f"{threads} worker thread(s) waiting for jobs on {api.redis_url}")
    try:
        while not done.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    runner.stop()


@server_app.command()
@handles_errors
def submit(
    bundle: Annotated[Path, typer.Argument(help="session bundle folder")],
    url: Annotated[str, typer.Option(envvar="MINDKG_API_URL")] = "http://127.0.0.1:8000",
    key: Annotated[str, typer.Option(envvar="MINDKG_API_KEY", help="API key")] = "",
    timeout: Annotated[float, typer.Option(help="seconds to wait for the job")] = 300.0,
) -> None:
    """Upload a bundle to a running API, follow the job, print the result JSON."""
    import httpx

    if not key:
        raise ValueError("give --key or set MINDKG_API_KEY")
    if not bundle.is_dir():
        raise ValueError(f"{bundle} is not a bundle folder")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(bundle, arcname=bundle.name)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        result = _submit_and_follow(url, headers, bundle.name, buffer.getvalue(), timeout)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # no server there, a bad URL, a 5xx
        raise ValueError(f"cannot use the MindKG API at {url}: {exc}") from exc
    out.print_json(json.dumps(result, ensure_ascii=False))


def _submit_and_follow(
    url: str, headers: dict[str, str], name: str, archive: bytes, timeout: float
) -> Any:
    import httpx

    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        reply = client.post("/v1/sessions", files={"bundle": (f"{name}.tar.gz", archive)})
        if reply.status_code != 202:
            raise ValueError(f"upload refused ({reply.status_code}): {reply.text}")
        job = reply.json()
        deadline = time.monotonic() + timeout
        while job["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise ValueError(f"job {job['id']} still {job['status']} after {timeout}s")
            time.sleep(0.5)
            job = client.get(f"/v1/jobs/{job['id']}").raise_for_status().json()
            err.print(f"[dim]· {job['status']} {job['progress']:.0%} {job['message']}[/]")
        if job["status"] != "done":
            raise ValueError(f"job {job['id']} {job['status']}: {job['error']}")
        return client.get(f"/v1/jobs/{job['id']}/result").raise_for_status().json()


# -- keys and audit --------------------------------------------------------------------------
@keys_app.command("create")
@handles_errors
def keys_create(
    name: Annotated[str, typer.Argument(help="who or what uses the key")],
    role: Annotated[str, typer.Option(help="psychologist | app | researcher | admin")],
    center: Annotated[
        str | None, typer.Option(help="counseling center (psychologist and app keys)")
    ] = None,
) -> None:
    """Create a key and print it ONCE; only its salted hash is stored."""
    auth = _auth(load_cli_settings())
    record, secret = auth.create_key(name, role, center)
    err.print(f"created key {record.key_id} ({record.role}, center {record.center or '-'})")
    err.print("store it now: it cannot be shown again")
    print(secret)


@keys_app.command("list")
@handles_errors
def keys_list() -> None:
    """List keys (ids, roles, centers; never secrets)."""
    table = Table(title="API keys")
    for col in ("key id", "name", "role", "center", "created", "revoked"):
        table.add_column(col)
    for k in _auth(load_cli_settings()).list_keys():
        table.add_row(k.key_id, k.name, k.role, k.center or "", k.created_at, k.revoked_at or "")
    out.print(table)


@keys_app.command("revoke")
@handles_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="key id from `mindkg keys list`")],
) -> None:
    """Revoke a key at once; its audit entries stay."""
    record = _auth(load_cli_settings()).revoke(key_id)
    out.print(f"revoked {record.key_id} ({record.name}) at {record.revoked_at}")


@server_app.command()
@handles_errors
def audit(
    student: Annotated[str | None, typer.Option(help="only this student pseudonym")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the audit log of reads of student data (who, what, when)."""
    rows = _auth(load_cli_settings()).audit_entries(student=student, limit=limit)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="audit log")
    for col in ("seq", "at", "key", "role", "route", "student", "session", "outcome"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            *(str(r[c] or "") for c in ("seq", "at", "key_id", "role")),
            f"{r['method']} {r['route']}",
            str(r["student"] or ""),
            str(r["session"] or ""),
            str(r["outcome"]),
        )
    out.print(table)


# -- pictures --------------------------------------------------------------------------------
@server_app.command()
@handles_errors
def timeline(
    session_key: Annotated[str, typer.Argument(help="<student pseudonym>/<session id>")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the PNG and HTML")] = Path("."),
) -> None:
    """Write a session's timeline as PNG and self-contained HTML."""
    from api.plots import timeline_html, timeline_png
    from api.timeline import timeline_from_graph
    from kg.store.factory import open_store

    with open_store(load_cli_settings()) as graph:
        data = timeline_from_graph(graph, session_key)
    if data is None:
        raise ValueError(f"no session {session_key!r} in the graph (format: student/session)")
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = session_key.replace("/", "_")
    (out_dir / f"{stem}_timeline.png").write_bytes(timeline_png(data))
    (out_dir / f"{stem}_timeline.html").write_text(timeline_html(data), encoding="utf-8")
    out.print(f"wrote {out_dir / stem}_timeline.png and .html")


@server_app.command()
@handles_errors
def trend(
    student: Annotated[str, typer.Argument(help="student pseudonym (stu_...)")],
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the PNG and HTML")] = Path("."),
) -> None:
    """Write a student's trend across sessions (flagged after three rises in a row)."""
    from api.plots import trend_html, trend_png
    from api.timeline import trend_from_graph
    from kg.schema import STUDENT
    from kg.store.factory import open_store

    with open_store(load_cli_settings()) as graph:
        if graph.get_node(STUDENT, student) is None:
            raise ValueError(f"no student {student!r} in the graph")
        data = trend_from_graph(graph, student)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{student}_trend.png").write_bytes(trend_png(data))
    (out_dir / f"{student}_trend.html").write_text(trend_html(data), encoding="utf-8")
    out.print(f"wrote {out_dir / student}_trend.png and .html; flagged: {data.flagged}")
    for reason in data.flag_reasons:
        err.print(f"[bold red]flag:[/] {reason}")
