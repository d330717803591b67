"""Curated depression symptoms (`symptom:` ids), what each scale item assesses, and the
hand-checked mapping from curated concepts to CMeKG names.

The CMeKG names below were read off the extracted neighbourhood (kg/seed/cmekg.py): `synonyms`
mean the same clinical thing, `related` are broader, narrower or combined phrasings. A name that
is missing from the installed CMeKG is skipped at build time, never invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SymptomDef:
    key: str
    name_zh: str
    name_en: str
    aliases_zh: tuple[str, ...] = ()
    cmekg_synonyms: tuple[str, ...] = ()
    cmekg_related: tuple[str, ...] = ()
    is_a: tuple[str, ...] = ()  # keys of broader curated symptoms

    @property
    def id(self) -> str:
        return f"symptom:{self.key}"


SYMPTOMS: tuple[SymptomDef, ...] = (
    SymptomDef(
        "depressed_mood",
        "情绪低落",
        "depressed mood",
        ("忧郁", "抑郁情绪", "心情低落"),
        ("情绪低落", "持续情绪低落"),
        ("感到悲伤", "悲观抑郁"),
    ),
    SymptomDef(
        "anhedonia",
        "兴趣减退",
        "loss of interest or pleasure",
        ("快感缺失", "兴趣丧失", "丧失兴趣"),
        ("快感缺乏", "兴趣缺失", "丧失愉快感"),
        ("兴趣减少", "失去兴趣/快乐感", "在活动中缺乏快感", "兴趣索然"),
    ),
    SymptomDef(
        "sleep_disturbance",
        "睡眠障碍",
        "sleep disturbance",
        ("睡眠问题",),
        ("睡眠障碍",),
        ("睡眠不好", "失眠或睡眠过多"),
    ),
    SymptomDef(
        "insomnia",
        "失眠",
        "insomnia",
        ("睡不着",),
        ("失眠",),
        ("严重失眠",),
        ("sleep_disturbance",),
    ),
    SymptomDef(
        "initial_insomnia",
        "入睡困难",
        "difficulty falling asleep",
        (),
        ("入睡困难",),
        ("入睡延迟",),
        ("insomnia",),
    ),
    SymptomDef(
        "middle_insomnia",
        "睡眠不深",
        "broken sleep",
        ("睡眠浅", "易醒"),
        (),
        ("睡眠不安",),
        ("insomnia",),
    ),
    SymptomDef("early_waking", "早醒", "early morning waking", (), ("早醒",), (), ("insomnia",)),
    SymptomDef(
        "hypersomnia",
        "睡眠过多",
        "hypersomnia",
        ("嗜睡",),
        ("睡眠过多",),
        ("睡眠增加",),
        ("sleep_disturbance",),
    ),
    SymptomDef(
        "fatigue",
        "疲乏",
        "fatigue or loss of energy",
        ("易倦", "精力丧失", "乏力"),
        ("疲乏", "疲劳", "易疲劳", "乏力", "疲倦"),
        ("精力不足", "慢性疲劳", "疲劳感"),
    ),
    SymptomDef(
        "appetite_loss",
        "食欲减退",
        "decreased appetite",
        ("食欲下降",),
        ("食欲减退", "食欲不振", "食欲下降", "食欲缺乏", "食欲减少"),
        ("食欲改变等",),
    ),
    SymptomDef(
        "appetite_increase",
        "食欲增加",
        "increased appetite",
        ("暴食",),
        ("食欲增加",),
        ("过度饮食",),
    ),
    SymptomDef(
        "weight_loss",
        "体重减轻",
        "weight loss",
        (),
        ("体重减轻", "体重下降", "体重减少"),
        ("体重改变",),
    ),
    SymptomDef("weight_gain", "体重增加", "weight gain", (), ("体重增加",), ("体重改变",)),
    SymptomDef(
        "guilt",
        "内疚",
        "feelings of guilt",
        ("有罪感", "自罪感", "内疚感"),
        ("内疚", "过度内疚"),
        ("自责", "自责自罪"),
    ),
    SymptomDef(
        "worthlessness",
        "无价值感",
        "worthlessness",
        ("无用感", "自我否定"),
        ("无价值感",),
        ("自尊心低",),
    ),
    SymptomDef(
        "hopelessness",
        "绝望感",
        "hopelessness",
        ("绝望", "无望感"),
        ("绝望", "绝望感", "感到无望"),
        ("悲观失望",),
    ),
    SymptomDef("pessimism", "悲观", "pessimism", (), (), ("悲观失望", "悲观抑郁")),
    SymptomDef(
        "suicidal_ideation",
        "自杀观念",
        "suicidal ideation",
        ("自杀意念", "自杀想法", "轻生念头"),
        ("自杀观念", "自杀意念"),
        ("自杀", "自杀观念和行为", "悲观失望、厌世、自杀观念"),
    ),
    SymptomDef(
        "psychomotor_retardation",
        "精神运动性迟滞",
        "psychomotor retardation",
        ("动作迟缓", "阻滞", "能力减退", "言语迟缓"),
        ("迟滞", "动作迟缓"),
        ("思维迟缓", "运动迟缓"),
    ),
    SymptomDef(
        "psychomotor_agitation",
        "精神运动性激越",
        "psychomotor agitation",
        ("激越", "坐立不安", "不安"),
        ("精神运动性激越", "激越"),
        ("坐立不安", "激越行为"),
    ),
    SymptomDef(
        "poor_concentration",
        "注意力不集中",
        "poor concentration",
        ("注意力难集中", "思考困难"),
        ("注意力不集中", "注意力集中困难", "注意力下降"),
        ("不能集中注意力",),
    ),
    SymptomDef("indecisiveness", "犹豫不决", "indecisiveness", ("决断困难",), ("犹豫不决",)),
    SymptomDef("irritability", "易激惹", "irritability", ("易怒",), ("易激惹",), ("烦躁",)),
    SymptomDef(
        "psychic_anxiety",
        "精神性焦虑",
        "psychic anxiety",
        ("焦虑", "紧张担心"),
        (),
        ("焦虑不安", "担心", "紧张"),
    ),
    SymptomDef("somatic_anxiety", "躯体性焦虑", "somatic anxiety", (), (), ("心悸", "肌肉紧张")),
    SymptomDef("crying", "易哭", "crying spells", ("哭泣",), ("哭泣",)),
    SymptomDef(
        "libido_loss",
        "性兴趣减退",
        "decreased libido",
        ("性欲减退", "性兴趣丧失"),
        ("性欲减退", "性欲低下", "性欲丧失"),
        ("性兴趣减退或缺乏",),
    ),
    SymptomDef(
        "gi_symptoms",
        "胃肠道症状",
        "gastrointestinal symptoms",
        (),
        ("胃肠道症状",),
        ("胃肠功能紊乱",),
    ),
    SymptomDef("constipation", "便秘", "constipation", (), ("便秘",), (), ("gi_symptoms",)),
    SymptomDef(
        "palpitations", "心悸", "palpitations", ("心跳加快",), ("心悸",), (), ("somatic_anxiety",)
    ),
    SymptomDef(
        "general_somatic",
        "全身症状",
        "general somatic symptoms",
        ("躯体沉重感",),
        (),
        ("肢体沉重感",),
    ),
    SymptomDef("hypochondriasis", "疑病", "hypochondriasis", (), ("疑病", "疑病观念")),
    SymptomDef("lack_of_insight", "自知力缺乏", "lack of insight", (), ("自知力缺乏",)),
    SymptomDef("diurnal_variation", "晨重晚轻", "diurnal variation of mood"),
    SymptomDef("emptiness", "生活空虚感", "emptiness"),
    SymptomDef("sense_of_failure", "失败感", "sense of failure"),
    SymptomDef("punishment_feelings", "受惩罚感", "punishment feelings"),
    SymptomDef("self_dislike", "自我厌恶", "self-dislike", (), (), ("自尊心低",)),
    SymptomDef("self_criticism", "自我批评", "self-criticalness", ("自责",), (), ("自责",)),
)
SYMPTOM_BY_KEY: Mapping[str, SymptomDef] = {s.key: s for s in SYMPTOMS}

# (instrument id, item number) -> curated symptom keys the item assesses.
ITEM_ASSESSES: Mapping[tuple[str, int], tuple[str, ...]] = {
    **{
        ("SDS", n): keys
        for n, keys in enumerate(
            (
                ("depressed_mood",),
                ("diurnal_variation",),
                ("crying",),
                ("sleep_disturbance",),
                ("appetite_loss",),
                ("libido_loss",),
                ("weight_loss",),
                ("constipation",),
                ("palpitations",),
                ("fatigue",),
                ("poor_concentration",),
                ("psychomotor_retardation",),
                ("psychomotor_agitation",),
                ("hopelessness",),
                ("irritability",),
                ("indecisiveness",),
                ("worthlessness",),
                ("emptiness",),
                ("suicidal_ideation",),
                ("anhedonia",),
            ),
            start=1,
        )
    },
    **{
        ("HAMD17", n): keys
        for n, keys in enumerate(
            (
                ("depressed_mood",),
                ("guilt",),
                ("suicidal_ideation",),
                ("initial_insomnia",),
                ("middle_insomnia",),
                ("early_waking",),
                ("anhedonia", "fatigue"),
                ("psychomotor_retardation",),
                ("psychomotor_agitation",),
                ("psychic_anxiety",),
                ("somatic_anxiety",),
                ("gi_symptoms", "appetite_loss"),
                ("general_somatic", "fatigue"),
                ("libido_loss",),
                ("hypochondriasis",),
                ("weight_loss",),
                ("lack_of_insight",),
            ),
            start=1,
        )
    },
    **{
        ("PHQ9", n): keys
        for n, keys in enumerate(
            (
                ("anhedonia",),
                ("depressed_mood", "hopelessness"),
                ("insomnia", "hypersomnia", "sleep_disturbance"),
                ("fatigue",),
                ("appetite_loss", "appetite_increase"),
                ("worthlessness", "guilt"),
                ("poor_concentration",),
                ("psychomotor_retardation", "psychomotor_agitation"),
                ("suicidal_ideation",),
            ),
            start=1,
        )
    },
    **{
        ("BDI2", n): keys
        for n, keys in enumerate(
            (
                ("depressed_mood",),
                ("pessimism",),
                ("sense_of_failure",),
                ("anhedonia",),
                ("guilt",),
                ("punishment_feelings",),
                ("self_dislike",),
                ("self_criticism",),
                ("suicidal_ideation",),
                ("crying",),
                ("psychomotor_agitation",),
                ("anhedonia",),
                ("indecisiveness",),
                ("worthlessness",),
                ("fatigue",),
                ("insomnia", "hypersomnia", "sleep_disturbance"),
                ("irritability",),
                ("appetite_loss", "appetite_increase"),
                ("poor_concentration",),
                ("fatigue",),
                ("libido_loss",),
            ),
            start=1,
        )
    },
}

# Instrument id -> (CMeKG synonyms, CMeKG related names). BDI-II is an edition of the BDI that
# CMeKG names without edition, so the link is RELATED_TO, not SYNONYM_OF.
SCALE_CMEKG: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "SDS": (("抑郁自评量表",), ("抑郁评定量表", "评定量表")),
    "HAMD17": (("汉密尔顿抑郁量表",), ("抑郁评定量表", "评定量表")),
    "PHQ9": (("PHQ—9",), ("患者健康问卷", "抑郁评定量表")),
    "BDI2": ((), ("BDI", "Beck抑郁量表", "抑郁评定量表")),
}
# CMeKG disorders every curated depression scale measures (curated MEASURED_BY edges).
SCALE_MEASURES: tuple[str, ...] = ("抑郁症",)

# Curated symptom key -> CMeKG disorders it indicates (DSM-5 major-depression A criteria,
# plus anxiety and insomnia disorders for their core symptoms).
SYMPTOM_INDICATES: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "depressed_mood",
            "anhedonia",
            "sleep_disturbance",
            "fatigue",
            "appetite_loss",
            "appetite_increase",
            "weight_loss",
            "weight_gain",
            "worthlessness",
            "guilt",
            "poor_concentration",
            "indecisiveness",
            "psychomotor_retardation",
            "psychomotor_agitation",
            "suicidal_ideation",
            "hopelessness",
        ),
        ("抑郁症",),
    ),
    "psychic_anxiety": ("焦虑症", "广泛性焦虑障碍"),
    "somatic_anxiety": ("焦虑症", "广泛性焦虑障碍"),
    "insomnia": ("初发性或维持性睡眠障碍［失眠症］", "慢性失眠症"),
    "initial_insomnia": ("初发性或维持性睡眠障碍［失眠症］",),
}

# Curated symptom -> risk level it signals on its own (item-level rules live in
# scale_definitions.py; this is the concept-level link used for reasoning).
SYMPTOM_RISK: Mapping[str, str] = {"suicidal_ideation": "high", "hopelessness": "moderate"}


def _check() -> None:
    for (inst, _n), keys in ITEM_ASSESSES.items():
        for key in keys:
            if key not in SYMPTOM_BY_KEY:
                raise ValueError(f"{inst}: unknown symptom {key}")
    for s in SYMPTOMS:
        for parent in s.is_a:
            if parent not in SYMPTOM_BY_KEY:
                raise ValueError(f"{s.key}: unknown parent {parent}")
    for key in (*SYMPTOM_INDICATES, *SYMPTOM_RISK):
        if key not in SYMPTOM_BY_KEY:
            raise ValueError(f"unknown symptom {key}")


_check()
