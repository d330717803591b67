"""The session timeline as one self-contained HTML page: an inline SVG on one time axis,
a side panel (scales, session summaries) and the assessment with its numbered evidence.

No script and no outside request: words show on hover through SVG <title>, and clicking an
evidence marker opens that claim with its graph path through a #fragment and CSS :target.
Every drawn element carries its times as data-start/data-end, so a browser test can check
that it sits at the right x.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

from api.plots import style
from api.timeline import EvidenceMark, SessionTimeline
from contracts.claims import MARKER, without_markers

LEFT, RIGHT = 150, 16  # px margins of the time axis inside the SVG
MIN_PLOT_W, MAX_PLOT_W, PX_PER_S = 900, 24000, 40.0
_ROWS = (("evidence", 40), ("face", 130), ("f0", 90), ("energy", 70), ("rate", 60),
         ("speech", 64))
_AXIS_H = 40

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Micro Hei",sans-serif;margin:1.2em;
color:#1b2631}
h1{font-size:1.25em;margin:.2em 0}h2{font-size:1.05em;margin:1em 0 .3em}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 330px;gap:1em;align-items:start}
main{min-width:0}
.axis-wrap{overflow-x:auto;border:1px solid #d5d8dc}
aside{border:1px solid #d5d8dc;padding:.6em;font-size:.85em}
aside h2{margin-top:.2em}aside li{margin:.2em 0}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px}
svg text{font-size:11px}svg .lane-title{font-size:12px;font-weight:bold}
svg .tick{font-size:10px;fill:#555}svg .ev-label{font-size:10px}
svg .utt-text{font-size:10px;pointer-events:none;paint-order:stroke;stroke:#fff;
stroke-width:3px}
.utterance:hover rect{stroke:#000;stroke-width:2}
.face-event:hover{stroke-width:2.5}
.evidence-marker circle{fill:#f4d03f;stroke:#000}.evidence-marker text{font-weight:bold}
.evidence-marker:hover circle{fill:#f1c40f;stroke-width:2}
.claim-pop{display:none;position:fixed;top:1em;right:1em;max-width:34em;background:#fffbe6;
border:2px solid #b7950b;padding:.8em 1em;box-shadow:0 2px 8px #0004;z-index:10}
.claim-pop:target{display:block}.claim-pop{max-height:80vh;overflow-y:auto}
.path{font-family:monospace;font-size:.85em;word-break:break-all}
.claim-list li:target{background:#fcf3cf}.paths{margin:.2em 0 .5em;padding-left:1.2em}
a.cite{font-weight:bold;text-decoration:none;color:#7d6608;background:#fcf3cf;border-radius:3px;
padding:0 .15em}
.disclaimer{font-style:italic;color:#7b241c}
.legend span{display:inline-block;margin-right:1em;font-size:.8em}
.swatch{display:inline-block;width:1.2em;height:.8em;border:1px solid #333;vertical-align:middle;
margin-right:.3em}
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _f(x: float) -> str:
    return f"{x:.1f}"


class _Axis:
    def __init__(self, duration: float) -> None:
        self.duration = max(duration, 1.0)
        self.plot_w = min(max(MIN_PLOT_W, self.duration * PX_PER_S), MAX_PLOT_W)
        self.px_per_s = self.plot_w / self.duration
        self.width = LEFT + self.plot_w + RIGHT

    def x(self, t: float) -> float:
        return LEFT + min(max(t, 0.0), self.duration) * self.px_per_s

    def w(self, a: float, b: float, minimum: float = 0.0) -> float:
        return max(self.x(b) - self.x(a), minimum)


def _hatch_defs() -> str:
    pats = []
    for name, (color, hatch) in {**{f"c-{k}": v for k, v in style.CLASS_STYLE.items()},
                                 **{f"p-{k}": v for k, v in style.POLARITY_STYLE.items()}}.items():
        lines = ""
        if "/" in hatch:
            lines = "<path d='M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2' stroke='#000' stroke-width='0.8'/>"
        elif "." in hatch:
            lines = "<circle cx='3' cy='3' r='0.9' fill='#000'/>"
        elif "x" in hatch:
            lines = "<path d='M0,0 l6,6 M6,0 l-6,6' stroke='#000' stroke-width='0.8'/>"
        pats.append(f"<pattern id='{name}' width='6' height='6' patternUnits='userSpaceOnUse'>"
                    f"<rect width='6' height='6' fill='{color}'/>{lines}</pattern>")
    return "<defs>" + "".join(pats) + "</defs>"


def _lane_frame(key: str, y: int, h: int, ax: _Axis) -> str:
    zh, en = style.LANES[key]
    return (f"<rect class='lane-bg' x='{LEFT}' y='{y}' width='{_f(ax.plot_w)}' height='{h}' "
            f"fill='#fbfcfc' stroke='#d5d8dc'/>"
            f"<text class='lane-title' x='6' y='{y + 15}'>{_esc(zh)}</text>"
            f"<text class='tick' x='6' y='{y + 29}'>{_esc(en)}</text>")


def _bands(spans: Iterable[tuple[float, float]], y: int, h: int, ax: _Axis, cls: str,
           fill: str, opacity: float = 1.0) -> str:
    return "".join(
        f"<rect class='{cls}' data-start='{a:.3f}' data-end='{b:.3f}' x='{_f(ax.x(a))}' y='{y}' "
        f"width='{_f(ax.w(a, b, 1.0))}' height='{h}' fill='{fill}' fill-opacity='{opacity}'/>"
        for a, b in spans)


def _face(tl: SessionTimeline, y: int, h: int, ax: _Axis) -> str:
    rows = {"micro": y + 22, "macro": y + 66}
    out = [f"<text class='tick' x='{LEFT - 6}' y='{rows['micro'] + 15}' text-anchor='end'>"
           "微表情 micro</text>",
           f"<text class='tick' x='{LEFT - 6}' y='{rows['macro'] + 15}' text-anchor='end'>"
           "宏表情 macro</text>",
           f"<text class='tick' x='{LEFT - 6}' y='{y + h - 8}' text-anchor='end'>眨眼 blinks</text>"]
    last_right = -math.inf
    for ev in tl.face_events:
        top = rows[ev.scale]
        x0, width = ax.x(ev.start_s), ax.w(ev.start_s, ev.end_s, 3.0)
        key = style.class_key(ev.me_class)
        cz, ce = style.CLASS_NAMES[key]
        tip = (f"{'微表情' if ev.scale == 'micro' else '宏表情'} {ev.scale}-expression "
               f"{ev.start_s:.2f}–{ev.end_s:.2f} s · {cz} {ce}"
               + (f" · {ev.emotion}" if ev.emotion else "")
               + (f" · {', '.join(ev.aus)}" if ev.aus else ""))
        if ev.text is not None:
            tip += f"\n{ev.text.zh}\n{ev.text.en}"
        out.append(
            f"<rect class='face-event {ev.scale} {_esc(ev.me_class)}' data-start='{ev.start_s:.3f}'"
            f" data-end='{ev.end_s:.3f}' data-aus='{_esc(' '.join(ev.aus))}'"
            f" data-emotion='{_esc(ev.emotion or '')}' x='{_f(x0)}' y='{top}' "
            f"width='{_f(width)}' height='22' fill='url(#c-{key})' stroke='#000' "
            f"stroke-width='1'><title>{_esc(tip)}</title></rect>")
        label = style.event_label(ev.aus, ev.emotion)
        if label and x0 >= last_right + 4:
            out.append(f"<text class='ev-label' x='{_f(x0)}' y='{top - 4}'>{_esc(label)}</text>")
            last_right = x0 + 6.2 * len(label)
    for a, b in tl.blinks:
        xm = ax.x((a + b) / 2)
        out.append(f"<line class='blink' data-start='{a:.3f}' data-end='{b:.3f}' x1='{_f(xm)}' "
                   f"x2='{_f(xm)}' y1='{y + h - 22}' y2='{y + h - 4}' stroke='#000' "
                   f"stroke-width='2'><title>blink {a:.2f}–{b:.2f} s</title></line>")
    out.append(_bands(tl.eye_closures, y + h - 22, 18, ax, "eye-closure", "#566573"))
    if not (tl.face_events or tl.blinks or tl.eye_closures):
        out.append(_note("no facial events" if tl.summaries else "no video", y, h, ax))
    return "".join(out)


def _note(text: str, y: int, h: int, ax: _Axis) -> str:
    return (f"<text class='note' x='{_f(LEFT + ax.plot_w / 2)}' y='{y + h / 2 + 4}' "
            f"text-anchor='middle' fill='#7f8c8d'>{_esc(text)}</text>")


def _path(ts: list[float], ys: list[float | None], lo: float, hi: float, y: int, h: int,
          ax: _Axis) -> str:
    """An SVG path that breaks where the series has no value (unvoiced, silent)."""
    span = max(hi - lo, 1e-6)
    parts: list[str] = []
    pen_up = True
    for t, v in zip(ts, ys, strict=True):
        if v is None or not math.isfinite(v):
            pen_up = True
            continue
        py = y + h - 4 - (min(max(v, lo), hi) - lo) / span * (h - 8)
        parts.append(f"{'M' if pen_up else 'L'}{ax.x(t):.1f} {py:.1f}")
        pen_up = False
    return "".join(parts)


def _scale_ticks(lo: float, hi: float, y: int, h: int, unit: str) -> str:
    return (f"<text class='tick' x='{LEFT - 6}' y='{y + 12}' text-anchor='end'>"
            f"{hi:.0f} {unit}</text><text class='tick' x='{LEFT - 6}' y='{y + h - 2}' "
            f"text-anchor='end'>{lo:.0f}</text>")


def _contour(tl: SessionTimeline, key: str, y: int, h: int, ax: _Axis) -> str:
    out = [_bands(tl.pauses, y, h, ax, "pause", style.PAUSE)]
    if tl.contour is None:
        return "".join([*out, _note(f"no {'F0' if key == 'f0' else 'energy'} contour stored",
                                    y, h, ax)])
    values = tl.contour.f0_hz if key == "f0" else tl.contour.energy_db
    finite = sorted(v for v in values if v is not None and math.isfinite(v))
    if not finite:
        return "".join([*out, _note("unvoiced throughout" if key == "f0" else "silent", y, h, ax)])
    lo = finite[int(0.01 * (len(finite) - 1))]
    hi = finite[int(0.99 * (len(finite) - 1))]
    lo, hi = (max(0.0, lo - 20), hi + 20) if key == "f0" else (max(lo, -90.0) - 3, hi + 3)
    color = style.F0_COLOR if key == "f0" else style.ENERGY_COLOR
    dash = "" if key == "f0" else " stroke-dasharray='5 2'"
    out.append(f"<path class='contour {key}' d='{_path(tl.contour.t, values, lo, hi, y, h, ax)}'"
               f" fill='none' stroke='{color}' stroke-width='1.4'{dash}/>")
    out.append(_scale_ticks(lo, hi, y, h, "Hz" if key == "f0" else "dB"))
    return "".join(out)


def _rate(tl: SessionTimeline, y: int, h: int, ax: _Axis) -> str:
    out = [_bands(tl.pauses, y, h, ax, "pause", style.PAUSE)]
    rated = [u for u in tl.utterances if u.rate_sps is not None]
    if not rated:
        return "".join([*out, _note("no per-utterance rate" if tl.utterances else "no speech",
                                    y, h, ax)])
    top = max(float(u.rate_sps or 0.0) for u in rated) * 1.2 + 0.5
    for u in rated:
        r = float(u.rate_sps or 0.0)
        py = y + h - 4 - r / top * (h - 8)
        out.append(f"<line class='rate' data-start='{u.start_s:.3f}' data-end='{u.end_s:.3f}' "
                   f"data-rate='{r:.2f}' x1='{_f(ax.x(u.start_s))}' x2='{_f(ax.x(u.end_s))}' "
                   f"y1='{py:.1f}' y2='{py:.1f}' stroke='#000' stroke-width='3'>"
                   f"<title>{r:.2f} syllables/s</title></line>")
    out.append(_scale_ticks(0.0, top, y, h, "syl/s"))
    return "".join(out)


def _speech(tl: SessionTimeline, y: int, h: int, ax: _Axis) -> str:
    if not tl.utterances:
        return _note("no transcript", y, h, ax)
    out = []
    for u in tl.utterances:
        pol = u.polarity if u.polarity in style.POLARITY_STYLE else None
        fill = f"url(#p-{pol})" if pol else "#ffffff"
        x0, width = ax.x(u.start_s), ax.w(u.start_s, u.end_s, 2.0)
        pz, pe = style.POLARITY_NAMES.get(pol or "", ("未评估", "not scored"))
        tip = (f"{u.start_s:.2f}–{u.end_s:.2f} s · {pz} {pe}"
               + (f" · speech emotion: {u.emotion}" if u.emotion else "")
               + (f" · {u.rate_sps:.2f} syll/s" if u.rate_sps is not None else "")
               + f"\n{u.text}")
        cjk = any(ord(ch) >= 0x2E80 for ch in u.text)
        prefix = f"[{u.emotion}] " if u.emotion else ""
        fits = int((width - 6) / (11.0 if cjk else 6.0)) - len(prefix)
        shown = prefix + style.abbreviate(u.text, fits) if fits > 1 else ""
        text = (f"<text class='utt-text' x='{_f(x0 + 3)}' y='{y + h / 2 + 4}'>{_esc(shown)}</text>"
                if shown.strip() else "")
        out.append(
            f"<g class='utterance {pol or 'unscored'}' data-start='{u.start_s:.3f}' "
            f"data-end='{u.end_s:.3f}' data-polarity='{pol or ''}' "
            f"data-emotion='{_esc(u.emotion or '')}'><title>{_esc(tip)}</title>"
            f"<rect x='{_f(x0)}' y='{y + 8}' width='{_f(width)}' height='{h - 16}' "
            f"fill='{fill}' stroke='#34495e'/>{text}</g>")
    return "".join(out)


def _evidence_bands(tl: SessionTimeline, rows: dict[str, tuple[int, int]], ax: _Axis) -> str:
    """Highlights under the lanes' content where timed evidence sits, in its own lanes."""
    face = tl.evidence_spans("face")
    speech = tl.evidence_spans("speech")
    y, h = rows["face"]
    out = [_bands(face, y, h, ax, "evidence-span", style.EVIDENCE, 0.3)]
    y0 = rows["f0"][0]
    y1 = rows["speech"][0] + rows["speech"][1]
    out.append(_bands(speech, y0, y1 - y0, ax, "evidence-span", style.EVIDENCE, 0.3))
    return "".join(out)


