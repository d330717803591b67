"""Rendering timelines and trends as PNG (matplotlib, Agg) and self-contained HTML.

Figures are built on matplotlib's object API (no pyplot state); one lock still serialises
them because the font settings (rcParams) are process-wide.
"""

from __future__ import annotations

import base64
import html
import io
import threading

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from api.plots import style, timeline_html, timeline_png, trend_png
from api.plots.fonts import families
from api.timeline import MEASURES, SessionTimeline, Trend

_LOCK = threading.Lock()
_DPI = 100


def _render(size: tuple[float, float], draw: object, data: object) -> bytes:
    with _LOCK, matplotlib.rc_context({"font.family": families(), "hatch.linewidth": 0.6,
                                       "axes.unicode_minus": False}):
        fig = Figure(figsize=size, dpi=_DPI)
        FigureCanvasAgg(fig)
        draw(fig, data)  # type: ignore[operator]
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_DPI)
        return buffer.getvalue()


def timeline_png_bytes(timeline: SessionTimeline) -> bytes:
    return _render(timeline_png.figure_size(), timeline_png.draw, timeline)


def timeline_page(timeline: SessionTimeline) -> str:
    return timeline_html.page(timeline)


def trend_png_bytes(trend: Trend) -> bytes:
    return _render((11.5, 7.0), trend_png.draw, trend)


def trend_page(trend: Trend) -> str:
    zh, en = style.DISCLAIMER
    title = f"Trend of student {trend.student}"
    flag = "".join(f"<p class='flag'>⚑ {html.escape(r)}</p>" for r in trend.flag_reasons)
    names = sorted({n for p in trend.points for n in p.indicators})
    scales = sorted({n for p in trend.points for n in p.scales})
    head = "".join(f"<th>{html.escape(MEASURES.get(n, (n, n))[0])}<br>"
                   f"{html.escape(MEASURES.get(n, (n, n))[1])}</th>" for n in names)
    head += "".join(f"<th>{html.escape(s)}</th>" for s in scales)
    rows = "".join(
        f"<tr><td>{html.escape(p.session_key)}</td><td>{html.escape(p.recorded_at)}</td>"
        f"<td>{'' if p.index is None else f'{p.index:.2f}'}</td>"
        + "".join(f"<td>{p.indicators[n]:.2f}</td>" if n in p.indicators else "<td>—</td>"
                  for n in names)
        + "".join(f"<td>{p.scales[s]:g} ({html.escape(p.scale_levels.get(s, ''))})</td>"
                  if s in p.scales else "<td>—</td>" for s in scales)
        + "</tr>"
        for p in trend.points
    )
    png = base64.b64encode(trend_png_bytes(trend)).decode()
    return (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        ".flag{color:#7b241c;font-weight:bold}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><em>{html.escape(zh)} {html.escape(en)}</em></p>"
        f"{flag}<img alt='{html.escape(title)}' src='data:image/png;base64,{png}'>"
        "<h2>会谈 Sessions</h2><table><tr><th>session</th><th>recorded</th>"
        f"<th>指数 index</th>{head}</tr>{rows}</table></body></html>"
    )
