"""Bilingual realisation of a decoded concept sequence; every concept name comes from the graph.

Templates hold only connective words; the emotional state, severity, risk level and evidence
names are the graph's own `name_zh` / `name_en`, so the text cannot name what the graph lacks.
Each claim sentence ends with its number, "[n]" (contracts/claims.py), when the claim rests on a
feature; the same number is on the claim's evidence items and on the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contracts.claims import marker
from contracts.feature_text import Bilingual
from contracts.session_records import EvidenceItem
from contracts.vocabulary import DISCLAIMER, risk_id
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


# The order in which the text states its claims (realise below); numbers follow it.
CLAIM_ORDER = ("emotional_state", "depression_level", "suicide_risk", "observed:video",
               "observed:speech", "observed:scales")


def _claim_rank(claim: str) -> int:
    kind = claim if claim.startswith("observed:") else claim.split(":", 1)[0]
    return CLAIM_ORDER.index(kind) if kind in CLAIM_ORDER else len(CLAIM_ORDER)


def number_claims(backed: Sequence[str], evidence: Sequence[EvidenceItem]) -> dict[str, int]:
    """Number the claims that rest on a feature (`backed`, in the order their evidence was
    attached), 1.. in the order the text states them, and set each evidence item's
    `claim_number`; returns claim -> number."""
    claims = sorted(dict.fromkeys(backed), key=_claim_rank)
    numbers = {claim: i + 1 for i, claim in enumerate(claims)}
    for item in evidence:
        item.claim_number = numbers.get(item.claim)
    return numbers


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
    cite: Mapping[str, int] | None = None,
    risk_assessed: bool = True,
) -> Bilingual:
    """The text, one sentence per claim; `cite` gives the claim numbers to mark ("[n]") per
    sentence: "state", "level", "risk" and the evidence channels ("video", ...)."""
    cite = cite or {}
    zh: list[str] = []
    en: list[str] = []

    def say(key: str, zh_sentence: str, en_sentence: str) -> None:
        n = marker(cite.get(key))
        zh.append(f"{zh_sentence}{n}。")
        en.append(f"{en_sentence} {n}." if n else f"{en_sentence}.")

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
        say("state", f"情绪状态：{sz}（缺少表情与语音情感线索）",
            f"Emotional state: {se} (no facial or vocal affect evidence)")
    elif state_sources == ["scales"]:  # only the scale level's weak prior: say so
        say("state", f"情绪状态：{sz}（量表推断，可信度低）",
            f"Emotional state: {se} (inferred from scales only, low confidence)")
    else:
        say("state", f"情绪状态：{sz}（依据{src_z}）", f"Emotional state: {se} (from {src_e})")
    if level is None:
        say("level", "抑郁程度：无法判断（缺少量表及情感线索）",
            "Depression level: undetermined (no scale or affective evidence)")
    else:
        lz, le = view.name(level)
        lsz = "、".join(CHANNEL_NAMES[c][0] for c in level_sources)
        lse = ", ".join(CHANNEL_NAMES[c][1] for c in level_sources)
        say("level", f"抑郁程度：{lz}（依据{lsz}）", f"Depression level: {le} (from {lse})")
    rz, re_ = view.name(risk)
    if risk == risk_id("none") and not risk_assessed:
        say("risk", "自杀风险：未评估（所提供的特征均不含自杀风险评估，如量表风险条目或言语转录；"
            "不代表无风险）",
            "Suicide risk: not assessed (no feature carries a suicide-risk assessment such as "
            "a scale risk item or a transcript; this does not mean no risk)")
    elif risk == risk_id("none"):
        say("risk", f"自杀风险：{rz}（未发现明确的自杀风险信号）",
            f"Suicide risk: {re_} (no explicit suicide-risk signal found)")
    else:
        why_zh = "；".join(r[0] for r in risk_reasons)
        why_en = "; ".join(r[1] for r in risk_reasons)
        say("risk", f"自杀风险：{rz}——请优先处理（{why_zh}）",
            f"Suicide risk: {re_} - act on this first ({why_en})")
    for channel, names in evidence.items():
        cz, ce = CHANNEL_NAMES[channel]
        say(channel, f"{cz}证据：{'、'.join(view.name(c)[0] for c in names) or '无可引用概念'}",
            f"{ce.capitalize()} evidence: "
            f"{', '.join(view.name(c)[1] for c in names) or 'no citable concept'}")
    if missing:
        say("missing", f"缺失模态：{'、'.join(CHANNEL_NAMES[c][0] for c in missing)}",
            f"Missing modalities: {', '.join(CHANNEL_NAMES[c][1] for c in missing)}")
    rec_z, rec_e = RECOMMENDATIONS[recommendation]
    say("recommendation", f"建议：{rec_z}", f"Recommendation for the counselor: {rec_e}")
    zh.append(DISCLAIMER.zh)
    en.append(DISCLAIMER.en)
    return Bilingual(zh="".join(zh), en=" ".join(en))
