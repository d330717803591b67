"""Speech descriptors as data: intonation (prosody), speech rate and content polarity.

The source study maps prosodic and spectral measurements "into corresponding feature texts
through a table"; these are the concepts those texts align to. The INDICATES links follow the
depression-speech literature (reduced pitch range and energy, slow rate and long pauses in
depression; raised pitch and fast rate with high arousal); weights are MindKG's priors for the
decoder, not values from the paper, which gives none.
"""

from __future__ import annotations

from dataclasses import dataclass


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
