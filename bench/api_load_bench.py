"""Load bench: C concurrent clients POST feature texts to /v1/assessments (issue 13 point 6).

It starts `mindkg serve` itself (subprocess, loopback, MINDKG_HOME a fresh empty one or
`--home`, e.g. a seeded one, with an app key) so the numbers include real HTTP, auth (key
hash lookup) and JSON validation, then runs a serial baseline (one client) and the concurrent
run on the same server, and reports for each: latency percentiles, errors, throughput, the
server's CPU per request (all its processes, from /proc), the load generator's own CPU per
request, the load average, and the hit rate of the servers' alignment caches (from
/v1/health/ready of each HTTP process).

Requests are VARIED: each takes the next body from a seeded pool (`--pool`, SYNTHETIC): PHQ-9
and SDS answers drawn at random and scored by the real scale recognizer (ingest.scales), and,
in two bodies of three, a synthetic transcript of 1-4 sentences through the real speech
content recognizer (ingest.audio: polarity, symptoms, risk phrases). So the feature texts
differ as a center's do, and a cache keyed by them is measured, not flattered; run the server
with MINDKG_ALIGN_CACHE_SIZE=0 to measure it without.

`--unique`: every request's free text is NEW, as a center's transcripts are (they never
repeat): each speech feature text carries its own transcript, composed from SYNTHETIC clauses
with varied slots (times, people, places and two of the 600 polarity seed words) and never
repeated in the run, so its alignment is never served from the cache. Scale texts may repeat,
as they do in reality. The pool then holds one body per request (`--pool` at least the
requests the run will make; the report says if any body was sent twice).

Each client is one keep-alive HTTP/1.1 connection sending its next request as soon as the
previous answer is read (a closed loop, like the issue's "50 clients x 30 s"). The client is
plain asyncio streams, not an HTTP library, so the load generator costs little CPU on the
same two cores: what is measured is the server.

Usage:  python bench/api_load_bench.py [--clients 50] [--seconds 30] [--baseline-seconds 10]
        [--processes 2]            # HTTP processes of `mindkg serve`
        [--home ~/.mindkg]         # serve this home (e.g. seeded; an app key is added to it)
        [--pool 300 --pool-seed 0] # the varied request bodies
        [--unique --pool 8000]     # every speech text new (one body per request)
        [--project ../other-checkout]   # serve another version of the code (A/B)
        [--url http://127.0.0.1:8000 --key mk_...]   # a server you started (no server CPU)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
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
EXPECTED = b'"depression_level":"'
# SYNTHETIC transcript sentences (written for this bench, no real session): everyday talk,
# symptoms the content recognizer knows, and now and then a risk phrase.
SENTENCES = (
    "最近睡不好，晚上翻来覆去到两三点才睡着。", "早上醒得特别早，醒了就再也睡不着。",
    "吃饭没什么胃口，体重掉了好几斤。", "整天都觉得很累，做什么都提不起劲。",
    "以前喜欢打球，现在一点兴趣都没有了。", "上课的时候注意力很难集中，老是走神。",
    "觉得自己什么都做不好，挺没用的。", "有时候觉得活着没什么意思。",
    "心里一直很紧张，总担心考试考砸。", "这周和室友一起去看了电影，还挺开心的。",
    "和家里人打电话聊了聊，感觉轻松了一些。", "周末去图书馆复习，效率还可以。",
    "最近心情比较低落，经常一个人待着。", "我没有想过要伤害自己。",
    "有时候会想，如果我不在了大家会不会更好。", "作业太多了，压力很大，但还能应付。",
    "跟朋友出去吃饭，聊得很开心。", "一想到未来就觉得没有希望。",
)


# SYNTHETIC slots of the --unique transcripts' clauses.
_WHEN = ("昨天", "前天晚上", "这周一", "周三下午", "上个周末", "期中考试前", "放假回家那几天",
         "开学以后", "上个月", "最近两周", "今天早上", "国庆节期间", "考完四级之后", "军训的时候")
_WHO = ("室友", "妈妈", "爸爸", "辅导员", "同班同学", "高中的朋友", "男朋友", "女朋友", "导师",
        "社团的学长", "表姐", "外婆", "实验室的师兄", "篮球队的队友")
_WHERE = ("宿舍", "图书馆", "食堂", "操场", "实验室", "家里", "教室", "校医院", "咖啡店", "地铁上")
# One clause is one run of Han characters (what the tokenizer cuts as one block) with two
# independent word slots, so clauses hardly ever repeat, as in real talk.
_TEMPLATES = (
    "{when}在{where}的时候我觉得很{word}也有点{word2}。", "{when}和{who}聊到{word}的事心里{word2}。",
    "{who}说我最近看起来{word}其实我是{word2}。", "{when}睡得不好醒来以后还是{word}又{word2}。",
    "这几天一直在想{who}说的{word}觉得{word2}。", "在{where}待了一下午感觉{word}而且{word2}。",
    "{when}跑完步之后{word}了一点但还是{word2}。", "和{who}吵了一架到现在还是{word}和{word2}。",
    "我跟{who}说我{word}{who}让我别太{word2}。", "{when}去{where}的路上一直{word}又{word2}。",
)


def _seed_words() -> list[str]:
    """The polarity seed words (data/lexicon/polarity_seeds.tsv): 600 everyday words."""
    rows = (ROOT / "data" / "lexicon" / "polarity_seeds.tsv").read_text(encoding="utf-8")
    return [line.split("\t")[0] for line in rows.splitlines()
            if line and not line.startswith("#") and "\t" in line]


class NewClauses:
    """SYNTHETIC clauses of what a student said, never the same twice (see the module
    docstring): 1-3 templated clauses, now and then with one of the symptom sentences."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = _seed_words()
        self.seen: set[str] = set()

    def next(self) -> str:
        rng = self.rng
        while True:
            clauses = [rng.choice(_TEMPLATES).format(
                when=rng.choice(_WHEN), who=rng.choice(_WHO), where=rng.choice(_WHERE),
                word=rng.choice(self.words), word2=rng.choice(self.words))
                for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                clauses.insert(rng.randrange(len(clauses) + 1), rng.choice(SENTENCES))
            text = "".join(clauses)
            if text not in self.seen:
                self.seen.add(text)
                return text


# Where --unique puts each request's new clauses: inside the speech text's quote.
_NEW = "<<new clauses>>"


def payload_pool(size: int, seed: int, *, unique: bool = False) -> list[bytes]:
    """`size` request bodies, drawn with `seed` (see the module docstring); `unique`: each
    speech feature text ends with a quote of the transcript and a place (`_NEW`) for the new
    clauses `Requests` puts there (the same bodies otherwise)."""
    sys.path.insert(0, str(ROOT))
    from ingest.audio.analyze import analyze_speech
    from ingest.scales import scale_feature_texts
    from kg.ontology.scale_definitions import INSTRUMENTS

    rng = random.Random(seed)
    bodies: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="mindkg-bench-pool-") as tmp:
        transcript = Path(tmp) / "transcript.txt"
        for n in range(size):
            severity = rng.random()  # one student's: their items go together, with noise
            answers = {
                name: [round(item.min_answer + (item.max_answer - item.min_answer)
                             * min(1.0, max(0.0, rng.gauss(severity, 0.25))))
                       for item in (INSTRUMENTS[name].item(i)
                                    for i in range(1, INSTRUMENTS[name].n_items + 1))]
                for name in ("PHQ9", "SDS")
            }
            features = [f.model_dump(mode="json", exclude_none=True)
                        for f in scale_feature_texts(answers)]
            if n % 3:
                said = "".join(rng.sample(SENTENCES, rng.randint(1, 4)))
                transcript.write_text(said, encoding="utf-8")
                speech = analyze_speech(None, transcript_path=transcript, progress=False)
                for feature in speech.feature_texts:
                    item = feature.model_dump(mode="json", exclude_none=True)
                    if unique:  # the summary and what was said
                        item["text"]["zh"] += f"。学生说：“{said}{_NEW}”"
                    features.append(item)
            bodies.append(json.dumps({"feature_texts": features}, ensure_ascii=False).encode())
    return bodies


