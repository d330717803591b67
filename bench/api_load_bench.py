"""Load bench: C concurrent clients POST feature texts to /v1/assessments (issue 13 point 6).

It starts `mindkg serve` itself (subprocess, loopback, fresh MINDKG_HOME with an app key) so
the numbers include real HTTP, auth (key hash lookup) and JSON validation, then runs a serial
baseline (one client) and the concurrent run on the same server, and reports for each:
latency percentiles, errors, throughput, the server's CPU per request (all its processes,
from /proc) and the load generator's own CPU per request, with the load average.

Each client is one keep-alive HTTP/1.1 connection sending its next request as soon as the
previous answer is read (a closed loop, like the issue's "50 clients x 30 s"). The client is
plain asyncio streams, not an HTTP library, so the load generator costs little CPU on the
same two cores: what is measured is the server.

Usage:  python bench/api_load_bench.py [--clients 50] [--seconds 30] [--baseline-seconds 10]
        [--processes 2]            # HTTP processes of `mindkg serve`
        [--project ../other-checkout]   # serve another version of the code (A/B)
        [--url http://127.0.0.1:8000 --key mk_...]   # a server you started (no server CPU)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# SYNTHETIC feature texts, shaped like the scale recognizer's output.
PAYLOAD = {
    "feature_texts": [
        {
            "modality": "scales",
            "kind": "scale_score",
            "instance": "PHQ9",
            "text": {"zh": "PHQ-9 总分 13，中度抑郁", "en": "PHQ-9 total 13, moderate depression"},
            "values": {
                "level": "moderate",
                "risk_level": "none",
                "concept_ids": ["scale:PHQ9", "severity:moderate"],
            },
        },
        {
            "modality": "scales",
            "kind": "scale_score",
            "instance": "SDS",
            "text": {"zh": "SDS 标准分 66，中度抑郁", "en": "SDS index 66, moderate depression"},
            "values": {"level": "moderate", "risk_level": "low"},
        },
    ]
}
EXPECTED = b'"depression_level":"moderate"'
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_cpu_s(pid: int) -> float:
    """user+sys CPU seconds of `pid` and all its descendants (live ones), from /proc."""
    children: dict[int, list[int]] = {}
    own: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        children.setdefault(ppid, []).append(int(entry))
        own[int(entry)] = (utime + stime) / CLK_TCK
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += own.get(current, 0.0)
        todo += children.get(current, [])
    return total


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_server(
    home: Path, processes: int, project: Path = ROOT
) -> tuple[subprocess.Popen[bytes], str, str]:
    sys.path.insert(0, str(ROOT))
    from api.auth.keys import AuthDB, auth_db_path

    auth = AuthDB(auth_db_path(home))
    _, key = auth.create_key("bench", "app", "bench-center")
    auth.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDKG_")}
    env.update(
        {"MINDKG_HOME": str(home), "MINDKG_PURPOSE": "counseling", "MINDKG_STORE": "embedded",
         "PYTHONPATH": str(project)}
    )
    for passed in ("MINDKG_CACHE_DIR", "MINDKG_CPU_THREADS", "MINDKG_WORKERS"):  # tuning under test
        if os.environ.get(passed):
            env[passed] = os.environ[passed]
    args = ["serve", "--port", str(port)]
    if processes > 1:
        args += ["--processes", str(processes)]
    code = f"from api.cli_server import server_app; server_app({args!r})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            reply = asyncio.run(_one_request(url, key))
            if reply[0] == 200:
                return proc, url, key
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not answer in 180 s")


def _request_bytes(url: str, key: str) -> bytes:
    parsed = urlparse(url)
    body = json.dumps(PAYLOAD, ensure_ascii=False).encode()
    head = (
        f"POST /v1/assessments HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length)
    return status, body


async def _one_request(url: str, key: str) -> tuple[int, bytes]:
    parsed = urlparse(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        writer.write(_request_bytes(url, key))
        return await _read_response(reader)
    finally:
        writer.close()


async def _client(
    url: str, request: bytes, until: float, latencies: list[float], errors: list[str]
) -> None:
    parsed = urlparse(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                writer.write(request)
                status, body = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
                continue
            latencies.append(time.perf_counter() - start)
            if status != 200 or EXPECTED not in body:
                errors.append(f"{status} {body[:120]!r}")
    finally:
        writer.close()


def run(url: str, key: str, clients: int, seconds: float, server_pid: int | None) -> dict:
    request = _request_bytes(url, key)
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        until = time.perf_counter() + seconds
        start = time.perf_counter()
        await asyncio.gather(
            *(_client(url, request, until, latencies, errors) for _ in range(clients))
        )
        return time.perf_counter() - start

    server0 = tree_cpu_s(server_pid) if server_pid else None
    client0 = self_cpu_s()
    wall = asyncio.run(main())
    client_cpu = self_cpu_s() - client0
    server_cpu = tree_cpu_s(server_pid) - server0 if server_pid and server0 is not None else None
    done = len(latencies)
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    report: dict[str, object] = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": done,
        "errors": len(errors),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(ms[-1], 1) if ms else None,
        "throughput_rps": round(done / wall, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / done, 2) if server_cpu else None,
        "client_cpu_ms_per_request": round(client_cpu * 1000 / max(done, 1), 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }
    if errors:
        report["first_errors"] = errors[:5]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--baseline-seconds", type=float, default=10.0, help="serial run first (0: none)"
    )
    parser.add_argument("--processes", type=int, default=1, help="HTTP processes of the server")
    parser.add_argument(
        "--project", type=Path, default=ROOT,
        help="the checkout whose `mindkg serve` to start (A/B against another version)",
    )
    parser.add_argument("--url")
    parser.add_argument("--key")
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory(prefix="mindkg-bench-") as tmp:
        if args.url:
            if not args.key:
                raise SystemExit("--url needs --key (an app, psychologist or admin key)")
            url, key, pid = args.url, args.key, None
        else:
            proc, url, key = start_server(Path(tmp), args.processes, args.project.resolve())
            pid = proc.pid
        try:
            for _ in range(20):  # warm-up, not counted
                asyncio.run(_one_request(url, key))
            report: dict[str, object] = {
                "project": str(args.project),
                "processes": args.processes,
                "cores": os.cpu_count(),
                "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            }
            if args.baseline_seconds:
                report["serial"] = run(url, key, 1, args.baseline_seconds, pid)
            report["concurrent"] = run(url, key, args.clients, args.seconds, pid)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
