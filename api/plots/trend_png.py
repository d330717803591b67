"""A student's measures across sessions (PNG): negative-affect measures with the rising-run
flag, and each scale's trajectory. Every series has its own marker and line style, so the
picture reads in grayscale; labels are Chinese and English where a CJK font exists."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from api.plots import style
from api.plots.fonts import bilingual
from api.timeline import MEASURES, Trend

_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_LINES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
_GRAYS = ("#1b4f72", "#922b21", "#196f3d", "#7d6608", "#4a235a", "#424949")


def _measure_name(name: str) -> str:
    zh, en = MEASURES.get(name, (name, name))
    return bilingual(zh, en)


def _reason(reason: str) -> str:
    """A flag reason with its measure named in Chinese and English, wrapped for the panel."""
    code = reason.split(" ", 1)[0]
    if code in MEASURES:
        reason = _measure_name(code) + ":\n  " + reason.split(" ", 1)[1]
    elif reason.startswith("the negative-affect index"):
        reason = bilingual("负性情绪指数", "negative-affect index") + ":\n  " + reason[26:]
    return reason


def _dates(trend: Trend) -> list[str]:
    return [f"{p.recorded_at[:10] or p.session_key}\n{p.session_key.split('/')[-1]}"
            for p in trend.points]


def _measures(ax: Axes, trend: Trend) -> None:
    xs = np.arange(len(trend.points))
    names = sorted({n for p in trend.points for n in p.indicators})
    for i, name in enumerate(names):
        ys = np.array([p.indicators.get(name, np.nan) for p in trend.points], dtype=float)
        ok = np.isfinite(ys)
        dodge = (i - len(names) / 2) * 0.05  # equal values stay visible side by side
        ax.plot(xs[ok] + dodge, ys[ok], marker=_MARKERS[i % len(_MARKERS)],
                linestyle=_LINES[i % len(_LINES)], color=_GRAYS[i % len(_GRAYS)], linewidth=1.4,
                markersize=6, markerfacecolor="white", label=_measure_name(name))
    index = np.array([np.nan if p.index is None else p.index for p in trend.points], dtype=float)
    ok = np.isfinite(index)
    ax.plot(xs[ok] + len(names) / 2 * 0.05, index[ok], color="black", linewidth=3, marker="s",
            markersize=7, label=bilingual("负性情绪指数", "negative-affect index"))
    if trend.flagged and len(trend.points) > trend.rises_needed:
        first = len(trend.points) - trend.rises_needed - 1
        ax.axvspan(first - 0.25, len(trend.points) - 0.75, facecolor="none", edgecolor="#7b241c",
                   hatch="\\\\", linewidth=0, alpha=0.35)
    ax.set_ylim(-0.05, 1.08)
    ax.set_yticks([0, 1 / 3, 2 / 3, 1], ["0", "⅓", "⅔", "1"])
    ax.set_ylabel("0 = " + bilingual("无", "none") + " … 1 = " + "\n"
                  + bilingual("重度/全部负性", "severe / all negative"), fontsize=8)
    ax.grid(color="#d5d8dc", linewidth=0.5)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    ax.set_title(bilingual("各项指标", "Measures per session"), loc="left", fontsize=9)
    if trend.flagged:
        lines = ["⚑ " + bilingual("连续上升，请专业人员关注", ""), "FLAG: rising, please look"]
        lines = [ln for ln in lines if ln.strip("⚑ ")]
        lines += [_reason(r) for r in trend.flag_reasons]
        ax.text(1.01, 0.0, "\n".join(lines), transform=ax.transAxes, fontsize=7.5,
                va="bottom", ha="left", color="#7b241c", fontweight="bold", wrap=True,
                bbox={"facecolor": "#fdedec", "edgecolor": "#7b241c", "linewidth": 2.5})


def _level_labels(ax: Axes, trend: Trend, names: list[str], fig_h: float) -> None:
    """Each scale point's name and level (zh and en) to its right, pushed apart where two scales score
    alike in one session so the labels never overlap."""
    lo, hi = ax.get_ylim()
    height_pt = ax.get_position().height * fig_h * 72
    for x, p in enumerate(trend.points):
        placed = -np.inf
        for value, name in sorted((p.scales[n], n) for n in names if n in p.scales):
            at = (value - lo) / (hi - lo) * height_pt
            label_at = max(at + 3, placed + 9)
            level = p.scale_levels.get(name, "")
            label = f"{name} " + bilingual(*style.LEVEL_NAMES.get(level, (level, level)))
            ax.annotate(label, (x, value), textcoords="offset points",
                        xytext=(5, label_at - at), fontsize=6.5)
            placed = label_at


def _scales(ax: Axes, trend: Trend, fig_h: float) -> None:
    xs = np.arange(len(trend.points))
    names = sorted({n for p in trend.points for n in p.scales})
    for i, name in enumerate(names):
        ys = np.array([p.scales.get(name, np.nan) for p in trend.points], dtype=float)
        ok = np.isfinite(ys)
        ax.plot(xs[ok], ys[ok], marker=_MARKERS[(i + 3) % len(_MARKERS)],
                linestyle=_LINES[i % len(_LINES)], color=_GRAYS[(i + 2) % len(_GRAYS)],
                linewidth=1.4, markersize=6, label=name)
    if names:  # room above the highest point for its level label
        top = max(v for p in trend.points for v in p.scales.values())
        ax.set_ylim(0, top * 1.15 + 1)
        _level_labels(ax, trend, names, fig_h)
    if not names:
        ax.text(0.5, 0.5, bilingual("无量表", "no scales"), transform=ax.transAxes,
                ha="center", va="center", color="#7f8c8d")
    else:
        ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_ylabel(bilingual("量表分", "scale score"), fontsize=8)
    ax.set_title(bilingual("量表轨迹", "Scale trajectory") + "  (" + bilingual(
        "标准分或总分", "standard score or raw total") + ")", loc="left", fontsize=9)
    ax.grid(color="#d5d8dc", linewidth=0.5)


def draw(fig: Figure, trend: Trend) -> None:
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    fig.subplots_adjust(left=0.09, right=0.66, top=0.9, bottom=0.1, hspace=0.3)
    _measures(top, trend)
    _scales(bottom, trend, fig.get_figheight())
    xs = list(range(len(trend.points)))
    bottom.set_xticks(xs, _dates(trend), fontsize=7.5)
    bottom.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
    if not trend.points:
        top.text(0.5, 0.5, bilingual("没有会谈", "no sessions"), transform=top.transAxes,
                 ha="center")
    fig.suptitle(f"{bilingual('学生', 'Student')} {trend.student}: {len(trend.points)} "
                 f"{bilingual('次会谈', 'session(s)')}", fontsize=10, x=0.01, ha="left")