class Requests:
    """The requests of a run in turn: the pool's bodies round-robin; with `unique`, each speech
    text gets clauses never sent before, so its alignment cannot come from a cache."""

    def __init__(self, url: str, key: str, bodies: list[bytes],
                 clauses: NewClauses | None = None) -> None:
        self.url, self.key = url, key
        self.parts = [body.split(_NEW.encode()) for body in bodies]
        self.clauses = clauses
        self.turn = 0
        self.new_texts = 0

    def body(self) -> bytes:
        parts = self.parts[self.turn % len(self.parts)]
        self.turn += 1
        if len(parts) == 1:
            return parts[0]
        if self.clauses is None:
            raise ValueError("a body with a place for new clauses needs `unique`")
        self.new_texts += 1
        return json.dumps(self.clauses.next(), ensure_ascii=False)[1:-1].encode().join(parts)

    def next(self) -> bytes:
        return _request_bytes(self.url, self.key, self.body())


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
    home: Path, processes: int, probe: bytes, project: Path = ROOT
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
    for passed in ("MINDKG_CACHE_DIR", "MINDKG_CPU_THREADS", "MINDKG_WORKERS",
                   "MINDKG_ALIGN_CACHE_SIZE"):  # tuning under test
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
            reply = asyncio.run(_one_request(url, key, probe))
            if reply[0] == 200:
                return proc, url, key
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not answer in 180 s")


