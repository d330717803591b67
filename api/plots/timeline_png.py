"""The session timeline as a PNG (matplotlib, Agg): one time axis, real signals, each claim
of the assessment marked where its evidence sits with its number in the text ("[n]"), the
claims, scales and summaries in a side panel.

Collections (one artist per category, not per event) keep a 30-minute, 120 fps session fast;
labels and words are drawn only where they fit.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from api.plots import style
from api.plots.fonts import bilingual, drawable
from api.timeline import SessionTimeline
from contracts.claims import without_markers

_ROWS = ("evidence", "face", "f0", "energy", "rate", "speech")
_HEIGHTS = (0.45, 1.7, 1.1, 0.8, 0.75, 1.0)
_FIG_W, _MAIN_W = 14.0, 10.2  # inches: figure, time axis
_DPI = 100


def _lane_title(ax: Axes, key: str) -> None:
    zh, en = style.LANES[key]
    ax.set_title(bilingual(zh, en), loc="left", fontsize=8.5, pad=2)


def _absent(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes,
            color="#7f8c8d", fontsize=8)
    ax.set_yticks([])


def _shade(ax: Axes, spans: list[tuple[float, float]], color: str, alpha: float = 1.0,
           zorder: float = 0) -> None:
    """Full-height bands, in one collection (y in axes coordinates)."""
    if spans:
        ax.broken_barh([(a, max(b - a, 0.0)) for a, b in spans], (0, 1),
                       transform=ax.get_xaxis_transform(), facecolors=color, alpha=alpha,
                       edgecolor="none", zorder=zorder)


def _face(ax: Axes, tl: SessionTimeline, px_per_s: float) -> None:
    _lane_title(ax, "face")
    rows = {"micro": 1.0, "macro": 0.0}
    min_w = 2.5 / px_per_s  # at least 2.5 px wide, so a 0.2 s event stays visible
    groups: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for ev in tl.face_events:
        groups[(ev.scale, ev.me_class)].append((ev.start_s, max(ev.end_s - ev.start_s, min_w)))
    for (scale, me_class), bars in groups.items():
        color, hatch = style.class_style(me_class)
        ax.broken_barh(bars, (rows[scale] - 0.3, 0.6), facecolors=color, edgecolor="black",
                       linewidth=0.6, hatch=hatch, zorder=3)
    last_right = {"micro": -np.inf, "macro": -np.inf}
    for ev in tl.face_events:  # labels left to right, skipped where they would overlap
        label = style.event_label(ev.aus, ev.emotion)
        x = ev.start_s
        if not label or x * px_per_s < last_right[ev.scale] + 4:
            continue
        ax.text(x, rows[ev.scale] + 0.36, label, fontsize=6.5, va="bottom", ha="left", zorder=4,
                clip_on=True)
        last_right[ev.scale] = x * px_per_s + 6.0 * len(label) + 4  # 6.5 pt: ~6 px a glyph
    if tl.blinks:
        ax.vlines([(a + b) / 2 for a, b in tl.blinks], -1.0, -0.55, color="black",
                  linewidth=1.2, zorder=3)
    if tl.eye_closures:
        ax.broken_barh([(a, b - a) for a, b in tl.eye_closures], (-1.0, 0.45),
                       facecolors="#566573", edgecolor="none", zorder=2)
    ax.set_ylim(-1.25, 1.95)
    ax.set_yticks([1.0, 0.0, -0.78], [bilingual("微表情", "micro"), bilingual("宏表情", "macro"),
                                       bilingual("眨眼", "blinks")], fontsize=7)
    if not (tl.face_events or tl.blinks or tl.eye_closures):
        ax.text(0.5, 0.5, "no facial events" if tl.summaries else "no video",
                transform=ax.transAxes, ha="center", va="center", color="#7f8c8d", fontsize=8)


def _series(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _contours(ax_f0: Axes, ax_en: Axes, tl: SessionTimeline) -> None:
    _lane_title(ax_f0, "f0")
    _lane_title(ax_en, "energy")
    for ax in (ax_f0, ax_en):
        _shade(ax, tl.pauses, style.PAUSE, zorder=0)
    if tl.contour is None:
        _absent(ax_f0, "no F0 contour stored for this session")
        _absent(ax_en, "no energy contour stored for this session")
        return
    t = np.asarray(tl.contour.t, dtype=float)
    f0 = _series(tl.contour.f0_hz)
    energy = _series(tl.contour.energy_db)
    dense = t.size > _MAIN_W * _DPI * 0.87  # more points than pixels: dots
    ax_f0.plot(t, f0, color=style.F0_COLOR, linewidth=0 if dense else 1.0, marker=".",
               markersize=1.5 if dense else 2, zorder=3)
    ax_en.plot(t, energy, color=style.ENERGY_COLOR, linewidth=0.4 if dense else 0.9, zorder=3)
    if np.isfinite(f0).any():
        lo, hi = np.nanpercentile(f0, [1, 99])
        ax_f0.set_ylim(max(0.0, lo - 20), hi + 20)
    if np.isfinite(energy).any():
        ax_en.set_ylim(max(np.nanmin(energy), -90.0) - 3, np.nanmax(energy) + 3)
    for ax in (ax_f0, ax_en):
        ax.tick_params(axis="y", labelsize=7)


def _rate(ax: Axes, tl: SessionTimeline) -> None:
    _lane_title(ax, "rate")
    _shade(ax, tl.pauses, style.PAUSE, zorder=0)
    rated = [u for u in tl.utterances if u.rate_sps is not None]
    if not rated:
        _absent(ax, "no per-utterance rate" if tl.utterances else "no speech")
        return
    ys = [float(u.rate_sps or 0.0) for u in rated]
    ax.hlines(ys, [u.start_s for u in rated], [u.end_s for u in rated], color="black",
              linewidth=2.5, zorder=3)
    ax.set_ylim(0, max(ys) * 1.25 + 0.5)
    ax.tick_params(axis="y", labelsize=7)


def _speech(ax: Axes, tl: SessionTimeline, px_per_s: float) -> None:
    _lane_title(ax, "speech")
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    if not tl.utterances:
        _absent(ax, "no transcript")
        return
    groups: dict[str | None, list[tuple[float, float]]] = defaultdict(list)
    for u in tl.utterances:
        groups[u.polarity if u.polarity in style.POLARITY_STYLE else None].append(
            (u.start_s, max(u.end_s - u.start_s, 1.5 / px_per_s)))
    for label, bars in groups.items():
        color, hatch = style.polarity_style(label)
        ax.broken_barh(bars, (0.1, 0.8), facecolors=color, hatch=hatch, zorder=2,
                       edgecolor="#34495e" if px_per_s > 5 else "none", linewidth=0.6)
    for u in tl.utterances:
        width_px = (u.end_s - u.start_s) * px_per_s
        words = u.text if drawable(u.text) else ""
        prefix = f"[{u.emotion}] " if u.emotion else ""
        cjk = any(ord(ch) >= 0x2E80 for ch in words)
        fits = int(width_px / (8.0 if cjk else 4.6)) - len(prefix)
        text = prefix + style.abbreviate(words, fits) if fits > 2 else ""
        if text.strip() and width_px > 24:
            ax.text(u.start_s + 2 / px_per_s, 0.5, text, fontsize=6.5, va="center", ha="left",
                    zorder=4, clip_on=True,
                    bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.6, "linewidth": 0})


def _evidence(axes: dict[str, Axes], tl: SessionTimeline) -> None:
    ax = axes["evidence"]
    _lane_title(ax, "evidence")
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    by_span = tl.evidence_spans()
    if not by_span:
        ax.text(0.5, 0.5, "no assessment claim rests on a timed feature" if tl.evidence
                else "no assessment stored", transform=ax.transAxes, ha="center",
                va="center", color="#7f8c8d", fontsize=8)
        return
    spans = list(by_span)
    if tl.duration_s <= 180:  # short sessions: highlight the evidence in its own lanes
        face, speech = list(tl.evidence_spans("face")), list(tl.evidence_spans("speech"))
        _shade(axes["face"], face, style.EVIDENCE, alpha=0.35, zorder=1)
        for key in ("f0", "energy", "rate", "speech"):
            _shade(axes[key], speech, style.EVIDENCE, alpha=0.35, zorder=1)
    ax.vlines([(a + b) / 2 for a, b in spans], 0.05, 0.2, color="black", linewidth=1)
    px_per_s = _MAIN_W * 0.87 * _DPI / max(tl.duration_s, 1.0)
    last_right = -np.inf
    for (a, b), numbers in sorted(by_span.items(), key=lambda kv: (kv[0][0] + kv[0][1], kv[0])):
        label = ",".join(str(n) for n in sorted(set(numbers)))
        x_px = max((a + b) / 2 * px_per_s, 3.5 * len(label) + 2)  # kept inside the axis
        if x_px - 3.5 * len(label) < last_right + 2:
            continue
        ax.text(x_px / px_per_s, 0.55, label, ha="center", va="center", fontsize=7.5,
                fontweight="bold", bbox={"boxstyle": "round,pad=0.25",
                                         "facecolor": style.EVIDENCE, "edgecolor": "black",
                                         "linewidth": 0.7})
        last_right = x_px + 3.5 * len(label) + 6


def _side_panel(ax: Axes, tl: SessionTimeline, fig_w: float, fig_h: float) -> None:
    ax.axis("off")
    width_pt = ax.get_position().width * fig_w * 72 * 0.95  # a margin at the figure's edge
    lines: list[tuple[str, float, str]] = []  # text, fontsize, weight

    def add(text: str, size: float, weight: str = "normal", most: int = 99) -> None:
        lines.extend((w, size, weight) for w in _wrap(text, size, width_pt, most))

    claims = tl.claims
    if claims:
        add(bilingual("评估判断", "Claims of the assessment"), 9, "bold")
        add(bilingual("（编号同轴上标记）", "(same numbers as on the axis)"), 7)
        for c in claims:
            said = c.claim
            if c.sentence is not None:
                said = c.sentence.zh if drawable(c.sentence.zh) else c.sentence.en
                said = without_markers(said).rstrip("。. ")
            add(f"[{c.number}] {said}", 7, most=3)
        untimed = [c.number for c in claims if not c.spans]
        if untimed:
            add(bilingual("整场，不在轴上", "session-level, not on the axis") + ": "
                + ", ".join(map(str, untimed)), 7)
        lines.append(("", 5, "normal"))
    add(bilingual(*style.LANES["scales"]), 9, "bold")
    if not tl.scales:
        add("none in this session", 7.5)
    for s in tl.scales:
        add(s.text.zh if drawable(s.text.zh) else s.text.en, 7.5, most=3)
    lines.append(("", 5, "normal"))
    add(bilingual("整场汇总", "Session summaries"), 9, "bold")
    add(bilingual("（不在时间轴上）", "(not events: not on the axis)"), 7)
    for s in tl.summaries:
        add(s.text.zh if drawable(s.text.zh) else s.text.en, 7, most=3)
    if tl.session_emotion:
        add(f"speech emotion (session): {tl.session_emotion}", 7)
    panel_in = ax.get_position().height * fig_h
    y = 1.0
    for text, size, weight in lines:
        if y < 0.02:
            ax.text(0, y, "…", fontsize=7, transform=ax.transAxes, va="top")
            break
        ax.text(0, y, text, fontsize=size, fontweight=weight, transform=ax.transAxes, va="top")
        y -= size / 72 * 1.45 / panel_in  # line height as a fraction of the panel


_NO_START = set("、，。；：）」』》,.;:)")  # never at the start of a line
_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def _wrap(text: str, size: float, width_pt: float, most: int = 99) -> list[str]:
    """Lines of at most `width_pt` points: CJK may break between any two glyphs (about one em
    wide), Latin words between words (about 0.6 em a character); "…" ends a cut text."""
    lines, line, used = [], "", 0.0
    for token in _TOKENS.findall(" ".join(text.split())):
        wide = size * (1.0 if token >= "\u2e80" else 0.6 * len(token))
        if line and not token.isspace() and used + wide > width_pt and token not in _NO_START:
            lines.append(line.rstrip())
            line, used = "", 0.0
        if token.isspace() and not line:
            continue
        line, used = line + token, used + wide
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _legend(fig: Figure) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, hatch=h, edgecolor="black",
                     label=bilingual(*style.CLASS_NAMES[k]))
               for k, (c, h) in style.CLASS_STYLE.items()]
    handles += [Patch(facecolor=c, hatch=h, edgecolor="#34495e",
                      label=bilingual("话语", "utt.") + " " + bilingual(*style.POLARITY_NAMES[k]))
                for k, (c, h) in style.POLARITY_STYLE.items()]
    handles += [Patch(facecolor=style.PAUSE, label=bilingual("停顿", "pause")),
                Patch(facecolor=style.EVIDENCE, edgecolor="black",
                      label=bilingual("证据", "evidence"))]
    fig.legend(handles=handles, loc="lower left", ncol=6, fontsize=7, frameon=False,
               bbox_to_anchor=(0.01, 0.0))


def draw(fig: Figure, tl: SessionTimeline) -> None:
    grid = fig.add_gridspec(len(_ROWS), 2, width_ratios=(_MAIN_W, _FIG_W - _MAIN_W - 0.3),
                            height_ratios=_HEIGHTS, hspace=0.55, wspace=0.04,
                            left=0.11, right=0.99, top=0.9, bottom=0.11)
    axes: dict[str, Axes] = {}
    for i, key in enumerate(_ROWS):
        axes[key] = fig.add_subplot(grid[i, 0], sharex=axes.get("evidence"))
    duration = max(tl.duration_s, 1.0)
    width_px = _MAIN_W * 0.87 * _DPI
    px_per_s = width_px / duration
    _face(axes["face"], tl, px_per_s)
    _contours(axes["f0"], axes["energy"], tl)
    _rate(axes["rate"], tl)
    _speech(axes["speech"], tl, px_per_s)
    _evidence(axes, tl)
    long = duration > 120
    step = style.nice_step(duration)
    ticks = np.arange(0.0, duration + step * 0.5, step)
    for key, ax in axes.items():
        ax.set_xlim(0, duration)
        ax.grid(axis="x", color="#d0d3d4", linewidth=0.5, zorder=0)
        ax.set_axisbelow(True)
        if key != _ROWS[-1]:
            ax.tick_params(axis="x", labelbottom=False, length=0)
    if tl.duration_s > 0:
        axes[_ROWS[-1]].set_xticks(ticks, [style.clock(t, long) for t in ticks], fontsize=7.5)
        axes[_ROWS[-1]].set_xlabel(
            bilingual("会谈时间", "time into the session") + (" (m:ss)" if long else " (s)"),
            fontsize=8)
    else:  # scales only: no recording, no time axis to speak of
        axes[_ROWS[-1]].set_xticks([])
        axes[_ROWS[-1]].set_xlabel(bilingual("本次会谈没有录音录像，时间轴为空（仅量表，见右侧）",
                                             "no recording in this session: nothing in time "
                                             "(scales only, see the side panel)"), fontsize=8.5)
    _side_panel(fig.add_subplot(grid[:, 1]), tl, fig.get_figwidth(), fig.get_figheight())
    _legend(fig)
    zh, en = style.DISCLAIMER
    length = f"{tl.duration_s:.1f} s" if tl.duration_s > 0 else "scales only"
    fig.suptitle(f"Session {tl.session_key}  ({tl.recorded_at[:16]})  ·  {length}\n"
                 f"{bilingual(zh, en)}", fontsize=9.5, x=0.01, ha="left")


def figure_size() -> tuple[float, float]:
    return _FIG_W, 8.2
