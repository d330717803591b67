"""Colours, hatches and labels shared by the PNG and the HTML (SVG) pictures.

Every category differs by more than colour (hatch, marker or line style), so the pictures
stay readable in grayscale and for colour-blind readers.
"""

from __future__ import annotations

from contracts.vocabulary import DISCLAIMER_SHORT

DISCLAIMER = (DISCLAIMER_SHORT.zh, DISCLAIMER_SHORT.en)

# Facial-event classes (me_class): fill colour and hatch.
CLASS_STYLE = {
    "negative": ("#c0392b", "////"),
    "positive": ("#2e86c1", "...."),
    "surprise": ("#e67e22", "xx"),
    "other": ("#7f8c8d", ""),
}
# Utterance polarity: fill colour and hatch.
POLARITY_STYLE = {
    "negative": ("#e6a19a", "////"),
    "positive": ("#a9cce3", "...."),
    "neutral": ("#e5e7e9", ""),
}
UNSCORED = ("#ffffff", "")
PAUSE = "#d5d8dc"
EVIDENCE = "#f4d03f"
F0_COLOR = "#1a5276"
ENERGY_COLOR = "#6e2c00"

LANES = {  # key -> (zh, en)
    "evidence": ("评估证据", "Evidence"),
    "face": ("面部事件", "Facial events"),
    "f0": ("基频 F0 (Hz)", "Pitch F0 (Hz)"),
    "energy": ("能量 (dBFS)", "Energy (dBFS)"),
    "rate": ("语速 (音节/秒)", "Speech rate (syll/s)"),
    "speech": ("话语 (情感倾向)", "Utterances (polarity)"),
    "scales": ("量表", "Scales"),
    "summaries": ("整场汇总 (不在时间轴上)", "Session summaries (not events)"),
}
CLASS_NAMES = {
    "negative": ("负性", "negative"),
    "positive": ("正性", "positive"),
    "surprise": ("惊讶", "surprise"),
    "other": ("其他", "other"),
}
LEVEL_NAMES = {  # scale bands as the scales store them
    "none": ("无", "none"),
    "minimal": ("极轻微", "minimal"),
    "mild": ("轻度", "mild"),
    "moderate": ("中度", "moderate"),
    "moderately_severe": ("中重度", "mod.-severe"),
    "severe": ("重度", "severe"),
}
POLARITY_NAMES = {
    "negative": ("负性", "negative"),
    "positive": ("正性", "positive"),
    "neutral": ("中性", "neutral"),
}


def class_key(me_class: str) -> str:
    """The style key of a facial-event class ("others" and unknown classes draw as other)."""
    return me_class if me_class in CLASS_STYLE else "other"


def class_style(me_class: str) -> tuple[str, str]:
    return CLASS_STYLE[class_key(me_class)]


def polarity_style(label: str | None) -> tuple[str, str]:
    return POLARITY_STYLE.get(label or "", UNSCORED)


def clock(seconds: float, long: bool) -> str:
    """Axis label: seconds for short sessions, m:ss for long ones."""
    if not long:
        return f"{seconds:g}"
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def nice_step(duration: float, target_ticks: int = 10) -> float:
    """A 1/2/5 x 10^k (or minute) tick spacing giving about `target_ticks` ticks."""
    raw = max(duration, 1e-6) / target_ticks
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if step >= raw:
            return float(step)
    return 3600.0 * (int(raw // 3600) + 1)


def event_label(aus: list[str], emotion: str | None, limit: int = 3) -> str:
    label = "+".join(aus[:limit])
    if emotion:
        label = f"{label} {emotion}" if label else emotion
    return label


def abbreviate(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    if max_chars <= 1:
        return ""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
