"""Emotion categories as data: valence, micro-expression classes, basic and study emotions, and
DUTIR's seven classes, with the IS_A links that tie them together.

Micro-expression classes follow the CASME II / CAS(ME)^3 reduction used by the source study
(positive / negative / surprise / others). Where a category has no agreed valence (surprise,
confusion) MindKG chooses one and records it in `valence_note`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.vocabulary import EMOTION_NAMES, emotion_id


@dataclass(frozen=True)
class ConceptText:
    """Descriptions and lay aliases (zh and en) that let short observation texts match a concept.

    Kept apart from the structural defs so that adding phrasing never changes ids or relations.
    """

    description_zh: str
    description_en: str
    aliases_zh: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()

    def aliases(self) -> tuple[str, ...]:
        """All aliases, Chinese first, duplicates removed (order kept for deterministic seeds)."""
        return tuple(dict.fromkeys((*self.aliases_zh, *self.aliases_en)))


def check_texts(kind: str, ids: list[str], texts: Mapping[str, ConceptText]) -> None:
    """Every concept has both descriptions and at least one alias per language; no strays."""
    missing = [i for i in ids if i not in texts]
    stray = [i for i in texts if i not in ids]
    if missing or stray:
        raise ValueError(f"{kind} texts: missing {missing}, unknown {stray}")
    for key, t in texts.items():
        if not (t.description_zh and t.description_en and t.aliases_zh and t.aliases_en):
            raise ValueError(f"{kind} {key}: needs zh+en descriptions and aliases")


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


def _emotion(key: str, *rest: Any, **kw: Any) -> EmotionDef:
    """An emotion:<key> concept named as in contracts/vocabulary.py (EMOTION_NAMES)."""
    zh, en = EMOTION_NAMES[key]
    return EmotionDef(emotion_id(key), zh, en, *rest, **kw)


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
    _emotion(
        "happiness",
        ("快乐", "开心", "喜悦", "愉快"),
        ("valence:positive", "me_class:positive"),
        group="basic",
    ),
    _emotion(
        "sadness",
        ("伤心", "难过", "哀伤"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    _emotion(
        "anger",
        ("生气", "恼怒"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    _emotion(
        "fear",
        ("害怕", "惧怕"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    _emotion(
        "disgust",
        ("恶心", "嫌恶"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    _emotion(
        "contempt",
        ("蔑视", "鄙视"),
        ("valence:negative", "me_class:negative"),
        group="basic",
    ),
    _emotion(
        "surprise",
        ("吃惊", "惊奇"),
        ("valence:neutral", "me_class:surprise"),
        group="basic",
        valence_note="MindKG choice: surprise can be either valence; CASME keeps it apart",
    ),
)

STUDY: tuple[EmotionDef, ...] = (
    _emotion(
        "interest",
        ("感兴趣", "好奇"),
        ("valence:positive", "me_class:others"),
        group="study",
    ),
    _emotion(
        "confusion",
        ("迷惑", "疑惑", "不解"),
        ("valence:neutral", "me_class:others"),
        group="study",
        valence_note="MindKG choice: epistemic state, neither clearly positive nor negative",
    ),
    _emotion(
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


_T = ConceptText
# Emotion id -> typical feeling, face and voice (Ekman & Friesen's prototypes; vocal cues after
# Scherer's and Juslin & Laukka's reviews) and everyday synonyms people use for it.
EMOTION_TEXT: Mapping[str, ConceptText] = {
    "valence:positive": _T(
        "愉快、满足、放松等令人感到舒服的情绪的总称；常伴随微笑、表情舒展、语调轻快上扬。",
        "Umbrella class for pleasant feelings such as joy, contentment, relief or interest; "
        "usually shown by smiling, a relaxed open face and a light, lively voice.",
        ("正向情绪", "好情绪", "愉悦情绪", "心情好", "开心的情绪", "积极情感"),
        ("positive affect", "pleasant emotion", "good mood", "positive feelings", "upbeat"),
    ),
    "valence:negative": _T(
        "悲伤、焦虑、愤怒、恐惧、厌恶等令人不适的情绪的总称；常见皱眉、嘴角下拉、语调低沉或紧张。",
        "Umbrella class for unpleasant feelings such as sadness, anxiety, anger, fear or disgust; "
        "often shown by frowning, downturned mouth corners and a low or tense voice.",
        ("负向情绪", "不良情绪", "坏情绪", "心情不好", "消极情感", "负面情感"),
        ("negative affect", "unpleasant emotion", "bad mood", "negative feelings", "distress"),
    ),
    "valence:neutral": _T(
        "既不明显愉快也不明显不快的平静状态；面部放松、无明显表情动作，语调平稳。",
        "A calm state that is neither clearly pleasant nor unpleasant: relaxed face with no "
        "marked expression and an even, steady voice.",
        ("平静", "面无表情", "情绪平稳", "无明显情绪", "表情平淡", "心情平静"),
        ("neutral", "calm", "expressionless", "poker face", "no clear emotion", "neutral affect"),
    ),
    "me_class:positive": _T(
        "持续时间很短（通常不到半秒）、不自觉流露的积极微表情，如一闪而过的嘴角上扬和脸颊上提。",
        "A brief (usually under half a second), involuntary positive micro-expression, e.g. a "
        "fleeting lip-corner pull with raised cheeks.",
        ("一闪而过的笑", "瞬间微笑", "短暂的笑意", "不自觉的笑"),
        ("fleeting smile", "flash of happiness", "brief smile", "positive microexpression"),
    ),
    "me_class:negative": _T(
        "持续时间很短、不自觉流露的消极微表情，如瞬间的皱眉、鼻子一皱、嘴角下拉或嘴唇收紧，"
        "常见于悲伤、厌恶、愤怒、恐惧、轻蔑被压抑时。",
        "A brief, involuntary negative micro-expression, e.g. a momentary frown, nose wrinkle, "
        "lip-corner depression or lip tightening, typical of suppressed sadness, disgust, "
        "anger, fear or contempt.",
        ("一闪而过的皱眉", "瞬间的不悦", "短暂的负面表情", "压抑的负面情绪"),
        (
            "fleeting frown",
            "flash of displeasure",
            "brief negative expression",
            "negative microexpression",
        ),
    ),
    "me_class:surprise": _T(
        "持续时间很短的惊讶微表情：眉毛瞬间上扬、眼睛睁大、下颌微微下垂。",
        "A brief surprise micro-expression: brows flash up, eyes widen and the jaw drops "
        "slightly for a fraction of a second.",
        ("一闪而过的惊讶", "瞬间吃惊", "短暂的诧异"),
        ("flash of surprise", "brief surprise", "surprise microexpression"),
    ),
    "me_class:others": _T(
        "不属于积极、消极或惊讶的其他微表情，如困惑、兴趣、无聊或难以归类的短暂面部动作。",
        "Micro-expressions outside the positive, negative and surprise classes, e.g. "
        "confusion, interest, boredom or brief facial movements that are hard to classify.",
        ("其他表情", "难以归类的微表情", "其它微表情"),
        ("other microexpression", "unclassified micro-expression", "others"),
    ),
    "emotion:happiness": _T(
        "愉快、满足、喜悦的情绪；真诚的笑表现为嘴角上扬（AU12）并伴脸颊上提、眼角出现鱼尾纹（AU6），"
        "声音响亮轻快、音调偏高且起伏大。",
        "A pleasant feeling of joy or contentment; a genuine (Duchenne) smile pulls the lip "
        "corners up (AU12) with raised cheeks and crow's feet (AU6); the voice is bright, "
        "higher and more varied in pitch.",
        ("开心", "快乐", "高兴", "喜悦", "愉快", "欢喜", "兴奋", "满足", "笑容满面", "心情愉快"),
        ("happy", "joy", "joyful", "glad", "cheerful", "pleased", "delighted", "content"),
    ),
    "emotion:sadness": _T(
        "因失去、失望或无助而产生的低落、痛苦情绪；眉头内侧上抬（AU1）、眉间微皱（AU4）、"
        "嘴角下拉（AU15）、下巴上推（AU17），目光下垂；声音低沉、音量小、语速慢、单调。",
        "A low, painful feeling after loss, disappointment or helplessness; inner brows raised "
        "(AU1) and drawn together (AU4), lip corners pulled down (AU15), chin raised (AU17), "
        "gaze lowered; the voice is low, quiet, slow and monotonous.",
        (
            "难过",
            "伤心",
            "悲伤",
            "哀伤",
            "沮丧",
            "悲哀",
            "低落",
            "忧伤",
            "伤感",
            "郁闷",
            "心情低落",
            "想哭",
        ),
        (
            "sad",
            "unhappy",
            "sorrowful",
            "downcast",
            "feeling down",
            "feeling blue",
            "grief",
            "heartbroken",
            "dejected",
            "sorrow",
        ),
    ),
    "emotion:anger": _T(
        "受到阻碍、冒犯或不公时的敌意与激动；眉毛下压聚拢（AU4）、怒目圆睁（AU5）、眼睑收紧（AU7）、"
        "嘴唇紧闭或收紧（AU23/24）；声音响亮、音调升高、语速加快、语气生硬。",
        "Hostile arousal at obstruction, offence or unfairness; brows lowered and drawn "
        "together (AU4), glaring eyes (AU5, AU7), lips pressed or tightened (AU23, AU24); the "
        "voice is loud, raised in pitch, fast and harsh.",
        ("生气", "愤怒", "恼怒", "发火", "气愤", "恼火", "暴怒", "愤慨", "火大", "不满"),
        ("angry", "mad", "furious", "irritated", "annoyed", "rage", "fury", "resentful"),
    ),
    "emotion:fear": _T(
        "面对威胁或危险时的害怕与紧张；眉毛上扬并聚拢（AU1+2+4）、上眼睑上扬（AU5）、"
        "嘴唇横向拉伸（AU20）、嘴微张；声音发颤、音调偏高、语速快而不稳。",
        "Apprehension in the face of threat or danger; brows raised and drawn together "
        "(AU1+2+4), upper lids raised (AU5), lips stretched horizontally (AU20) and parted; "
        "the voice is shaky, higher-pitched and fast or irregular.",
        ("害怕", "恐惧", "惊恐", "惧怕", "担惊受怕", "恐慌", "胆怯", "畏惧", "惶恐", "吓坏了"),
        ("scared", "afraid", "frightened", "fearful", "terrified", "panic", "dread", "alarmed"),
    ),
    "emotion:disgust": _T(
        "对令人反感的事物、气味或行为的排斥；皱鼻（AU9）、上唇上抬（AU10）、嘴角下拉（AU15），"
        "有时伴下唇下拉；语气嫌弃、可伴有“呃”等声音。",
        "Revulsion at something offensive (a taste, smell, act or person); nose wrinkled "
        "(AU9), upper lip raised (AU10), lip corners down (AU15); the voice sounds repelled, "
        "sometimes with 'ugh'-like sounds.",
        ("恶心", "厌恶", "嫌恶", "反感", "嫌弃", "讨厌", "憎恶", "作呕", "排斥"),
        ("disgusted", "revulsion", "repulsed", "grossed out", "aversion", "distaste", "loathing"),
    ),
    "emotion:contempt": _T(
        "自觉高人一等的看不起与不屑；典型表现为单侧嘴角收紧上提（单侧AU12/AU14，冷笑、撇嘴），"
        "可伴翻白眼或抬下巴；语气冷淡、讥讽。",
        "Feeling superior to and dismissive of someone; typically a one-sided tightening and "
        "raising of a lip corner (unilateral AU12/AU14: a sneer or smirk), sometimes with an "
        "eye-roll or raised chin; the voice is cold or sarcastic.",
        ("轻蔑", "蔑视", "鄙视", "不屑", "看不起", "瞧不起", "冷笑", "嗤之以鼻", "嘲讽"),
        ("contemptuous", "scorn", "disdain", "sneer", "smirk", "looking down on", "dismissive"),
    ),
    "emotion:surprise": _T(
        "对突发或意外事件的短暂反应；眉毛上扬（AU1+2）、眼睛睁大（AU5）、下颌下垂、张嘴（AU26），"
        "持续时间短；常伴吸气声或“啊”“哇”等感叹，音调突然升高。",
        "A brief reaction to something sudden or unexpected; brows raised (AU1+2), eyes "
        "widened (AU5), jaw dropped with mouth open (AU26); often a gasp or 'oh!' with a "
        "sudden rise in pitch.",
        ("吃惊", "惊讶", "惊奇", "诧异", "意外", "震惊", "惊愕", "目瞪口呆", "出乎意料"),
        ("surprised", "astonished", "amazed", "startled", "shocked", "taken aback"),
    ),
    "emotion:interest": _T(
        "对事物产生注意与探究的积极状态；眉毛略上扬（AU1/AU2）、眼睛睁大专注（AU5）、身体前倾、"
        "目光追随；语调有起伏、语速适中或稍快。",
        "A positive state of attention and wanting to explore; brows slightly raised "
        "(AU1/AU2), eyes widened and focused (AU5), leaning in and following with the gaze; "
        "lively, varied intonation.",
        ("感兴趣", "好奇", "兴趣", "专注", "投入", "关注", "有兴致", "想了解"),
        ("interested", "curious", "engaged", "attentive", "intrigued", "absorbed"),
    ),
    "emotion:confusion": _T(
        "无法理解或不确定时的认知性情绪；皱眉（AU4）、眼睑收紧眯眼（AU7）、嘴唇收紧（AU23）或嘴角下拉，"
        "常歪头；说话迟疑、停顿多、语调上扬呈疑问。",
        "An epistemic feeling of not understanding or being unsure; brows lowered (AU4), lids "
        "tightened (AU7), lips tightened (AU23) or corners down, often a head tilt; hesitant "
        "speech with pauses and questioning rises in pitch.",
        ("困惑", "迷惑", "疑惑", "不解", "糊涂", "茫然", "摸不着头脑", "一头雾水", "纳闷"),
        ("confused", "puzzled", "perplexed", "bewildered", "baffled", "uncertain"),
    ),
    "emotion:boredom": _T(
        "缺乏刺激、兴趣低下时的厌倦与不耐烦；眼睑下垂或闭眼（AU43）、嘴角收紧（AU14）、抿嘴（AU24），"
        "目光游离、打哈欠；声音低沉平淡、语速慢、音量小。",
        "Weariness and restlessness when nothing holds interest; drooping or closed eyelids "
        "(AU43), tightened mouth corners (AU14), pressed lips (AU24), wandering gaze, "
        "yawning; the voice is low, flat, slow and quiet.",
        ("无聊", "厌倦", "乏味", "无趣", "没意思", "提不起劲", "百无聊赖", "腻烦", "不耐烦"),
        ("bored", "boring", "weary", "tedium", "uninterested", "disengaged", "fed up"),
    ),
    "dutir:happiness": _T(
        "大连理工情感词汇本体的“乐”类：快乐、安心等愉快情感，对应基本情绪中的高兴。",
        "DUTIR's 乐 (joy) class: happy, relieved and at-ease feelings; corresponds to the "
        "basic emotion happiness.",
        ("快乐", "安心", "喜悦", "欢乐", "舒心", "欣慰"),
        ("joy", "happy", "relieved", "at ease"),
    ),
    "dutir:like": _T(
        "大连理工情感词汇本体的“好”类：喜爱、尊敬、赞扬、相信、祝愿等对人或事的正面态度。",
        "DUTIR's 好 (liking) class: affection, respect, praise, trust and good wishes toward "
        "someone or something.",
        ("喜爱", "喜欢", "尊敬", "赞扬", "相信", "信任", "祝愿", "欣赏"),
        ("liking", "fondness", "affection", "respect", "admiration", "trust"),
    ),
    "dutir:anger": _T(
        "大连理工情感词汇本体的“怒”类：愤怒、气愤等情感，对应基本情绪中的愤怒。",
        "DUTIR's 怒 (anger) class: anger and indignation; corresponds to the basic emotion anger.",
        ("愤怒", "生气", "气愤", "恼火", "愤恨"),
        ("anger", "angry", "indignation", "outrage"),
    ),
    "dutir:sadness": _T(
        "大连理工情感词汇本体的“哀”类：悲伤、失望、内疚、思念等情感，对应基本情绪中的悲伤。",
        "DUTIR's 哀 (sorrow) class: sadness, disappointment, guilt and longing; corresponds to "
        "the basic emotion sadness.",
        ("悲伤", "失望", "内疚", "思念", "难过", "伤心", "悲痛"),
        ("sorrow", "sadness", "disappointment", "guilt", "longing"),
    ),
    "dutir:fear": _T(
        "大连理工情感词汇本体的“惧”类：慌张、恐惧、羞怯等情感，对应基本情绪中的恐惧。",
        "DUTIR's 惧 (fear) class: panic, fear and shyness or shame; corresponds to the basic "
        "emotion fear.",
        ("慌张", "恐惧", "害羞", "害怕", "胆怯", "惊慌"),
        ("fear", "panic", "afraid", "shy", "timid"),
    ),
    "dutir:disgust": _T(
        "大连理工情感词汇本体的“恶”类：烦闷、憎恶、贬责、妒忌、怀疑等排斥性情感，对应基本情绪中的厌恶。",
        "DUTIR's 恶 (aversion) class: vexation, hatred, blame, envy and suspicion; corresponds "
        "to the basic emotion disgust.",
        ("烦闷", "憎恶", "贬责", "妒忌", "怀疑", "厌恶", "讨厌", "嫉妒"),
        ("aversion", "hatred", "vexation", "envy", "suspicion", "disgust"),
    ),
    "dutir:surprise": _T(
        "大连理工情感词汇本体的“惊”类：惊奇、惊讶等情感，对应基本情绪中的惊讶。",
        "DUTIR's 惊 (surprise) class: astonishment and wonder; corresponds to the basic "
        "emotion surprise.",
        ("惊奇", "惊讶", "吃惊", "诧异"),
        ("surprise", "astonishment", "wonder", "amazed"),
    ),
}
check_texts("emotion", [e.id for e in EMOTIONS], EMOTION_TEXT)