def _evidence(tl: SessionTimeline, y: int, h: int, ax: _Axis) -> str:
    by_span = tl.evidence_spans()
    if not by_span:
        return _note("no assessment claim rests on a timed feature" if tl.evidence
                     else "no assessment stored", y, h, ax)
    said = {c.number: f"\n{c.sentence.zh}\n{c.sentence.en}" if c.sentence else f" {c.claim}"
            for c in tl.claims}
    out = []
    for (a, b), numbers in sorted(by_span.items()):
        xm = (ax.x(a) + ax.x(b)) / 2
        for k, n in enumerate(numbers):
            cx = xm + (k - (len(numbers) - 1) / 2) * 24
            title = _esc(f"[{n}]{said.get(n, '')}")
            out.append(
                f"<a class='evidence-marker' href='#claim-{n}' data-number='{n}' "
                f"data-start='{a:.3f}' data-end='{b:.3f}'><title>{title}</title>"
                f"<circle cx='{_f(cx)}' cy='{y + h / 2 + 2}' r='11'/>"
                f"<text x='{_f(cx)}' y='{y + h / 2 + 6}' text-anchor='middle'>{n}</text></a>")
    return "".join(out)


def _time_axis(y: int, ax: _Axis) -> str:
    step = style.nice_step(ax.duration, max(4, int(ax.plot_w / 110)))
    long = ax.duration > 120
    out = [f"<line x1='{LEFT}' x2='{_f(LEFT + ax.plot_w)}' y1='{y}' y2='{y}' stroke='#000'/>"]
    t = 0.0
    while t <= ax.duration + 1e-9:
        x = ax.x(t)
        out.append(f"<line class='grid' x1='{_f(x)}' x2='{_f(x)}' y1='0' y2='{y + 5}' "
                   f"stroke='#d5d8dc' stroke-width='0.6'/>"
                   f"<text class='tick' x='{_f(x)}' y='{y + 17}' text-anchor='middle'>"
                   f"{style.clock(t, long)}</text>")
        t = round(t + step, 6)
    out.append(f"<text class='tick' x='{LEFT - 6}' y='{y + 32}' text-anchor='end'>"
               f"会谈时间 time ({'m:ss' if long else 's'})</text>")
    return "".join(out)


