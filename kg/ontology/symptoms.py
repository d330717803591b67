"""Curated depression symptoms (`symptom:` ids), what each scale item assesses, and the
hand-checked mapping from curated concepts to CMeKG names.

The CMeKG names below were read off the extracted neighbourhood (kg/seed/cmekg.py): `synonyms`
mean the same clinical thing, `related` are broader, narrower or combined phrasings. A name that
is missing from the installed CMeKG is skipped at build time, never invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.vocabulary import symptom_id
from kg.ontology.emotions import ConceptText, check_texts


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
        return symptom_id(self.key)


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


_T = ConceptText
# Symptom key -> clinical description (DSM-5 / ICD-10 / HAMD wording, paraphrased) and the
# clinical and everyday phrasings students and counsellors use for it.
SYMPTOM_TEXT: Mapping[str, ConceptText] = {
    "depressed_mood": _T(
        "持续的情绪低落、悲伤、空虚或无望，几乎每天大部分时间如此；可由本人诉说或他人观察到"
        "（如常流泪、表情愁苦）。",
        "Persistently low, sad, empty or hopeless mood most of the day, nearly every day, "
        "reported by the person or observed by others (e.g. tearful, gloomy face).",
        (
            "心情低落",
            "情绪低落",
            "心情不好",
            "闷闷不乐",
            "郁郁寡欢",
            "高兴不起来",
            "心情沉重",
            "情绪很差",
            "抑郁",
            "很丧",
            "不开心",
            "情绪差",
        ),
        (
            "depressed mood",
            "low mood",
            "feeling down",
            "feeling depressed",
            "feeling sad",
            "feeling blue",
            "gloomy",
        ),
    ),
    "anhedonia": _T(
        "对几乎所有活动的兴趣或愉快感明显减退，以前喜欢的事情也提不起兴趣、感受不到乐趣。",
        "Markedly reduced interest or pleasure in almost all activities, including ones the "
        "person used to enjoy.",
        (
            "兴趣减退",
            "对什么都没兴趣",
            "提不起兴趣",
            "没有乐趣",
            "开心不起来",
            "什么都不想做",
            "做什么都没意思",
            "快感缺失",
        ),
        (
            "anhedonia",
            "loss of interest",
            "loss of pleasure",
            "little interest in doing things",
            "nothing is fun anymore",
            "can't enjoy anything",
        ),
    ),
    "sleep_disturbance": _T(
        "睡眠的量或质发生改变，包括失眠（入睡难、易醒、早醒）或睡眠过多，影响白天状态。",
        "Changes in the amount or quality of sleep, either insomnia (trouble falling or "
        "staying asleep, early waking) or sleeping too much, affecting the day.",
        ("睡眠问题", "睡不好", "睡眠差", "睡眠质量差", "作息紊乱", "睡眠不规律"),
        (
            "sleep problems",
            "sleep disturbance",
            "poor sleep",
            "sleeping badly",
            "trouble sleeping or sleeping too much",
        ),
    ),
    "insomnia": _T(
        "入睡困难、睡眠维持困难或早醒，睡眠不足且醒后不解乏，几乎每晚发生。",
        "Difficulty falling asleep, staying asleep or waking too early, with unrefreshing "
        "sleep, nearly every night.",
        ("失眠", "睡不着", "入睡困难", "早醒", "睡不好觉", "整夜睡不着", "晚上睡不着", "难以入睡"),
        (
            "insomnia",
            "trouble sleeping",
            "can't sleep",
            "sleeplessness",
            "sleepless nights",
            "difficulty sleeping",
        ),
    ),
    "initial_insomnia": _T(
        "上床后长时间（通常超过半小时）无法入睡，躺在床上辗转反侧。",
        "Taking a long time (usually over half an hour) to fall asleep after going to bed, "
        "tossing and turning.",
        ("入睡困难", "难以入睡", "躺下睡不着", "翻来覆去睡不着", "辗转反侧", "很久才能睡着"),
        (
            "difficulty falling asleep",
            "trouble falling asleep",
            "sleep-onset insomnia",
            "can't fall asleep",
            "initial insomnia",
        ),
    ),
    "middle_insomnia": _T(
        "睡眠浅、夜间多次醒来，醒后难以再次入睡，睡眠不连续。",
        "Light, broken sleep with repeated waking in the night and difficulty getting back "
        "to sleep.",
        ("睡眠浅", "易醒", "夜里经常醒", "半夜醒来", "睡不踏实", "多梦易醒", "睡得不安稳"),
        (
            "broken sleep",
            "waking during the night",
            "light sleep",
            "restless sleep",
            "middle insomnia",
            "can't stay asleep",
        ),
    ),
    "early_waking": _T(
        "比平时或期望的时间早醒（常早1-2小时以上），醒后无法再入睡。",
        "Waking much earlier than usual or intended (often by an hour or more) and being "
        "unable to fall asleep again.",
        ("早醒", "醒得很早", "凌晨醒来", "醒了就睡不着", "天没亮就醒"),
        ("early morning waking", "early waking", "waking too early", "terminal insomnia"),
    ),
    "hypersomnia": _T(
        "睡眠时间明显延长或白天过度困倦，总想睡觉，睡很久仍觉不够。",
        "Sleeping much more than usual or excessive daytime sleepiness; wanting to sleep all "
        "the time and never feeling rested.",
        ("嗜睡", "睡眠过多", "总想睡觉", "睡不醒", "睡太多", "白天犯困", "整天躺在床上"),
        (
            "hypersomnia",
            "sleeping too much",
            "oversleeping",
            "excessive sleepiness",
            "sleeping all day",
        ),
    ),
    "fatigue": _T(
        "几乎每天感到疲倦、精力不足，轻微活动就觉得累，休息后也难以恢复。",
        "Tiredness or loss of energy nearly every day; even small tasks feel exhausting and "
        "rest does not restore energy.",
        (
            "疲乏",
            "乏力",
            "没精神",
            "没力气",
            "很累",
            "精力不足",
            "疲惫",
            "容易累",
            "浑身无力",
            "精力丧失",
        ),
        (
            "fatigue",
            "tiredness",
            "feeling tired",
            "loss of energy",
            "low energy",
            "exhausted",
            "no energy",
        ),
    ),
    "appetite_loss": _T(
        "食欲明显下降，不想吃东西或吃得比平时少，可伴体重下降。",
        "Clearly reduced appetite: not wanting to eat or eating less than usual, sometimes "
        "with weight loss.",
        ("食欲下降", "食欲减退", "没胃口", "吃不下饭", "不想吃东西", "吃得少", "食欲不振"),
        (
            "appetite loss",
            "poor appetite",
            "loss of appetite",
            "not hungry",
            "eating less",
            "decreased appetite",
        ),
    ),
    "appetite_increase": _T(
        "食欲明显增加或进食过多，常以吃东西缓解情绪，可伴体重增加。",
        "Clearly increased appetite or overeating, often eating to cope with feelings, "
        "sometimes with weight gain.",
        ("暴食", "食欲增加", "吃得多", "暴饮暴食", "情绪性进食", "控制不住地吃"),
        ("increased appetite", "overeating", "eating more", "binge eating", "emotional eating"),
    ),
    "weight_loss": _T(
        "非刻意节食情况下体重明显下降（如一个月内超过体重的5%）。",
        "Significant weight loss when not dieting (e.g. more than 5% of body weight in a month).",
        ("体重减轻", "体重下降", "变瘦", "消瘦", "瘦了很多"),
        ("weight loss", "losing weight", "lost weight", "getting thinner"),
    ),
    "weight_gain": _T(
        "体重明显增加（如一个月内超过体重的5%），常与食欲增加或活动减少有关。",
        "Significant weight gain (e.g. more than 5% of body weight in a month), often with "
        "increased appetite or less activity.",
        ("体重增加", "长胖", "变胖", "发胖", "胖了很多"),
        ("weight gain", "gaining weight", "put on weight", "getting heavier"),
    ),
    "guilt": _T(
        "过度或不恰当的内疚、自责，把过去的小错看得很严重，认为自己连累或对不起别人。",
        "Excessive or inappropriate guilt and self-blame, magnifying past small faults and "
        "feeling one has let others down or harmed them.",
        ("内疚", "自责", "有罪感", "自罪感", "内疚感", "觉得对不起别人", "都是我的错", "愧疚"),
        (
            "guilt",
            "feeling guilty",
            "self-blame",
            "blaming myself",
            "it's all my fault",
            "excessive guilt",
        ),
    ),
    "worthlessness": _T(
        "认为自己没有价值、一无是处、是别人的负担，自我评价过低。",
        "Feeling worthless, useless or a burden to others; a markedly low opinion of oneself.",
        (
            "无价值感",
            "觉得自己没用",
            "一无是处",
            "没价值",
            "是个废物",
            "拖累别人",
            "无用感",
            "自我否定",
        ),
        (
            "worthlessness",
            "feeling worthless",
            "feeling useless",
            "being a burden",
            "no good",
            "low self-worth",
        ),
    ),
    "hopelessness": _T(
        "对未来感到没有希望，认为情况不会好转、努力也没用，看不到出路。",
        "Feeling there is no hope for the future, that things will not get better and "
        "nothing will help; seeing no way out.",
        ("绝望", "绝望感", "无望感", "没有希望", "看不到希望", "没有出路", "前途渺茫", "没救了"),
        (
            "hopelessness",
            "feeling hopeless",
            "no hope",
            "no future",
            "nothing will get better",
            "no way out",
        ),
    ),
    "pessimism": _T(
        "对自己和未来持消极预期，总觉得事情会变糟、会失败。",
        "Negative expectations about oneself and the future; expecting things to go wrong "
        "or to fail.",
        ("悲观", "悲观失望", "对未来悲观", "总往坏处想", "消极想法", "灰心"),
        (
            "pessimism",
            "pessimistic",
            "expecting the worst",
            "discouraged about the future",
            "negative outlook",
        ),
    ),
    "suicidal_ideation": _T(
        "反复出现死亡或自杀的念头，如觉得活着没意思、希望自己死掉，或有自杀的想法、计划或准备。",
        "Recurrent thoughts of death or suicide, from feeling life is not worth living or "
        "wishing to be dead to suicidal thoughts, plans or preparations.",
        (
            "自杀念头",
            "自杀想法",
            "自杀意念",
            "想死",
            "轻生念头",
            "不想活了",
            "活着没意思",
            "想结束生命",
            "想自杀",
            "死了算了",
            "活不下去",
            "想消失",
            "不如死了",
        ),
        (
            "suicidal ideation",
            "suicidal thoughts",
            "thoughts of suicide",
            "wanting to die",
            "wish to be dead",
            "want to end my life",
            "want to disappear",
            "don't want to live",
            "thoughts of killing myself",
        ),
    ),
    "psychomotor_retardation": _T(
        "思维和动作明显变慢：说话慢、停顿长、声音低，动作迟缓，反应慢，表情少，他人可观察到。",
        "Observable slowing of thought and movement: slow speech with long pauses and a "
        "low voice, slowed movements and reactions, reduced facial expression.",
        (
            "动作迟缓",
            "言语迟缓",
            "反应迟钝",
            "思维迟缓",
            "动作慢",
            "反应慢",
            "行动迟缓",
            "精神运动迟滞",
        ),
        (
            "psychomotor retardation",
            "psychomotor slowing",
            "slowed movements",
            "slowed speech",
            "moving slowly",
            "slowed thinking",
        ),
    ),
    "psychomotor_agitation": _T(
        "他人可观察到的坐立不安和无目的动作增多，如搓手、来回走动、拉扯头发或衣服、无法安静坐着。",
        "Observable restlessness and purposeless activity, e.g. hand-wringing, pacing, "
        "pulling at hair or clothes, being unable to sit still.",
        ("坐立不安", "激越", "烦躁不安", "来回走动", "搓手", "静不下来", "小动作多"),
        (
            "psychomotor agitation",
            "restlessness",
            "agitation",
            "fidgeting",
            "pacing",
            "can't sit still",
        ),
    ),
    "poor_concentration": _T(
        "注意力难以集中，思考和做决定变困难，看书、听课时容易走神，记忆力也显得下降。",
        "Diminished ability to concentrate or think: mind wanders when reading or in "
        "class, thinking feels slow and memory seems worse.",
        (
            "注意力不集中",
            "注意力难集中",
            "集中不了注意力",
            "走神",
            "分心",
            "思考困难",
            "脑子转不动",
            "记忆力下降",
            "学习效率下降",
        ),
        (
            "poor concentration",
            "trouble concentrating",
            "difficulty concentrating",
            "can't focus",
            "mind wandering",
            "brain fog",
        ),
    ),
    "indecisiveness": _T(
        "难以做出决定，即使是小事也反复犹豫、拿不定主意。",
        "Difficulty making decisions, hesitating over even small choices.",
        ("犹豫不决", "决断困难", "拿不定主意", "难以做决定", "优柔寡断", "左右为难"),
        ("indecisiveness", "indecision", "can't make decisions", "trouble deciding", "hesitant"),
    ),
    "irritability": _T(
        "比平时更容易烦躁、发脾气或被小事激怒，耐心减少。",
        "Becoming annoyed, short-tempered or angered by small things more easily than usual.",
        ("易激惹", "易怒", "烦躁", "爱发脾气", "容易生气", "脾气暴躁", "没耐心", "一点就着"),
        (
            "irritability",
            "irritable",
            "short-tempered",
            "easily annoyed",
            "cranky",
            "losing temper",
        ),
    ),
    "psychic_anxiety": _T(
        "主观的紧张、担心、恐惧和不安，为小事过度担忧，难以放松，常有不好的预感。",
        "Subjective tension, worry, fear and apprehension: excessive worry about small "
        "things, inability to relax, a sense that something bad will happen.",
        (
            "焦虑",
            "紧张担心",
            "紧张",
            "担心",
            "焦虑不安",
            "心神不宁",
            "忐忑不安",
            "放松不下来",
            "过度担心",
            "心慌意乱",
        ),
        ("anxiety", "anxious", "worry", "worried", "nervous", "tense", "on edge", "apprehension"),
    ),
    "somatic_anxiety": _T(
        "焦虑的躯体表现：心悸、出汗、胸闷、气短、口干、头晕、肌肉紧张、胃肠不适、尿频等。",
        "Bodily signs of anxiety: palpitations, sweating, chest tightness, shortness of "
        "breath, dry mouth, dizziness, muscle tension, stomach upset, frequent urination.",
        ("躯体焦虑", "胸闷气短", "手心出汗", "肌肉紧张", "发抖", "头晕", "紧张时身体不适"),
        (
            "somatic anxiety",
            "physical anxiety symptoms",
            "sweating",
            "shortness of breath",
            "muscle tension",
            "trembling",
        ),
    ),
    "crying": _T(
        "比平时更容易哭泣或流泪，常无明显诱因或为小事落泪，也可能想哭却哭不出来。",
        "Crying or tearfulness more than usual, often over small things or for no clear "
        "reason, or feeling like crying but unable to.",
        ("哭泣", "易哭", "爱哭", "经常哭", "流泪", "想哭", "忍不住哭", "哭哭啼啼"),
        ("crying spells", "crying", "tearful", "tearfulness", "crying a lot", "weeping"),
    ),
    "libido_loss": _T(
        "对性的兴趣或欲望明显减退。",
        "Clearly reduced interest in or desire for sex.",
        ("性欲减退", "性兴趣丧失", "性欲下降", "对性没兴趣", "性欲低"),
        ("decreased libido", "loss of libido", "low sex drive", "loss of interest in sex"),
    ),
    "gi_symptoms": _T(
        "胃肠道不适，如食欲差、腹胀、恶心、胃部不适、便秘或腹泻，常与情绪有关。",
        "Gastrointestinal complaints such as poor appetite, bloating, nausea, stomach "
        "discomfort, constipation or diarrhoea, often linked to mood.",
        ("胃肠不适", "肠胃不舒服", "胃不舒服", "腹胀", "恶心", "消化不良"),
        (
            "gastrointestinal symptoms",
            "stomach problems",
            "upset stomach",
            "GI complaints",
            "digestive problems",
        ),
    ),
    "constipation": _T(
        "排便次数减少或排便困难，大便干结。",
        "Infrequent or difficult bowel movements with hard stools.",
        ("便秘", "大便干", "排便困难", "几天不大便"),
        ("constipation", "constipated", "hard stools", "difficulty passing stools"),
    ),
    "palpitations": _T(
        "自觉心跳加快、加重或不规则，感到心慌，常见于焦虑。",
        "Awareness of a fast, pounding or irregular heartbeat; feeling the heart race, "
        "common in anxiety.",
        ("心悸", "心慌", "心跳加快", "心跳很快", "心怦怦跳", "心跳加速"),
        ("palpitations", "racing heart", "heart pounding", "fast heartbeat", "heart racing"),
    ),
    "general_somatic": _T(
        "全身性躯体不适，如四肢、背部或头部沉重感，全身酸痛、乏力。",
        "General bodily complaints such as heaviness in the limbs, back or head, aches all "
        "over and loss of energy.",
        ("躯体沉重感", "全身酸痛", "身体沉重", "四肢沉重", "浑身不舒服", "头重脚轻"),
        ("general somatic symptoms", "heavy limbs", "body aches", "heaviness", "aches and pains"),
    ),
    "hypochondriasis": _T(
        "过分关注自身健康，担心或坚信自己患有严重疾病，反复就医或检查。",
        "Preoccupation with one's health, worrying about or being convinced of having a "
        "serious illness, seeking repeated checks.",
        ("疑病", "疑病观念", "担心得了重病", "过分关注身体", "总怀疑自己有病"),
        ("hypochondriasis", "health anxiety", "illness worry", "fear of serious illness"),
    ),
    "lack_of_insight": _T(
        "不承认自己有病或否认情绪问题，把症状归因于外界，如劳累、天气等。",
        "Not recognising being ill or denying emotional problems, attributing symptoms to "
        "outside causes such as overwork or the weather.",
        ("自知力缺乏", "否认有病", "不承认有问题", "缺乏自知力", "不觉得自己有病"),
        ("lack of insight", "poor insight", "denies being ill", "no insight"),
    ),
    "diurnal_variation": _T(
        "情绪或症状在一天中有规律地波动，典型为早晨最重、傍晚减轻。",
        "Mood or symptoms vary regularly across the day, typically worst in the morning and "
        "easing toward evening.",
        ("晨重晚轻", "早上情绪最差", "早晨最难受", "情绪昼夜波动", "上午最糟糕"),
        (
            "diurnal variation",
            "mood worse in the morning",
            "morning worsening",
            "diurnal mood variation",
        ),
    ),
    "emptiness": _T(
        "感到生活空虚、没有意义、内心空荡荡，缺乏目标感和充实感。",
        "Feeling that life is empty or meaningless, hollow inside, without purpose or fulfilment.",
        ("生活空虚感", "空虚", "空虚感", "生活没有意义", "内心空荡荡", "活着没意义", "迷茫"),
        ("emptiness", "feeling empty", "life feels meaningless", "hollow", "no purpose"),
    ),
    "sense_of_failure": _T(
        "认为自己是失败的人，回顾过去看到的多是失败和挫折。",
        "Feeling like a failure; looking back mostly sees failures and setbacks.",
        ("失败感", "觉得自己很失败", "一事无成", "是个失败者", "挫败感"),
        ("sense of failure", "feeling like a failure", "past failure", "I'm a failure"),
    ),
    "punishment_feelings": _T(
        "感到自己正在或将要受到惩罚，认为自己活该受罪。",
        "Feeling that one is being or will be punished, deserving to suffer.",
        ("受惩罚感", "觉得自己该受惩罚", "活该受罪", "报应", "被惩罚的感觉"),
        ("punishment feelings", "feeling punished", "deserving punishment", "being punished"),
    ),
    "self_dislike": _T(
        "对自己失望、不喜欢甚至厌恶自己，自信心丧失。",
        "Disappointment in, dislike of or even hatred toward oneself; loss of confidence.",
        ("自我厌恶", "讨厌自己", "恨自己", "对自己失望", "不喜欢自己", "自卑", "没有自信"),
        (
            "self-dislike",
            "hating myself",
            "disliking myself",
            "self-hatred",
            "disappointed in myself",
            "low self-esteem",
        ),
    ),
    "self_criticism": _T(
        "比以往更多地批评和责备自己，为自己的缺点和错误反复自责。",
        "Criticising and blaming oneself more than before, dwelling on one's faults and mistakes.",
        ("自责", "自我批评", "责怪自己", "苛责自己", "对自己很苛刻", "总挑自己毛病"),
        (
            "self-criticalness",
            "self-criticism",
            "blaming myself",
            "being hard on myself",
            "self-critical",
        ),
    ),
}
check_texts("symptom", [s.key for s in SYMPTOMS], SYMPTOM_TEXT)
