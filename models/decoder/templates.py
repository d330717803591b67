"""Bilingual realisation of a decoded concept sequence; every concept name comes from the graph.

Templates hold only connective words; the emotional state, severity, risk level and evidence
names are the graph's own `name_zh` / `name_en`, so the text cannot name what the graph lacks.
"""

from __future__ import annotations

from contracts.feature_text import Bilingual
from contracts.vocabulary import DISCLAIMER
from models.fusion.graph import OntologyView

CHANNEL_NAMES = {"video": ("视频", "video"), "speech": ("语音", "speech"), "scales": ("量表", "scales")}

# Recommendation candidates per (risk, level) context: (key, prior, zh, en).
RECOMMENDATIONS: dict[str, tuple[str, str]] = {
    "crisis": (
        "立即进行面对面自杀风险评估，启动危机干预流程并通知督导",
        "conduct an immediate face-to-face suicide-risk assessment, start the crisis protocol "
        "and inform the supervisor",
    ),
    "risk_review": (
        "本周内复评自杀风险，制定安全计划并加强随访",
        "re-assess suicide risk this week, agree a safety plan and increase follow-up",
    ),
    "refer": (
        "建议转介精神科进一步评估",
        "refer for a psychiatric evaluation",
    ),
    "close_follow": (
        "增加咨询频次并在两周内复评量表",
        "increase session frequency and repeat the scales within two weeks",
    ),
    "routine": (
        "按常规咨询计划继续随访",
        "continue follow-up as planned",
    ),
    "collect_scales": (
        "补充抑郁量表评估以确定抑郁程度",
        "administer a depression scale to establish the level",
    ),
}


def recommendation_candidates(risk: str, level: str) -> list[tuple[str, float]]:
    """Ordered (key, prior) options; the first is the protocol default for the context."""
    if risk == "high":
        return [("crisis", 0.95), ("risk_review", 0.05)]
    if risk in ("moderate", "low"):
        return [("risk_review", 0.85), ("crisis", 0.15)]
    if level == "unknown":
        return [("collect_scales", 0.8), ("routine", 0.2)]
    if level == "severe":
        return [("refer", 0.8), ("close_follow", 0.2)]
    if level == "moderate":
        return [("close_follow", 0.6), ("refer", 0.4)]
    return [("routine", 0.8), ("close_follow", 0.2)]


def realise(
    view: OntologyView,
    *,
    state: str | None,
    detail: str | None,
    state_sources: list[str],
    level: str | None,
    level_sources: list[str],
    risk: str,
    risk_reasons: list[tuple[str, str]],
    evidence: dict[str, list[str]],
    missing: list[str],
    recommendation: str,
) -> Bilingual:
    if state is None:
        sz, se = "无法判断", "undetermined"
        state_sources = []
    else:
        sz, se = view.name(state)
    if detail:
        dz, de = view.name(detail)
        sz, se = f"{sz}（以{dz}为主）", f"{se} (mainly {de})"
    src_z = "、".join(CHANNEL_NAMES[c][0] for c in state_sources) or "无"
    src_e = ", ".join(CHANNEL_NAMES[c][1] for c in state_sources) or "none"
    if state is None:
        zh = [f"情绪状态：{sz}（缺少表情与语音情感线索）。"]
        en = [f"Emotional state: {se} (no facial or vocal affect evidence)."]
    elif state_sources == ["scales"]:  # only the scale level's weak prior: say so
        src_z, src_e = "量表推断，可信度低", "inferred from scales only, low confidence"
        zh = [f"情绪状态：{sz}（{src_z}）。"]
        en = [f"Emotional state: {se} ({src_e})."]
    else:
        zh = [f"情绪状态：{sz}（依据{src_z}）。"]
        en = [f"Emotional state: {se} (from {src_e})."]
    if level is None:
        zh.append("抑郁程度：无法判断（缺少量表及情感线索）。")
        en.append("Depression level: undetermined (no scale or affective evidence).")
    else:
        lz, le = view.name(level)
        lsz = "、".join(CHANNEL_NAMES[c][0] for c in level_sources)
        lse = ", ".join(CHANNEL_NAMES[c][1] for c in level_sources)
        zh.append(f"抑郁程度：{lz}（依据{lsz}）。")
        en.append(f"Depression level: {le} (from {lse}).")
    rz, re_ = view.name(risk)
    if risk == "risk:none":
        zh.append(f"自杀风险：{rz}（未发现明确的自杀风险信号）。")
        en.append(f"Suicide risk: {re_} (no explicit suicide-risk signal found).")
    else:
        why_zh = "；".join(r[0] for r in risk_reasons)
        why_en = "; ".join(r[1] for r in risk_reasons)
        zh.append(f"自杀风险：{rz}——请优先处理（{why_zh}）。")
        en.append(f"Suicide risk: {re_} - act on this first ({why_en}).")
    for channel, names in evidence.items():
        cz, ce = CHANNEL_NAMES[channel]
        zh.append(f"{cz}证据：{'、'.join(view.name(c)[0] for c in names) or '无可引用概念'}。")
        en.append(f"{ce.capitalize()} evidence: {', '.join(view.name(c)[1] for c in names) or 'no citable concept'}.")
    if missing:
        zh.append(f"缺失模态：{'、'.join(CHANNEL_NAMES[c][0] for c in missing)}。")
        en.append(f"Missing modalities: {', '.join(CHANNEL_NAMES[c][1] for c in missing)}.")
    rec_z, rec_e = RECOMMENDATIONS[recommendation]
    zh.append(f"建议：{rec_z}。")
    en.append(f"Recommendation for the counselor: {rec_e}.")
    zh.append(DISCLAIMER.zh)
    en.append(DISCLAIMER.en)
    return Bilingual(zh="".join(zh), en=" ".join(en))
