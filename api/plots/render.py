"""Rendering timelines and trends. PNGs use English labels (CJK fonts are not guaranteed on a
server); the HTML pages embed the PNG and list every feature text in Chinese and English."""

from __future__ import annotations

import base64
import html
import io
import threading

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from api.timeline import LANES, SessionTimeline, Trend

_LOCK = threading.Lock()  # pyplot's state is global; one figure at a time
_TITLES = {
    "micro_expression": "Micro-expressions (video)",
    "speech_polarity": "Speech polarity (content)",
    "prosody": "Prosody (intonation, rate)",
    "session_measures": "Session-level measures (scales)",
}
_DISCLAIMER = "Decision support for a qualified professional, not a diagnosis."


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def timeline_png(timeline: SessionTimeline) -> bytes:
    timed = [e for e in timeline.events if e.start_s is not None]
    horizon = max([e.end_s or e.start_s or 0.0 for e in timed] + [1.0])
    with _LOCK:
        fig, axes = plt.subplots(len(LANES), 1, figsize=(9, 7), constrained_layout=True)
        for ax, lane in zip(axes, LANES, strict=True):
            events = timeline.lane(lane)
            ax.set_title(_TITLES[lane], loc="left", fontsize=9)
            if not events:
                ax.text(
                    0.5,
                    0.5,
                    "not in this session",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                    color="grey",
                )
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            if lane == "session_measures":
                labels = [e.label for e in events]
                values = [e.value if e.value is not None else 0.0 for e in events]
                colors = [
                    "#c0392b" if v >= 2 / 3 else "#e67e22" if v > 0 else "#27ae60" for v in values
                ]
                ax.barh(labels, values, color=colors)
                for y, e in enumerate(events):
                    ax.text(0.01, y, e.text.en, va="center", fontsize=7)
                ax.set_xlim(0, 1)
                ax.set_xticks([0, 1 / 3, 2 / 3, 1], ["none", "mild", "moderate", "severe"])
                continue
            for e in events:
                start = e.start_s if e.start_s is not None else 0.0
                end = e.end_s if e.end_s is not None else start
                value = e.value if e.value is not None else 0.0
                color = "#c0392b" if value > 0 else "#2980b9" if value < 0 else "#7f8c8d"
                ax.plot(
                    [start, max(end, start + horizon / 200)],
                    [value, value],
                    color=color,
                    linewidth=4,
                    solid_capstyle="butt",
                )
            ax.set_xlim(0, horizon)
            ax.set_xlabel("seconds into the session", fontsize=8)
            if lane != "prosody":
                ax.set_ylim(-1.2, 1.2)
                ax.set_yticks([-1, 0, 1], ["positive", "neutral", "negative"])
        fig.suptitle(
            f"Session {timeline.session_key}  ({timeline.recorded_at})\n{_DISCLAIMER}", fontsize=9
        )
        return _png(fig)


def trend_png(trend: Trend) -> bytes:
    with _LOCK:
        fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
        xs = list(range(len(trend.points)))
        names = sorted({n for p in trend.points for n in p.indicators})
        for name in names:
            ys = [p.indicators.get(name) for p in trend.points]
            ax.plot(xs, [y if y is not None else float("nan") for y in ys], marker="o", label=name)
        index = [p.index if p.index is not None else float("nan") for p in trend.points]
        ax.plot(xs, index, color="black", linewidth=2.5, marker="s", label="negative-affect index")
        ax.set_xticks(
            xs, [p.recorded_at[:10] or p.session_key for p in trend.points], rotation=30, fontsize=8
        )
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("0 = none ... 1 = severe / all negative")
        if not trend.points:
            ax.text(0.5, 0.5, "no sessions", ha="center", transform=ax.transAxes)
        title = f"Student {trend.student}: {len(trend.points)} session(s)"
        if trend.flagged:
            title += f"\nFLAG: {'; '.join(trend.flag_reasons)}"
            ax.set_facecolor("#fdecea")
        ax.set_title(title, fontsize=9, color="#c0392b" if trend.flagged else "black")
        ax.legend(fontsize=7, loc="upper left")
        return _png(fig)


def _page(title: str, png: bytes, body: str) -> str:
    data = base64.b64encode(png).decode()
    return (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        ".flag{color:#c0392b;font-weight:bold}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><em>{html.escape(_DISCLAIMER)}</em></p>"
        f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>{body}</body></html>"
    )


def timeline_html(timeline: SessionTimeline) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(e.lane)}</td><td>{_span(e.start_s, e.end_s)}</td>"
        f"<td>{html.escape(e.text.zh)}</td><td>{html.escape(e.text.en)}</td></tr>"
        for e in timeline.events
    )
    table = (
        "<h2>Feature texts</h2><table><tr><th>lane</th><th>time (s)</th><th>中文</th>"
        f"<th>English</th></tr>{rows}</table>"
    )
    return _page(f"Session {timeline.session_key}", timeline_png(timeline), table)


def trend_html(trend: Trend) -> str:
    flag = "".join(f"<p class='flag'>⚑ {html.escape(r)}</p>" for r in trend.flag_reasons)
    rows = "".join(
        f"<tr><td>{html.escape(p.session_key)}</td><td>{html.escape(p.recorded_at)}</td>"
        f"<td>{'' if p.index is None else f'{p.index:.2f}'}</td>"
        f"<td>{html.escape(', '.join(f'{k}={v:.2f}' for k, v in sorted(p.indicators.items())))}"
        "</td></tr>"
        for p in trend.points
    )
    table = (
        "<h2>Sessions</h2><table><tr><th>session</th><th>recorded</th><th>index</th>"
        f"<th>indicators</th></tr>{rows}</table>"
    )
    return _page(f"Trend of student {trend.student}", trend_png(trend), flag + table)


def _span(start: float | None, end: float | None) -> str:
    if start is None:
        return "whole session"
    return f"{start:.1f}–{end:.1f}" if end is not None else f"{start:.1f}"
