"""Speech descriptors as data: intonation (prosody), speech rate and content polarity.

The source study maps prosodic and spectral measurements "into corresponding feature texts
through a table"; these are the concepts those texts align to. The INDICATES links follow the
depression-speech literature (reduced pitch range and energy, slow rate and long pauses in
depression; raised pitch and fast rate with high arousal); weights are MindKG's priors for the
decoder, not values from the paper, which gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kg.ontology.emotions import ConceptText, check_texts


@dataclass(frozen=True)
class DescriptorDef:
    id: str
    type: str  # Prosody | SpeechRate | ContentPolarity
    name_zh: str
    name_en: str
    aliases_zh: tuple[str, ...] = ()
    indicates: tuple[tuple[str, float], ...] = ()  # (concept id, weight)
    is_a: tuple[str, ...] = ()


PROSODY: tuple[DescriptorDef, ...] = (
    DescriptorDef(
        "prosody:normal",
        "Prosody",
        "语调正常",
        "normal intonation",
        ("语调自然",),
        (("valence:neutral", 0.5),),
    ),
    DescriptorDef(
        "prosody:low",
        "Prosody",
        "语调低沉",
        "low pitch",
        ("声音低沉",),
        (("emotion:sadness", 0.6), ("symptom:depressed_mood", 0.5), ("valence:negative", 0.5)),
    ),
    DescriptorDef(
        "prosody:flat",
        "Prosody",
        "语调平淡",
        "flat, monotonous intonation",
        ("语调单调", "缺乏起伏"),
        (("symptom:depressed_mood", 0.6), ("emotion:boredom", 0.4), ("symptom:anhedonia", 0.3)),
    ),
    DescriptorDef(
        "prosody:low_flat",
        "Prosody",
        "语调低沉平淡",
        "low and flat intonation",
        ("低沉单调",),
        (("symptom:depressed_mood", 0.8), ("emotion:sadness", 0.6), ("valence:negative", 0.6)),
        ("prosody:low", "prosody:flat"),
    ),
    DescriptorDef(
        "prosody:weak",
        "Prosody",
        "声音微弱",
        "weak, low-energy voice",
        ("有气无力",),
        (("symptom:fatigue", 0.6), ("symptom:depressed_mood", 0.4)),
    ),
    DescriptorDef(
        "prosody:high",
        "Prosody",
        "语调高亢",
        "high pitch",
        ("声音高亢",),
        (("emotion:anger", 0.4), ("emotion:happiness", 0.3), ("emotion:surprise", 0.3)),
    ),
    DescriptorDef(
        "prosody:variable",
        "Prosody",
        "语调起伏大",
        "highly variable intonation",
        ("抑扬顿挫明显",),
        (("emotion:happiness", 0.4), ("emotion:anger", 0.3), ("emotion:surprise", 0.3)),
    ),
    DescriptorDef(
        "prosody:tremulous",
        "Prosody",
        "声音颤抖",
        "tremulous voice",
        ("声音发颤",),
        (("emotion:fear", 0.6), ("symptom:psychic_anxiety", 0.5), ("emotion:sadness", 0.3)),
    ),
    DescriptorDef(
        "prosody:tense",
        "Prosody",
        "语调紧张",
        "tense, strained voice",
        ("声音紧绷",),
        (("symptom:psychic_anxiety", 0.5), ("emotion:anger", 0.3), ("emotion:fear", 0.3)),
    ),
)

RATES: tuple[DescriptorDef, ...] = (
    DescriptorDef(
        "rate:normal",
        "SpeechRate",
        "语速正常",
        "normal speech rate",
        ("语速适中",),
        (("valence:neutral", 0.5),),
    ),
    DescriptorDef(
        "rate:slow",
        "SpeechRate",
        "语速缓慢",
        "slow speech",
        ("说话慢",),
        (
            ("symptom:psychomotor_retardation", 0.6),
            ("emotion:sadness", 0.4),
            ("symptom:fatigue", 0.3),
        ),
    ),
    DescriptorDef(
        "rate:many_pauses",
        "SpeechRate",
        "停顿多",
        "many or long pauses",
        ("停顿频繁", "言语断续"),
        (
            ("symptom:psychomotor_retardation", 0.5),
            ("symptom:poor_concentration", 0.3),
            ("symptom:indecisiveness", 0.3),
        ),
    ),
    DescriptorDef(
        "rate:slow_many_pauses",
        "SpeechRate",
        "语速缓慢且停顿多",
        "slow speech with many pauses",
        ("言语迟缓",),
        (
            ("symptom:psychomotor_retardation", 0.8),
            ("symptom:depressed_mood", 0.5),
            ("emotion:sadness", 0.4),
        ),
        ("rate:slow", "rate:many_pauses"),
    ),
    DescriptorDef(
        "rate:fast",
        "SpeechRate",
        "语速急促",
        "fast, hurried speech",
        ("说话急促",),
        (
            ("symptom:psychic_anxiety", 0.5),
            ("symptom:psychomotor_agitation", 0.4),
            ("emotion:anger", 0.3),
        ),
    ),
    DescriptorDef(
        "rate:pressured",
        "SpeechRate",
        "言语急促不停",
        "pressured speech",
        ("滔滔不绝",),
        (("symptom:psychomotor_agitation", 0.6), ("emotion:happiness", 0.2)),
    ),
)

POLARITY: tuple[DescriptorDef, ...] = (
    DescriptorDef(
        "polarity:positive",
        "ContentPolarity",
        "积极内容",
        "positive content",
        ("正面表述",),
        is_a=("valence:positive",),
    ),
    DescriptorDef(
        "polarity:negative",
        "ContentPolarity",
        "消极内容",
        "negative content",
        ("负面表述",),
        is_a=("valence:negative",),
    ),
    DescriptorDef(
        "polarity:neutral",
        "ContentPolarity",
        "中性内容",
        "neutral content",
        ("中性表述",),
        is_a=("valence:neutral",),
    ),
)

DESCRIPTORS: tuple[DescriptorDef, ...] = (*PROSODY, *RATES, *POLARITY)

_T = ConceptText
# Descriptor id -> what a listener hears (or, for polarity, what the words say) and how
# clinicians, students and counsellors phrase it.
DESCRIPTOR_TEXT: Mapping[str, ConceptText] = {
    "prosody:normal": _T(
        "语调自然，音高、音量有正常的起伏变化，与说话内容和情境相符。",
        "Natural intonation: pitch and loudness rise and fall normally and fit the content "
        "and situation.",
        ("语调自然", "语调正常", "声音正常", "语气平和", "说话自然"),
        ("normal intonation", "natural prosody", "normal voice", "normal tone of voice"),
    ),
    "prosody:low": _T(
        "基频（音高）整体偏低，声音低沉、压抑，常伴随音量较小。",
        "Overall low fundamental frequency: a deep, subdued, heavy voice, often also quiet.",
        ("声音低沉", "语调低沉", "音调低", "嗓音低沉", "声音压抑", "语气沉重"),
        ("low pitch", "low-pitched voice", "deep voice", "subdued voice", "heavy tone"),
    ),
    "prosody:flat": _T(
        "音高变化范围小、缺乏抑扬顿挫，说话像念稿一样单调，情感色彩少。",
        "Narrow pitch range with little rise and fall: speech sounds monotonous, like "
        "reading aloud, with little emotional colouring.",
        ("语调单调", "语调平淡", "缺乏起伏", "没有起伏", "平铺直叙", "声音没有感情", "语气平淡"),
        ("monotone", "monotonous", "flat intonation", "flat voice", "expressionless voice"),
    ),
    "prosody:low_flat": _T(
        "音调偏低且几乎没有起伏：声音低沉、平淡、单调，听起来缺乏生气，是抑郁言语的典型表现。",
        "Low pitch with almost no variation: a low, flat, monotonous voice that sounds "
        "lifeless; a typical feature of depressed speech.",
        ("语调低沉、平淡", "声音低沉无起伏", "低沉单调", "语调低平", "声音低沉平淡", "语气低落"),
        (
            "monotone",
            "flat low voice",
            "low monotonous voice",
            "low and flat tone",
            "lifeless voice",
        ),
    ),
    "prosody:weak": _T(
        "音量小、发声能量低，声音轻、虚弱，听起来有气无力、没有精神。",
        "Low loudness and vocal energy: a soft, feeble, breathy voice that sounds tired and "
        "lacking in energy.",
        ("有气无力", "声音微弱", "声音很小", "声音虚弱", "说话没力气", "声音轻", "小声"),
        ("weak voice", "soft voice", "quiet voice", "feeble voice", "low energy voice"),
    ),
    "prosody:high": _T(
        "基频整体偏高，声音高亢、尖锐，常伴随音量增大，见于激动、愤怒、兴奋或惊讶。",
        "Overall high fundamental frequency: a raised, sharp, often loud voice, heard in "
        "agitation, anger, excitement or surprise.",
        ("声音高亢", "语调高", "音调升高", "声音尖", "嗓门大", "提高声调"),
        ("high pitch", "high-pitched voice", "raised voice", "shrill voice", "loud voice"),
    ),
    "prosody:variable": _T(
        "音高和音量变化幅度大，抑扬顿挫明显，富有表现力，常见于情绪高涨或激动时。",
        "Wide variation in pitch and loudness: very expressive, animated speech, common "
        "with high arousal.",
        ("抑扬顿挫明显", "语调起伏大", "语调丰富", "声情并茂", "语气激动"),
        ("variable intonation", "expressive voice", "animated speech", "lively intonation"),
    ),
    "prosody:tremulous": _T(
        "声音不稳定、发抖，音高和音量有细小的快速波动，可伴哽咽，见于恐惧、焦虑或强忍哭泣时。",
        "An unsteady, shaking voice with small rapid wobbles in pitch and loudness, "
        "sometimes choked, heard in fear, anxiety or held-back crying.",
        ("声音发颤", "声音颤抖", "声音发抖", "哽咽", "带着哭腔", "声音不稳"),
        ("tremulous voice", "shaky voice", "trembling voice", "quavering voice", "choked voice"),
    ),
    "prosody:tense": _T(
        "发声紧张用力，声音紧绷、发紧、发干，音调偏高且僵硬，见于焦虑、紧张或压抑愤怒时。",
        "A strained, pressed voice: tight, harsh and often higher and rigid in pitch, heard "
        "in anxiety, nervousness or suppressed anger.",
        ("声音紧绷", "语调紧张", "声音发紧", "说话紧张", "语气生硬"),
        ("tense voice", "strained voice", "tight voice", "nervous voice", "pressed voice"),
    ),
    "rate:normal": _T(
        "语速适中，停顿自然，表达流畅。",
        "Speech at an ordinary pace with natural pauses and fluent delivery.",
        ("语速适中", "语速正常", "说话流畅", "表达流畅", "节奏正常"),
        ("normal speech rate", "normal pace", "fluent speech", "normal tempo"),
    ),
    "rate:slow": _T(
        "说话速度明显慢于常人，字与字之间拖长，反应慢，可见于抑郁或疲乏。",
        "Noticeably slower than usual speech, words drawn out and replies slow; seen in "
        "depression or fatigue.",
        ("说话慢", "语速缓慢", "语速慢", "说话慢吞吞", "慢条斯理", "反应慢"),
        ("slow speech", "speaks slowly", "slow speech rate", "slowed speech", "slow talking"),
    ),
    "rate:many_pauses": _T(
        "说话时停顿频繁或停顿时间长，句子断断续续，回答前长时间沉默。",
        "Frequent or long pauses while speaking; sentences break off and there are long "
        "silences before answers.",
        (
            "停顿频繁",
            "言语断续",
            "停顿多",
            "说话断断续续",
            "欲言又止",
            "回答前长时间沉默",
            "吞吞吐吐",
        ),
        ("many pauses", "long pauses", "frequent pauses", "halting speech", "hesitant speech"),
    ),
    "rate:slow_many_pauses": _T(
        "语速缓慢、停顿多且长，话语量少，回应延迟，是抑郁相关精神运动性迟滞在言语上的表现。",
        "Slow speech with many long pauses, little speech and delayed replies: the speech "
        "sign of psychomotor retardation in depression.",
        (
            "言语迟缓",
            "语速缓慢、停顿多",
            "说话慢吞吞",
            "说话又慢又断断续续",
            "反应迟缓",
            "话少且慢",
        ),
        (
            "speaks slowly with long pauses",
            "slow halting speech",
            "slowed speech with pauses",
            "retarded speech",
            "delayed responses",
        ),
    ),
    "rate:fast": _T(
        "语速明显加快，说话急促、抢话，停顿少，可见于焦虑、紧张或激动。",
        "Noticeably fast, hurried speech with few pauses, heard with anxiety, nervousness or "
        "agitation.",
        ("说话急促", "语速急促", "语速快", "说话很快", "语速加快", "急急忙忙地说"),
        ("fast speech", "rapid speech", "hurried speech", "speaks quickly", "fast talking"),
    ),
    "rate:pressured": _T(
        "言语量多、语速快且难以打断，话题接连不断，像有压力推动一样说个不停。",
        "Rapid, copious speech that is hard to interrupt, moving on and on as if driven; "
        "pressured speech.",
        ("滔滔不绝", "言语急促不停", "说个不停", "话多", "难以打断", "言语增多"),
        (
            "pressured speech",
            "pressure of speech",
            "nonstop talking",
            "talkative",
            "hard to interrupt",
        ),
    ),
    "polarity:positive": _T(
        "话语内容表达积极、乐观、满意或感激，如谈到开心的事、对未来有期待。",
        "What is said is positive: optimistic, satisfied or grateful, e.g. talking about "
        "good things or looking forward to the future.",
        ("正面表述", "积极表达", "乐观的话", "正面评价", "积极内容"),
        ("positive content", "positive statement", "optimistic talk", "positive words"),
    ),
    "polarity:negative": _T(
        "话语内容表达消极、悲观、抱怨或自我否定，如谈到痛苦、失败、无望或不想活。",
        "What is said is negative: pessimistic, complaining or self-critical, e.g. talking "
        "about pain, failure, hopelessness or not wanting to live.",
        ("负面表述", "消极表达", "悲观的话", "负面评价", "抱怨", "消极内容"),
        ("negative content", "negative statement", "pessimistic talk", "negative words"),
    ),
    "polarity:neutral": _T(
        "话语内容客观陈述事实，不带明显的积极或消极情感色彩。",
        "What is said is factual and neither clearly positive nor negative.",
        ("中性表述", "客观陈述", "平铺直叙的内容", "中性内容"),
        ("neutral content", "neutral statement", "factual talk", "matter-of-fact"),
    ),
}
check_texts("speech descriptor", [d.id for d in DESCRIPTORS], DESCRIPTOR_TEXT)
