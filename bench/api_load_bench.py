"""Load bench: N concurrent feature-text -> assessment requests against a running MindKG API.

By default it starts `mindkg serve` itself (subprocess, loopback, fresh MINDKG_HOME with an
app key) so the numbers include real HTTP, auth (key hash lookup) and JSON validation.
Usage:  .venv/bin/python bench/api_load_bench.py [--requests 50] [--concurrency 50]
        [--baseline 100]   # first N serial requests on the same server, reported beside
        [--url http://127.0.0.1:8000 --key mk_...]   # against a server you started
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    sys.path.insert(0, str(ROOT))
    from api.auth.keys import AuthDB, auth_db_path

    auth = AuthDB(auth_db_path(home))
    _, key = auth.create_key("bench", "app", "bench-center")
    auth.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDKG_")}
    env.update(
        {"MINDKG_HOME": str(home), "MINDKG_PURPOSE": "counseling", "MINDKG_STORE": "embedded"}
    )
    code = f"from api.cli_server import server_app; server_app(['serve', '--port', '{port}'])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health/ready", timeout=1).status_code == 200:
                return proc, url, key
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become ready in 60 s")


async def run(url: str, key: str, requests: int, concurrency: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=60
    ) as client:
        await client.post("/v1/assessments", json=PAYLOAD)  # warm-up, not counted

        async def one() -> tuple[float, int]:
            async with gate:
                start = time.perf_counter()
                try:
                    reply = await client.post("/v1/assessments", json=PAYLOAD)
                    ok = (
                        reply.status_code == 200
                        and reply.json()["assessment"]["depression_level"] == "moderate"
                    )
                    status = reply.status_code if ok else -reply.status_code
                except httpx.HTTPError:
                    status = 0
                return time.perf_counter() - start, status

        wall = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(requests)))
        wall = time.perf_counter() - wall
    latencies = sorted(ms * 1000 for ms, _ in results)
    errors = sum(1 for _, status in results if status != 200)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": requests,
        "concurrency": concurrency,
        "errors": errors,
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "max_ms": round(latencies[-1], 1),
        "wall_s": round(wall, 3),
        "throughput_rps": round(requests / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--baseline", type=int, default=0, help="serial requests first, on the same server"
    )
    parser.add_argument("--url")
    parser.add_argument("--key")
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory(prefix="mindkg-bench-") as tmp:
        if args.url:
            if not args.key:
                raise SystemExit("--url needs --key (an app, psychologist or admin key)")
            url, key = args.url, args.key
        else:
            proc, url, key = start_server(Path(tmp))
        try:
            report: dict[str, object] = {}
            if args.baseline:
                report["serial"] = asyncio.run(run(url, key, args.baseline, 1))
            loaded = asyncio.run(run(url, key, args.requests, args.concurrency))
            report = {**report, "concurrent": loaded} if report else loaded
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(15)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