def svg(tl: SessionTimeline) -> str:
    ax = _Axis(tl.duration_s)
    total_h = sum(h for _k, h in _ROWS)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' id='timeline' width='{_f(ax.width)}' "
        f"height='{total_h + _AXIS_H}' data-left='{LEFT}' data-px-per-s='{ax.px_per_s:.6f}' "
        f"data-duration='{ax.duration:.3f}' role='img' aria-label='session timeline'>",
        _hatch_defs(),
    ]
    y = 0
    rows = {}
    for key, h in _ROWS:  # lane frames first, then evidence highlights, then the content
        parts.append(_lane_frame(key, y, h, ax))
        rows[key] = (y, h)
        y += h
    parts.append(_evidence_bands(tl, rows, ax))
    y = 0
    for key, h in _ROWS:
        parts.append(f"<g class='lane' data-lane='{key}'>")
        if key == "face":
            parts.append(_face(tl, y, h, ax))
        elif key in ("f0", "energy"):
            parts.append(_contour(tl, key, y, h, ax))
        elif key == "rate":
            parts.append(_rate(tl, y, h, ax))
        elif key == "speech":
            parts.append(_speech(tl, y, h, ax))
        elif key == "evidence":
            parts.append(_evidence(tl, y, h, ax))
        parts.append("</g>")
        y += h
    if tl.duration_s > 0:
        parts.append(_time_axis(total_h, ax))
    else:
        parts.append(f"<text class='note' x='{LEFT}' y='{total_h + 20}'>本次会谈没有录音录像（仅量表，"
                     "见右侧） · no recording in this session: scales only, see the side panel"
                     "</text>")
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    def swatch(color: str, label: str) -> str:
        return f"<span><i class='swatch' style='background:{color}'></i>{_esc(label)}</span>"

    items = [swatch(c, f"{z} {e}") for k, (c, _h) in style.CLASS_STYLE.items()
             for z, e in [style.CLASS_NAMES[k]]]
    items += [swatch(c, f"话语{z} utterance {e}") for k, (c, _h) in style.POLARITY_STYLE.items()
              for z, e in [style.POLARITY_NAMES[k]]]
    items += [swatch(style.PAUSE, "停顿 pause"), swatch(style.EVIDENCE, "证据 evidence")]
    return f"<p class='legend'>{''.join(items)}</p>"


