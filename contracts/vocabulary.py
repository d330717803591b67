"""The shared vocabulary: depression and risk levels, concept ids, the decision-support
disclaimer, and the names of action units, emotions and micro-expression classes.

One source of truth for every stage: the recognizers write these names into feature texts,
the graph seeds its concepts with them (kg/ontology/), and the decoder and fusion read the
same level and risk keys. Chinese first, English too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from contracts.feature_text import Bilingual

# --- levels and risk --------------------------------------------------------------------------

GeneralLevel = Literal["none", "mild", "moderate", "severe"]
# The assessment's level: a general level, or "unknown" when nothing could decide it.
DepressionLevel = Literal["none", "mild", "moderate", "severe", "unknown"]
RiskLevel = Literal["none", "low", "moderate", "high"]

GENERAL_LEVELS: tuple[GeneralLevel, ...] = ("none", "mild", "moderate", "severe")
RISK_LEVELS: tuple[RiskLevel, ...] = ("none", "low", "moderate", "high")

# The graph's labels of the general-level (Severity) and RiskLevel concepts.
GENERAL_LEVEL_LABELS: Mapping[GeneralLevel, tuple[str, str]] = {
    "none": ("无抑郁", "no depression"),
    "mild": ("轻度抑郁", "mild depression"),
    "moderate": ("中度抑郁", "moderate depression"),
    "severe": ("重度抑郁", "severe depression"),
}
RISK_LEVEL_LABELS: Mapping[RiskLevel, tuple[str, str]] = {
    "none": ("无自杀风险信号", "no suicide-risk signal"),
    "low": ("低自杀风险", "low suicide risk"),
    "moderate": ("中等自杀风险", "moderate suicide risk"),
    "high": ("高自杀风险", "high suicide risk"),
}


def max_risk(levels: Iterable[RiskLevel]) -> RiskLevel:
    """The highest of several risk levels ('none' for none at all)."""
    return max(levels, key=RISK_LEVELS.index, default="none")


# --- concept ids (docs/CONVENTIONS.md) ----------------------------------------------------------

AU_PREFIX = "au:"
EMOTION_PREFIX = "emotion:"
ME_CLASS_PREFIX = "me_class:"
SEVERITY_PREFIX = "severity:"
RISK_PREFIX = "risk:"
SYMPTOM_PREFIX = "symptom:"
POLARITY_PREFIX = "polarity:"
VALENCE_PREFIX = "valence:"
PROSODY_PREFIX = "prosody:"
RATE_PREFIX = "rate:"
SCALE_PREFIX = "scale:"
SCALE_ITEM_PREFIX = "scale_item:"


def au_id(number: int) -> str:
    """`au:AU4`."""
    return f"{AU_PREFIX}AU{number}"


def emotion_id(key: str) -> str:
    """`emotion:sadness`."""
    return f"{EMOTION_PREFIX}{key}"


def me_class_id(key: str) -> str:
    """`me_class:negative`."""
    return f"{ME_CLASS_PREFIX}{key}"


def general_level_id(level: str) -> str:
    """`severity:moderate`: the general depression level (not one scale's band)."""
    if level not in GENERAL_LEVELS:
        raise ValueError(f"unknown general level {level!r}; known: {', '.join(GENERAL_LEVELS)}")
    return f"{SEVERITY_PREFIX}{level}"


def risk_id(level: str) -> str:
    """`risk:high`."""
    if level not in RISK_LEVELS:
        raise ValueError(f"unknown risk level {level!r}; known: {', '.join(RISK_LEVELS)}")
    return f"{RISK_PREFIX}{level}"


def symptom_id(key: str) -> str:
    """`symptom:anhedonia`."""
    return f"{SYMPTOM_PREFIX}{key}"


def polarity_id(label: str) -> str:
    """`polarity:negative`."""
    return f"{POLARITY_PREFIX}{label}"


def valence_id(label: str) -> str:
    """`valence:negative`: the positive / negative / neutral emotion groups."""
    return f"{VALENCE_PREFIX}{label}"


# --- the disclaimer --------------------------------------------------------------------------

# Every assessment carries it (Assessment.disclaimer and the end of its text).
DISCLAIMER = Bilingual(
    zh="本评估仅为辅助决策参考，供专业心理咨询师/医生使用，不构成诊断。",
    en="This assessment is decision support for a qualified professional, not a diagnosis.",
)
# The short form printed on pictures (timeline PNG/HTML, plots).
DISCLAIMER_SHORT = Bilingual(
    zh="仅供专业人员决策参考，不是诊断。",
    en="Decision support for a qualified professional, not a diagnosis.",
)

# --- action units, emotions, micro-expression classes ------------------------------------------

# The 44 FACS action units (1-46 without 3 and 40): (zh, en). The graph's AU concepts
# (kg/ontology/facs.py) and the video recognizer's feature texts both use these names.
AU_NAMES: Mapping[int, tuple[str, str]] = {
    1: ("眉内角上扬", "Inner Brow Raiser"),
    2: ("眉外角上扬", "Outer Brow Raiser"),
    4: ("皱眉（眉毛下压）", "Brow Lowerer"),
    5: ("上眼睑上扬", "Upper Lid Raiser"),
    6: ("脸颊上提", "Cheek Raiser"),
    7: ("眼睑收紧", "Lid Tightener"),
    8: ("双唇相向", "Lips Toward Each Other"),
    9: ("皱鼻", "Nose Wrinkler"),
    10: ("上唇上提", "Upper Lip Raiser"),
    11: ("鼻唇沟加深", "Nasolabial Deepener"),
    12: ("嘴角上扬", "Lip Corner Puller"),
    13: ("嘴角急拉（鼓颊）", "Sharp Lip Puller"),
    14: ("酒窝（嘴角收紧）", "Dimpler"),
    15: ("嘴角下拉", "Lip Corner Depressor"),
    16: ("下唇下拉", "Lower Lip Depressor"),
    17: ("下巴上抬", "Chin Raiser"),
    18: ("撅嘴", "Lip Pucker"),
    19: ("吐舌", "Tongue Show"),
    20: ("嘴唇横向拉伸", "Lip Stretcher"),
    21: ("颈部收紧", "Neck Tightener"),
    22: ("嘴唇呈漏斗状", "Lip Funneler"),
    23: ("嘴唇收紧", "Lip Tightener"),
    24: ("抿嘴（双唇压紧）", "Lip Pressor"),
    25: ("双唇分开", "Lips Part"),
    26: ("下颌下垂", "Jaw Drop"),
    27: ("张大嘴", "Mouth Stretch"),
    28: ("吸唇", "Lip Suck"),
    29: ("下颌前伸", "Jaw Thrust"),
    30: ("下颌侧移", "Jaw Sideways"),
    31: ("咬紧牙关", "Jaw Clencher"),
    32: ("咬唇", "Lip Bite"),
    33: ("吹气鼓颊", "Cheek Blow"),
    34: ("鼓腮", "Cheek Puff"),
    35: ("吸颊", "Cheek Suck"),
    36: ("舌顶脸颊", "Tongue Bulge"),
    37: ("舔唇", "Lip Wipe"),
    38: ("鼻孔扩张", "Nostril Dilator"),
    39: ("鼻孔收缩", "Nostril Compressor"),
    41: ("眼睑下垂", "Lid Droop"),
    42: ("眯眼（眼裂变窄）", "Slit"),
    43: ("闭眼", "Eyes Closed"),
    44: ("斜眼（眯缝眼）", "Squint"),
    45: ("眨眼", "Blink"),
    46: ("单眼眨眼", "Wink"),
}

# Basic (Ekman) and study emotions, keyed by the `emotion:<key>` id: (zh, en).
EMOTION_NAMES: Mapping[str, tuple[str, str]] = {
    "happiness": ("高兴", "happiness"),
    "surprise": ("惊讶", "surprise"),
    "sadness": ("悲伤", "sadness"),
    "anger": ("愤怒", "anger"),
    "fear": ("恐惧", "fear"),
    "disgust": ("厌恶", "disgust"),
    "contempt": ("轻蔑", "contempt"),
    "confusion": ("困惑", "confusion"),
    "boredom": ("无聊", "boredom"),
    "interest": ("兴趣", "interest"),
}

# The 4 micro-expression classes (CAS(ME)^3 / MEGC grouping), short names: (zh, en). The
# graph's me_class concepts are named "<zh>微表情" / "<en> micro-expression".
ME_CLASS_NAMES: Mapping[str, tuple[str, str]] = {
    "positive": ("积极", "positive"),
    "negative": ("消极", "negative"),
    "surprise": ("惊讶", "surprise"),
    "others": ("其他", "others"),
}