def _request_bytes(url: str, key: str, body: bytes) -> bytes:
    parsed = urlparse(url)
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


async def _one_request(url: str, key: str, body: bytes) -> tuple[int, bytes]:
    parsed = urlparse(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        writer.write(_request_bytes(url, key, body))
        return await _read_response(reader)
    finally:
        writer.close()


async def _ready(url: str) -> bytes:
    parsed = urlparse(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        writer.write(f"GET /v1/health/ready HTTP/1.1\r\nHost: {parsed.netloc}\r\n\r\n".encode())
        return (await _read_response(reader))[1]
    finally:
        writer.close()


def cache_counts(url: str, processes: int, tries: int = 40) -> dict[str, list[int]]:
    """process -> [hits, misses] of the alignment cache, from the readiness of each HTTP
    process (new connections land on either process; `tries` of them to see them all)."""
    seen: dict[str, list[int]] = {}
    for _ in range(tries):
        try:
            checks = json.loads(asyncio.run(_ready(url))).get("checks", {})
        except (OSError, ValueError):
            continue
        found = re.match(r"(\d+) hits, (\d+) misses.*process (\w+)", checks.get("align_cache", ""))
        if found:
            seen[found.group(3)] = [int(found.group(1)), int(found.group(2))]
        if len(seen) >= processes:
            break
    return seen


def _cache_report(before: dict[str, list[int]], after: dict[str, list[int]]) -> dict[str, object]:
    both = set(before) & set(after)
    hits = sum(after[p][0] - before[p][0] for p in both)
    misses = sum(after[p][1] - before[p][1] for p in both)
    return {"align_cache_hits": hits, "align_cache_misses": misses,
            "align_cache_hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
            "align_cache_processes_seen": len(both)}


async def _client(
    url: str, requests: Requests, until: float, latencies: list[float], errors: list[str],
) -> None:
    parsed = urlparse(url)
    reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
    try:
        while time.perf_counter() < until:
            request = requests.next()
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


def run(clients: int, seconds: float, server_pid: int | None, requests: Requests,
        processes: int) -> dict:
    url = requests.url
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        until = time.perf_counter() + seconds
        start = time.perf_counter()
        await asyncio.gather(
            *(_client(url, requests, until, latencies, errors) for _ in range(clients))
        )
        return time.perf_counter() - start

    counts0 = cache_counts(url, processes)
    new0 = requests.new_texts
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
    if requests.clauses is not None:
        report["new_speech_texts"] = requests.new_texts - new0
    report.update(_cache_report(counts0, cache_counts(url, processes)))
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
    parser.add_argument("--home", type=Path,
                        help="serve this MINDKG_HOME (e.g. a seeded one) instead of a fresh one")
    parser.add_argument("--pool", type=int, default=300, help="distinct request bodies")
    parser.add_argument("--pool-seed", type=int, default=0)
    parser.add_argument(
        "--unique", action="store_true",
        help="every speech text new: never served from the alignment cache (scale texts repeat)",
    )
    parser.add_argument("--url")
    parser.add_argument("--key")
    args = parser.parse_args()
    proc = None
    bodies = payload_pool(args.pool, args.pool_seed, unique=args.unique)
    clauses = NewClauses(args.pool_seed) if args.unique else None
    with tempfile.TemporaryDirectory(prefix="mindkg-bench-") as tmp:
        if args.url:
            if not args.key:
                raise SystemExit("--url needs --key (an app, psychologist or admin key)")
            url, key, pid = args.url, args.key, None
        else:
            home = args.home.resolve() if args.home else Path(tmp)
            proc, url, key = start_server(home, args.processes, bodies[0], args.project.resolve())
            pid = proc.pid
        try:
            warm = Requests(url, key, bodies[::-1][:20], clauses)
            for _ in range(20):  # warm-up, not counted (the pool's last bodies)
                asyncio.run(_one_request(url, key, warm.body()))
            requests = Requests(url, key, bodies, clauses)
            report: dict[str, object] = {
                "project": str(args.project),
                "processes": args.processes,
                "cores": os.cpu_count(),
                "loadavg_before": [round(x, 2) for x in os.getloadavg()],
                "home": str(args.home) if args.home else ("external" if args.url else "empty"),
                "pool": args.pool,
                "unique": args.unique,
                "align_cache_size": os.environ.get("MINDKG_ALIGN_CACHE_SIZE", "default"),
            }
            if args.baseline_seconds:
                report["serial"] = run(1, args.baseline_seconds, pid, requests, args.processes)
            report["concurrent"] = run(args.clients, args.seconds, pid, requests, args.processes)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