def _side(tl: SessionTimeline) -> str:
    scales = "".join(f"<li><b>{_esc(s.label)}</b>: {_esc(s.text.zh)}<br><small>"
                     f"{_esc(s.text.en)}</small></li>" for s in tl.scales) or "<li>—</li>"
    summaries = "".join(f"<li class='summary' data-kind='{_esc(s.kind)}'>{_esc(s.text.zh)}<br>"
                        f"<small>{_esc(s.text.en)}</small></li>" for s in tl.summaries)
    if tl.session_emotion:
        summaries += f"<li>speech emotion (whole session): {_esc(tl.session_emotion)}</li>"
    return (f"<aside id='side-panel'><h2>量表 Scales</h2><ul>{scales}</ul>"
            f"<h2>整场汇总 Session summaries</h2><p><small>Session-level: listed here, never drawn"
            f" as events on the time axis.</small></p><ul>{summaries or '<li>—</li>'}</ul></aside>")


def _cited(text: str) -> str:
    """Escaped text with each claim number "[n]" as a link that opens claim n."""
    return MARKER.sub(lambda m: f"<a class='cite' href='#claim-{m.group(1)}' "
                      f"data-number='{m.group(1)}'>[{m.group(1)}]</a>", _esc(text))


def _where(spans: list[tuple[float, float]]) -> str:
    return ("; ".join(f"{a:.2f}–{b:.2f} s" for a, b in spans) if spans
            else "整场 session-level (not on the axis)")


