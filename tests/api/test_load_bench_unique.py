"""The load bench's `--unique` requests against a live `mindkg serve` (real HTTP): every one
answered 200 with an assessment, every speech text new, the server's CPU counted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.auth.keys import AuthDB, auth_db_path
from contracts.feature_text import Bilingual, FeatureText
from tests.api.conftest import Server

ROOT = Path(__file__).resolve().parents[2]


def test_unique_requests_are_answered_over_http(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from api_load_bench import _NEW, NewClauses, Requests, run

    home = tmp_path / "home"
    home.mkdir()
    auth = AuthDB(auth_db_path(home))
    _, key = auth.create_key("bench", "app", "center-a")
    auth.close()
    scale = FeatureText(modality="scales", kind="scale_score",
                        text=Bilingual(zh="PHQ-9 总分 12，中度抑郁", en="PHQ-9 total 12, moderate"),
                        values={"level": "moderate"}, instance="PHQ9")
    speech = FeatureText(modality="audio", kind="speech_content",
                         text=Bilingual(zh=f"言语内容：负面（0.12）。学生说：“最近睡不好{_NEW}”",
                                        en="Speech content: negative (0.12)"),
                         values={"polarity": "negative", "symptoms": ["sleep"]})
    body = json.dumps({"feature_texts": [scale.model_dump(mode="json"),
                                         speech.model_dump(mode="json")]},
                      ensure_ascii=False).encode()
    server = Server(home).start()
    try:
        assert server.proc is not None
        requests = Requests(server.url, key, [body], NewClauses(0))
        report = run(3, 1.5, server.proc.pid, requests, processes=1)
    finally:
        server.stop()
    assert report["errors"] == 0, report.get("first_errors")
    assert isinstance(report["requests"], int) and report["requests"] > 0
    assert report["new_speech_texts"] == report["requests"] == requests.new_texts
    assert requests.clauses is not None and len(requests.clauses.seen) == requests.new_texts
    cpu = report["server_cpu_ms_per_request"]
    assert cpu is None or float(str(cpu)) > 0
