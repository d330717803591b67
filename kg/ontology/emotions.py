"""Emotion categories as data: valence, micro-expression classes, basic and study emotions, and
DUTIR's seven classes, with the IS_A links that tie them together.

Micro-expression classes follow the CASME II / CAS(ME)^3 reduction used by the source study
(positive / negative / surprise / others). Where a category has no agreed valence (surprise,
confusion) MindKG chooses one and records it in `valence_note`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EmotionDef:
    id: str
    name_zh: str
    name_en: str
    aliases_zh: tuple[str, ...] = ()
    is_a: tuple[str, ...] = ()
    synonym_of: tuple[str, ...] = ()
    group: str = ""  # valence | me_class | basic | study | dutir
    valence_note: str = ""


VALENCE: tuple[EmotionDef, ...] = (
    EmotionDef(
        "valence:positive",
        "积极情绪",
        "positive emotion",
        ("正性情绪", "正面情绪"),
        group="valence",
    ),
    EmotionDef(
        "valence:negative",
        "消极情绪",
        "negative emotion",
        ("负性情绪", "负面情绪"),
        group="valence",
    ),
    EmotionDef("valence:neutral", "中性情绪", "neutral emotion", ("中性",), group="valence"),
)

ME_CLASSES: tuple[EmotionDef, ...] = (
    EmotionDef(
        "me_class:positive",
        "积极微表情",
        "positive micro-expression",
        is_a=("valence:positive",),
        group="me_class",
    ),
    EmotionDef(
        "me_class:negative",
        "消极微表情",
        "negative micro-expression",
        is_a=("valence:negative",),
        group="me_class",
    ),
    EmotionDef("me_class:surprise", "惊讶微表情", "surprise micro-expression", group="me_class"),
    EmotionDef("me_class:others", "其他微表情", "other micro-expression", group="me_class"),
)

BASIC: tuple[EmotionDef, ...] = (
    EmotionDef(
        "emotion:happiness",
        "高兴",
        "happiness",
        ("快乐", "开心", "喜悦", "愉快"),
        ("valence:positive", "me_class:positive"),
        group="basic",
    ),
    EmotionDef(
        "emotion:sadness",
        "悲伤",
        "sadness",
        ("伤心", "难过", "哀伤"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    EmotionDef(
        "emotion:anger",
        "愤怒",
        "anger",
        ("生气", "恼怒"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    EmotionDef(
        "emotion:fear",
        "恐惧",
        "fear",
        ("害怕", "惧怕"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    EmotionDef(
        "emotion:disgust",
        "厌恶",
        "disgust",
        ("恶心", "嫌恶"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    EmotionDef(
        "emotion:contempt",
        "轻蔑",
        "contempt",
        ("蔑视", "鄙视"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    EmotionDef(
        "emotion:surprise",
        "惊讶",
        "surprise",
        ("吃惊", "惊奇"),
        ("valence:neutral", "me_class:surprise"),
        group="basic",
        valence_note="MindKG choice: surprise can be either valence; CASME keeps it apart",
    ),
)

STUDY: tuple[EmotionDef, ...] = (
    EmotionDef(
        "emotion:interest",
        "兴趣",
        "interest",
        ("感兴趣", "好奇"),
        ("valence:positive", "me_class:others"),
        group="study",
    ),
    EmotionDef(
        "emotion:confusion",
        "困惑",
        "confusion",
        ("迷惑", "疑惑", "不解"),
        ("valence:neutral", "me_class:others"),
        group="study",
        valence_note="MindKG choice: epistemic state, neither clearly positive nor negative",
    ),
    EmotionDef(
        "emotion:boredom",
        "无聊",
        "boredom",
        ("厌倦", "乏味", "无趣"),
        ("valence:negative", "me_class:others"),
        group="study",
    ),
)

# DUTIR (Dalian Univ. of Technology emotion ontology): 乐 好 怒 哀 惧 恶 惊.
DUTIR: tuple[EmotionDef, ...] = (
    EmotionDef(
        "dutir:happiness",
        "乐",
        "joy (DUTIR 乐)",
        ("快乐", "安心"),
        ("valence:positive",),
        ("emotion:happiness",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:like",
        "好",
        "liking (DUTIR 好)",
        ("喜爱", "尊敬", "赞扬", "相信", "祝愿"),
        ("valence:positive",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:anger",
        "怒",
        "anger (DUTIR 怒)",
        ("愤怒",),
        ("valence:negative",),
        ("emotion:anger",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:sadness",
        "哀",
        "sadness (DUTIR 哀)",
        ("悲伤", "失望", "疚", "思"),
        ("valence:negative",),
        ("emotion:sadness",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:fear",
        "惧",
        "fear (DUTIR 惧)",
        ("慌", "恐惧", "羞"),
        ("valence:negative",),
        ("emotion:fear",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:disgust",
        "恶",
        "disgust (DUTIR 恶)",
        ("烦闷", "憎恶", "贬责", "妒忌", "怀疑"),
        ("valence:negative",),
        ("emotion:disgust",),
        group="dutir",
    ),
    EmotionDef(
        "dutir:surprise",
        "惊",
        "surprise (DUTIR 惊)",
        ("惊奇",),
        ("valence:neutral",),
        ("emotion:surprise",),
        group="dutir",
    ),
)

EMOTIONS: tuple[EmotionDef, ...] = (*VALENCE, *ME_CLASSES, *BASIC, *STUDY, *DUTIR)
EMOTION_BY_ID: Mapping[str, EmotionDef] = {e.id: e for e in EMOTIONS}

# dutir:like is closest to the study's "interest" (liking, approach); recorded as RELATED_TO.
RELATED: tuple[tuple[str, str], ...] = (("dutir:like", "emotion:interest"),)


def _check() -> None:
    for e in EMOTIONS:
        for target in (*e.is_a, *e.synonym_of):
            if target not in EMOTION_BY_ID:
                raise ValueError(f"{e.id}: unknown target {target}")


_check()