def _paths(marks: list[EvidenceMark]) -> str:
    """One entry per feature a claim rests on: when, its text, and each graph path from it
    (the feature shown by its short id; the full graph id on hover)."""
    groups: dict[tuple[str, ...], list[EvidenceMark]] = {}
    for m in marks:
        groups.setdefault(tuple(m.feature_ids), []).append(m)
    out = []
    for fids, ms in groups.items():
        first = ms[0]
        lines = []
        for m in ms:
            steps = [f"<span title='{_esc(p)}'>{_esc('特征 feature ' + p.rsplit('/', 1)[-1])}"
                     "</span>" if p in fids else _esc(p) for p in m.path]
            lines.append(f"<div class='path'>{' → '.join(steps) or '—'}</div>")
        feature = (f"<small>{_esc(first.feature_text.zh)} / {_esc(first.feature_text.en)}"
                   "</small>" if first.feature_text else "")
        out.append(f"<li data-timed='{int(bool(first.spans))}'>{_where(first.spans)} · "
                   f"{_esc(first.modality)}{''.join(dict.fromkeys(lines))}{feature}</li>")
    return "".join(out)


def _claims(tl: SessionTimeline) -> str:
    """The text with its claim numbers as links, then each numbered claim with the graph path
    of every evidence item; a click on a number (in the text or on the axis) opens the claim."""
    if not tl.evidence and tl.assessment is None:
        return "<h2>评估 Assessment</h2><p>No assessment stored for this session.</p>"
    text = ""
    if tl.assessment is not None:
        text = (f"<p lang='zh' class='assessment'>{_cited(tl.assessment.zh)}</p>"
                f"<p lang='en' class='assessment'>{_cited(tl.assessment.en)}</p>")
    items, pops = [], []
    for claim in tl.claims:
        n = claim.number
        said = (f"{_esc(without_markers(claim.sentence.zh))}<br><small>"
                f"{_esc(without_markers(claim.sentence.en))}</small>"
                if claim.sentence else _esc(claim.claim))
        paths = _paths(claim.marks)
        items.append(f"<li id='c-{n}' value='{n}' data-number='{n}' data-claim='{_esc(claim.claim)}'"
                     f" data-timed='{int(bool(claim.spans))}'><b>[{n}]</b> {said}"
                     f"<ul class='paths'>{paths}</ul></li>")
        pops.append(f"<div class='claim-pop' id='claim-{n}' data-number='{n}' role='dialog'>"
                    f"<a href='#c-{n}' style='float:right'>×</a><b>[{n}]</b> {said}"
                    f"<br><small>{_esc(claim.claim)} · {_where(claim.spans)}</small>"
                    f"<div>图谱路径 graph path:</div><ul class='paths'>{paths}</ul></div>")
    return (f"<h2>评估与证据 Assessment and its evidence</h2>{text}"
            "<p><small>[n] = 评估中的第 n 条判断，时间轴上同号标记处为其依据；点击编号查看图谱路径。"
            " [n] = claim n of the assessment; the same number on the time axis marks where its "
            "evidence sits; click a number for its graph path.</small></p>"
            f"<ol class='claim-list'>{''.join(items)}</ol>{''.join(pops)}")


def _features_table(tl: SessionTimeline) -> str:
    rows = "".join(
        f"<tr><td>{_esc(f.modality)}/{_esc(f.kind)}</td><td>"
        f"{'whole session' if f.start_s is None else f'{f.start_s:.2f}–{(f.end_s or f.start_s):.2f}'}"
        f"</td><td>{_esc(f.text.zh)}</td><td>{_esc(f.text.en)}</td></tr>"
        for f in tl.features)
    return ("<details><summary>全部特征文本 All feature texts</summary><table><tr><th>kind</th>"
            f"<th>time (s)</th><th>中文</th><th>English</th></tr>{rows}</table></details>")


def page(tl: SessionTimeline) -> str:
    zh, en = style.DISCLAIMER
    title = f"Session {tl.session_key}"
    return (
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_esc(title)} <small>({_esc(tl.recorded_at)}, {tl.duration_s:.1f} s)</small></h1>"
        f"<p class='disclaimer'>{_esc(zh)} {_esc(en)}</p>{_legend()}"
        f"<div class='layout'><main><div class='axis-wrap'>{svg(tl)}</div>{_claims(tl)}</main>"
        f"{_side(tl)}</div>{_features_table(tl)}</body></html>"
    )
