"""Timelines and trends: the flag rule, the pictures, and the CLI that writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_server import server_app
from api.pipeline import analyze_bundle
from api.plots import timeline_html, timeline_png, trend_html, trend_png
from api.timeline import build_timeline, build_trend, rising_run, trend_from_graph
from contracts.feature_text import Bilingual, FeatureText
from contracts.settings import Settings
from kg.store.factory import open_store
from tests.api.conftest import SAMPLES, seed_concepts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _scale(level: str, risk: str = "none") -> FeatureText:
    """SYNTHETIC scale observation for trend tests."""
    total = {"none": 3, "mild": 7, "moderate": 12, "severe": 20}[level]
    return FeatureText(
        modality="scales",
        kind="scale_score",
        instance="PHQ9",
        text=Bilingual(zh=f"合成 {level}", en=f"synthetic {level}"),
        values={"instrument": "PHQ9", "raw_total": total, "index": None, "level": level,
                "risk_level": risk},
    )


def _micro(start: float, negative: bool) -> FeatureText:
    """SYNTHETIC micro-expression event (the video recognizer's concept ids)."""
    return FeatureText(
        modality="video",
        kind="micro_expression",
        instance=f"me{start}",
        text=Bilingual(zh="合成微表情", en="synthetic micro-expression"),
        values={"concept_ids": ["me_class:negative" if negative else "me_class:positive"],
                "me_class": "negative" if negative else "positive"},
        start_s=start,
        end_s=start + 0.4,
    )


@pytest.mark.parametrize(
    ("series", "flag"),
    [
        ([0.1, 0.2, 0.3, 0.4], True),  # three rises in a row
        ([0.1, 0.2, 0.3], False),  # only two rises
        ([0.4, 0.1, 0.2, 0.3, 0.5], True),
        ([0.1, 0.2, 0.3, 0.4, 0.3], False),  # the run turned around: latest change is a fall
        ([0.1, 0.2, 0.2, 0.3], False),  # a plateau breaks the run
        ([0.1, None, 0.2, 0.3, 0.4], True),  # sessions without the indicator are skipped
    ],
)
def test_rising_run(series: list[float | None], flag: bool) -> None:
    assert rising_run(series, 3) is flag


def test_trend_flags_three_rising_sessions() -> None:
    levels = ["none", "mild", "moderate", "severe"]
    sessions = [
        (f"stu_x/w0{i}", f"2026-03-0{i}T10:00:00+08:00", [_scale(lv), _micro(1.0, i > 1)])
        for i, lv in enumerate(levels, start=1)
    ]
    trend = build_trend("stu_x", list(reversed(sessions)))  # order comes from recorded_at
    assert [p.session_key for p in trend.points] == [s[0] for s in sessions]
    assert trend.flagged
    assert any("scale_severity" in r for r in trend.flag_reasons)
    calm = build_trend("stu_x", sessions[:3])
    assert not calm.flagged
    assert [p.scales for p in trend.points] == [{"PHQ9": float(i)} for i in (3, 7, 12, 20)]
    assert [p.indicators["negative_expressions"] for p in trend.points] == [0, 1, 1, 1]
    page = trend_html(trend)
    assert "⚑" in page and "data:image/png;base64," in page and "量表严重程度" in page
    assert trend_png(trend).startswith(PNG_MAGIC)


def test_timeline_pictures_from_a_sample_session(settings: Settings) -> None:
    seed_concepts(settings)
    with open_store(settings) as store:
        result = analyze_bundle(SAMPLES / "zh_w01_moderate", settings, store)
    features = [FeatureText(**f.model_dump(exclude={"id"})) for f in result.feature_texts]
    timeline = build_timeline(
        result.session_key, result.recorded_at, [*features, _micro(2.0, True)]
    )
    assert len(timeline.scales) == 3 and not timeline.summaries  # side panel, not the axis
    assert [(e.start_s, e.me_class) for e in timeline.face_events] == [(2.0, "negative")]
    png = timeline_png(timeline)
    assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    page = timeline_html(timeline)
    assert "SDS 标准分 66" in page and "src='http" not in page and "<script" not in page


def test_cli_writes_timeline_and_trend(settings: Settings, tmp_path: Path) -> None:
    seed_concepts(settings)
    with open_store(settings) as store:
        first = analyze_bundle(SAMPLES / "zh_w01_moderate", settings, store)
        analyze_bundle(SAMPLES / "zh_w02_worse", settings, store)
        trend = trend_from_graph(store, first.student)
    assert len(trend.points) == 2 and not trend.flagged  # two sessions cannot rise 3 times
    # labels name the instrument's band as the feature text does (PHQ-9 17: moderately
    # severe), not the coarse level it maps to ("severe")
    assert trend.points[1].scale_levels["PHQ9"] == "moderately_severe"
    env = {"MINDKG_HOME": str(settings.home), "MINDKG_STORE": "embedded"}
    out = tmp_path / "pictures"
    runner = CliRunner()
    run = runner.invoke(server_app, ["timeline", first.session_key, "--out", str(out)], env=env)
    assert run.exit_code == 0, run.output
    run = runner.invoke(server_app, ["trend", first.student, "--out", str(out)], env=env)
    assert run.exit_code == 0, run.output
    names = sorted(p.name for p in out.iterdir())
    stem = first.session_key.replace("/", "_")
    assert names == sorted(
        [
            f"{stem}_timeline.png",
            f"{stem}_timeline.html",
            f"{first.student}_trend.png",
            f"{first.student}_trend.html",
        ]
    )
    assert (out / f"{first.student}_trend.png").read_bytes().startswith(PNG_MAGIC)
    missing = runner.invoke(server_app, ["trend", "stu_00000000000000000000"], env=env)
    assert missing.exit_code == 2 and "no student" in missing.output
    # --out naming an existing file: one line and exit 2, not a FileExistsError traceback
    taken = tmp_path / "taken.txt"
    taken.write_text("x")
    for out_arg in (taken, taken / "sub"):
        run = runner.invoke(server_app, ["trend", first.student, "--out", str(out_arg)], env=env)
        assert run.exit_code == 2 and "Traceback" not in run.output, run.output
        assert str(taken) in run.output
