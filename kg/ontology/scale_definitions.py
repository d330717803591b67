"""Depression rating scales as data: items, answer ranges, severity bands and suicide-risk items.

One source of truth for both the scorer (ingest/scales.py) and the graph seed (Scale, ScaleItem,
Severity and RiskLevel Concept nodes), so that a score's band and the node it links to can never
disagree. Rules follow shared/reference/datasets/FORMATS.md section 8; the choices made where that
file offers several conventions are recorded in `Instrument.band_source` and docs/scales.md.
Everything here is decision support for counsellors, not a diagnosis.

Concept ids follow docs/CONVENTIONS.md: `scale:SDS`, `scale_item:SDS:19`, `severity:SDS:moderate`,
`severity:moderate` (general level) and `risk:high`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from contracts.vocabulary import (
    GENERAL_LEVEL_LABELS,
    GENERAL_LEVELS,
    RISK_LEVEL_LABELS,
    RISK_LEVELS,
    SCALE_ITEM_PREFIX,
    SCALE_PREFIX,
    SEVERITY_PREFIX,
    GeneralLevel,
    RiskLevel,
    general_level_id,
    risk_id,
)

ONTOLOGY_SOURCE = "source:mindkg-curated"
ONTOLOGY_VERSION = "1"

ScoreBasis = Literal["raw", "index"]


@dataclass(frozen=True)
class ScaleItemDef:
    """One item: 1-based number, short bilingual name, and the answers it accepts (inclusive)."""

    number: int
    name_zh: str
    name_en: str
    min_answer: int
    max_answer: int
    reverse: bool = False
    note_en: str = ""

    def score(self, answer: int) -> int:
        """Points this answer adds to the raw total (reverse items: min + max - answer)."""
        return self.min_answer + self.max_answer - answer if self.reverse else answer


@dataclass(frozen=True)
class SeverityBand:
    """A band [low, high] on the instrument's score basis (raw total or SDS index)."""

    code: str
    low: int
    high: int
    level: GeneralLevel
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class RiskItemDef:
    """A suicide-risk item: which answers signal which risk level (unlisted answers: none)."""

    item: int
    signal_zh: str
    signal_en: str
    answer_levels: tuple[tuple[int, RiskLevel], ...]
    rationale_en: str

    def level_for(self, answer: int) -> RiskLevel:
        return dict(self.answer_levels).get(answer, "none")


@dataclass(frozen=True)
class Instrument:
    """A rating scale and everything needed to score it and to describe it in the graph."""

    id: str
    display_name: str
    name_zh: str
    name_en: str
    rater: Literal["self", "clinician"]
    period_en: str
    items: tuple[ScaleItemDef, ...]
    bands: tuple[SeverityBand, ...]
    band_source: str
    sources: tuple[str, ...]
    risk_items: tuple[RiskItemDef, ...] = ()
    score_basis: ScoreBasis = "raw"
    index_multiplier: float | None = None
    notes_en: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_instrument(self)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def raw_min(self) -> int:
        return sum(item.min_answer for item in self.items)

    @property
    def raw_max(self) -> int:
        return sum(item.max_answer for item in self.items)

    @property
    def reverse_items(self) -> tuple[int, ...]:
        return tuple(item.number for item in self.items if item.reverse)

    def item(self, number: int) -> ScaleItemDef:
        """1-based lookup, as the questionnaires number their items."""
        if not 1 <= number <= self.n_items:
            raise KeyError(f"{self.id} has items 1-{self.n_items}, not {number}")
        return self.items[number - 1]

    @property
    def score_range(self) -> tuple[int, int]:
        """Lowest and highest score on `score_basis` (what the bands cover)."""
        lo, hi = self.index_for(self.raw_min), self.index_for(self.raw_max)
        if lo is None or hi is None:
            return self.raw_min, self.raw_max
        return lo, hi

    def index_for(self, raw_total: int) -> int | None:
        """SDS standard score: int(raw x 1.25), truncated as FORMATS.md states; None elsewhere."""
        if self.index_multiplier is None:
            return None
        return int(raw_total * self.index_multiplier)

    def band_for(self, score: int) -> SeverityBand:
        """The band containing `score` (on `score_basis`)."""
        for band in self.bands:
            if band.low <= score <= band.high:
                return band
        raise ValueError(f"{self.id}: score {score} is outside every severity band")

    def band(self, code: str) -> SeverityBand:
        for band in self.bands:
            if band.code == code:
                return band
        raise KeyError(f"{self.id} has no severity band {code!r}")


def _check_instrument(inst: Instrument) -> None:
    """Fail at import if the data is inconsistent: gaps in items or bands would mis-score."""
    numbers = [item.number for item in inst.items]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{inst.id}: items must be numbered 1..n, got {numbers}")
    for item in inst.items:
        if item.min_answer > item.max_answer or not item.name_zh or not item.name_en:
            raise ValueError(f"{inst.id} item {item.number}: bad range or empty name")
    lo, hi = inst.score_range
    expected = lo
    for band in inst.bands:
        if band.low != expected or band.high < band.low or band.level not in GENERAL_LEVELS:
            raise ValueError(f"{inst.id}: band {band.code} breaks the contiguous band cover")
        expected = band.high + 1
    if expected - 1 != hi:
        raise ValueError(f"{inst.id}: bands end at {expected - 1}, scores reach {hi}")
    for risk in inst.risk_items:
        item = inst.item(risk.item)
        for answer, level in risk.answer_levels:
            if not item.min_answer <= answer <= item.max_answer or level not in RISK_LEVELS:
                raise ValueError(f"{inst.id} risk item {risk.item}: bad answer level {answer}")


def _items(
    rows: tuple[tuple[str, str], ...],
    ranges: Mapping[int, tuple[int, int]] | tuple[int, int],
    reverse: frozenset[int] = frozenset(),
    notes: Mapping[int, str] | None = None,
) -> tuple[ScaleItemDef, ...]:
    out = []
    for number, (zh, en) in enumerate(rows, start=1):
        lo, hi = ranges[number] if isinstance(ranges, Mapping) else ranges
        out.append(
            ScaleItemDef(number, zh, en, lo, hi, number in reverse, (notes or {}).get(number, ""))
        )
    return tuple(out)


# --- Zung SDS ---------------------------------------------------------------------------------
# zh names: the Chinese SDS manual's symptom names; en names: Zung 1965's symptom labels.
_SDS_ITEMS = (
    ("忧郁", "Depressed affect"),
    ("晨重晚轻", "Diurnal variation"),
    ("易哭", "Crying spells"),
    ("睡眠障碍", "Sleep disturbance"),
    ("食欲减退", "Decreased appetite"),
    ("性兴趣减退", "Decreased libido"),
    ("体重减轻", "Weight loss"),
    ("便秘", "Constipation"),
    ("心悸", "Tachycardia"),
    ("易倦", "Fatigue"),
    ("思考困难", "Confusion"),
    ("能力减退", "Psychomotor retardation"),
    ("不安", "Psychomotor agitation"),
    ("绝望", "Hopelessness"),
    ("易激惹", "Irritability"),
    ("决断困难", "Indecisiveness"),
    ("无用感", "Personal devaluation"),
    ("生活空虚感", "Emptiness"),
    ("自杀观念", "Suicidal rumination"),
    ("兴趣丧失", "Dissatisfaction"),
)

SDS = Instrument(
    id="SDS",
    display_name="SDS",
    name_zh="抑郁自评量表（Zung SDS）",
    name_en="Zung Self-Rating Depression Scale",
    rater="self",
    period_en="past week",
    items=_items(
        _SDS_ITEMS,
        (1, 4),
        reverse=frozenset({2, 5, 6, 11, 12, 14, 16, 17, 18, 20}),
        notes={19: "I feel that others would be better off if I were dead"},
    ),
    score_basis="index",
    index_multiplier=1.25,
    bands=(
        SeverityBand("none", 25, 52, "none", "无抑郁", "no depression"),
        SeverityBand("mild", 53, 62, "mild", "轻度抑郁", "mild depression"),
        SeverityBand("moderate", 63, 72, "moderate", "中度抑郁", "moderate depression"),
        SeverityBand("severe", 73, 100, "severe", "重度抑郁", "severe depression"),
    ),
    band_source="Chinese national norm on the standard score: <53 / 53-62 / 63-72 / >=73",
    risk_items=(
        RiskItemDef(
            19,
            "自杀观念",
            "suicidal rumination",
            ((2, "moderate"), (3, "high"), (4, "high")),
            "MindKG-curated, not in FORMATS.md: answer 1 merges 'none' and 'a little of the "
            "time' so cannot be flagged; 'some of the time' or more is treated like PHQ-9 item 9.",
        ),
    ),
    sources=(
        "Zung WWK. A self-rating depression scale. Arch Gen Psychiatry 12:63-70, 1965",
        "Dunstan & Scott. Clarification of the cut-off score for Zung's SDS. "
        "BMC Psychiatry 19:177, 2019",
        "Chinese national norm (53/63/73), as reproduced on Chinese clinical pages",
    ),
    notes_en=(
        "Answers 1-4: none or a little / some / a good part / most or all of the time.",
        "Index = int(raw x 1.25) (truncated); Chinese practice sometimes rounds instead, which "
        "changes the band exactly at raw 42, 50 and 58.",
        "Zung's original cut-offs (50/60/70) are not used.",
    ),
)

# --- HAMD-17 ----------------------------------------------------------------------------------
_HAMD_ITEMS = (
    ("抑郁情绪", "Depressed mood"),
    ("有罪感", "Feelings of guilt"),
    ("自杀", "Suicide"),
    ("入睡困难", "Insomnia: early"),
    ("睡眠不深", "Insomnia: middle"),
    ("早醒", "Insomnia: late"),
    ("工作和兴趣", "Work and activities"),
    ("阻滞", "Psychomotor retardation"),
    ("激越", "Agitation"),
    ("精神性焦虑", "Anxiety: psychic"),
    ("躯体性焦虑", "Anxiety: somatic"),
    ("胃肠道症状", "Somatic symptoms: gastrointestinal"),
    ("全身症状", "Somatic symptoms: general"),
    ("性症状", "Genital symptoms"),
    ("疑病", "Hypochondriasis"),
    ("体重减轻", "Loss of weight"),
    ("自知力", "Insight"),
)
_HAMD_ZERO_TO_TWO = frozenset({4, 5, 6, 12, 13, 14, 16, 17})

HAMD17 = Instrument(
    id="HAMD17",
    display_name="HAMD-17",
    name_zh="汉密尔顿抑郁量表（17项）",
    name_en="Hamilton Depression Rating Scale, 17 items",
    rater="clinician",
    period_en="past week (interview)",
    items=_items(
        _HAMD_ITEMS,
        {n: (0, 2) if n in _HAMD_ZERO_TO_TWO else (0, 4) for n in range(1, 18)},
        notes={
            3: "0 absent; 1 feels life is not worth living; 2 wishes he were dead or any "
            "thoughts of possible death to self; 3 suicidal ideas or gesture; "
            "4 attempts at suicide",
            16: "rate A by history or B by measurement",
        },
    ),
    bands=(
        SeverityBand("none", 0, 7, "none", "无抑郁（缓解）", "no depression (remission)"),
        SeverityBand("mild", 8, 16, "mild", "轻度抑郁", "mild depression"),
        SeverityBand("moderate", 17, 23, "moderate", "中度抑郁", "moderate depression"),
        SeverityBand("severe", 24, 52, "severe", "重度抑郁", "severe depression"),
    ),
    band_source="Zimmerman et al. 2013 (empirical): 0-7 / 8-16 / 17-23 / >=24",
    risk_items=(
        RiskItemDef(
            3,
            "自杀观念",
            "suicidal ideation",
            ((1, "low"), (2, "moderate"), (3, "high"), (4, "high")),
            "Hamilton's anchors: 1 life not worth living (passive) -> low; 2 death wish -> "
            "moderate; 3 suicidal ideas or gesture, 4 attempt -> high.",
        ),
    ),
    sources=(
        "Hamilton M. J Neurol Neurosurg Psychiatry 23:56-62, 1960",
        "Williams JBW. Arch Gen Psychiatry 45:742-747, 1988 (SIGH-D)",
        "Zimmerman et al. Severity classification on the HAMD. "
        "J Affect Disord 150(2):384-388, 2013",
    ),
    notes_en=(
        "Items 18-21 of the 21/24-item versions are not part of the HAMD-17 total.",
        "Alternative bands (not used): 8-13/14-18/19-22/>=23 'very severe'; the Chinese "
        "convention 7/17/24 has overlapping edges.",
    ),
)

# --- PHQ-9 ------------------------------------------------------------------------------------
_PHQ9_ITEMS = (
    ("兴趣减退", "Little interest or pleasure"),
    ("情绪低落", "Feeling down, depressed or hopeless"),
    ("睡眠问题", "Sleep problems"),
    ("疲倦乏力", "Tiredness or little energy"),
    ("食欲改变", "Poor appetite or overeating"),
    ("自我否定", "Feeling bad about oneself"),
    ("注意力难集中", "Trouble concentrating"),
    ("动作迟缓或烦躁", "Psychomotor slowing or restlessness"),
    ("自杀或自伤念头", "Thoughts of death or self-harm"),
)

PHQ9 = Instrument(
    id="PHQ9",
    display_name="PHQ-9",
    name_zh="患者健康问卷抑郁量表（PHQ-9）",
    name_en="Patient Health Questionnaire-9",
    rater="self",
    period_en="last 2 weeks",
    items=_items(_PHQ9_ITEMS, (0, 3)),
    bands=(
        SeverityBand("minimal", 0, 4, "none", "极轻微或无抑郁", "minimal depression"),
        SeverityBand("mild", 5, 9, "mild", "轻度抑郁", "mild depression"),
        SeverityBand("moderate", 10, 14, "moderate", "中度抑郁", "moderate depression"),
        SeverityBand(
            "moderately_severe", 15, 19, "severe", "中重度抑郁", "moderately severe depression"
        ),
        SeverityBand("severe", 20, 27, "severe", "重度抑郁", "severe depression"),
    ),
    band_source="Kroenke et al. 2001 cut-points 5/10/15/20; moderately severe maps to the "
    "general level 'severe' (conservative for a counselling service)",
    risk_items=(
        RiskItemDef(
            9,
            "自杀意念",
            "suicidal ideation",
            ((1, "moderate"), (2, "high"), (3, "high")),
            "Any non-zero answer must be flagged (FORMATS.md); several days -> moderate, more "
            "than half the days or nearly every day -> high.",
        ),
    ),
    sources=("Kroenke, Spitzer & Williams. The PHQ-9. J Gen Intern Med 16:606-613, 2001",),
    notes_en=("The 10th (difficulty) question is not scored.",),
)

# --- BDI-II -----------------------------------------------------------------------------------
# Item titles only: BDI-II item text is copyrighted (Pearson) and is not stored.
_BDI2_ITEMS = (
    ("悲伤", "Sadness"),
    ("悲观", "Pessimism"),
    ("失败感", "Past failure"),
    ("快感缺失", "Loss of pleasure"),
    ("内疚感", "Guilty feelings"),
    ("受惩罚感", "Punishment feelings"),
    ("自我厌恶", "Self-dislike"),
    ("自我批评", "Self-criticalness"),
    ("自杀想法或意愿", "Suicidal thoughts or wishes"),
    ("哭泣", "Crying"),
    ("激越", "Agitation"),
    ("兴趣丧失", "Loss of interest"),
    ("犹豫不决", "Indecisiveness"),
    ("无价值感", "Worthlessness"),
    ("精力丧失", "Loss of energy"),
    ("睡眠习惯改变", "Changes in sleeping pattern"),
    ("易激惹", "Irritability"),
    ("食欲改变", "Changes in appetite"),
    ("注意力难集中", "Concentration difficulty"),
    ("疲倦或疲乏", "Tiredness or fatigue"),
    ("性兴趣丧失", "Loss of interest in sex"),
)

BDI2 = Instrument(
    id="BDI2",
    display_name="BDI-II",
    name_zh="贝克抑郁量表第二版（BDI-II）",
    name_en="Beck Depression Inventory-II",
    rater="self",
    period_en="past 2 weeks",
    items=_items(
        _BDI2_ITEMS,
        (0, 3),
        notes={
            16: "options 1a/1b/2a/2b/3a/3b: score the number; a/b direction not captured here",
            18: "options 1a/1b/2a/2b/3a/3b: score the number; a/b direction not captured here",
        },
    ),
    bands=(
        SeverityBand("minimal", 0, 13, "none", "极轻微或无抑郁", "minimal depression"),
        SeverityBand("mild", 14, 19, "mild", "轻度抑郁", "mild depression"),
        SeverityBand("moderate", 20, 28, "moderate", "中度抑郁", "moderate depression"),
        SeverityBand("severe", 29, 63, "severe", "重度抑郁", "severe depression"),
    ),
    band_source="Beck, Steer & Brown 1996 manual: 0-13 / 14-19 / 20-28 / 29-63",
    risk_items=(
        RiskItemDef(
            9,
            "自杀意念",
            "suicidal ideation",
            ((1, "moderate"), (2, "high"), (3, "high")),
            "Any non-zero answer is flagged (FORMATS.md); 1 thoughts without intent -> "
            "moderate, 2-3 wish or intent -> high.",
        ),
    ),
    sources=("Beck, Steer & Brown. Manual for the BDI-II. Psychological Corporation, 1996",),
    notes_en=(
        "Copyrighted (Pearson): store scores only, not item text.",
        "If several options are marked, enter the highest.",
    ),
)

INSTRUMENTS: Mapping[str, Instrument] = {inst.id: inst for inst in (SDS, HAMD17, PHQ9, BDI2)}


def get_instrument(instrument_id: str) -> Instrument:
    """Look up by id (`SDS`, `HAMD17`, `PHQ9`, `BDI2`); unknown ids list the known ones."""
    try:
        return INSTRUMENTS[instrument_id]
    except KeyError:
        raise KeyError(
            f"unknown instrument {instrument_id!r}; known: {', '.join(INSTRUMENTS)}"
        ) from None


# --- concept ids (docs/CONVENTIONS.md) ----------------------------------------------------------


def scale_id(instrument_id: str) -> str:
    return f"{SCALE_PREFIX}{get_instrument(instrument_id).id}"


def scale_item_id(instrument_id: str, number: int) -> str:
    inst = get_instrument(instrument_id)
    inst.item(number)
    return f"{SCALE_ITEM_PREFIX}{inst.id}:{number}"


def severity_band_id(instrument_id: str, code: str) -> str:
    inst = get_instrument(instrument_id)
    inst.band(code)
    return f"{SEVERITY_PREFIX}{inst.id}:{code}"


# --- graph seed specs (plain data; kg/ builds Node/Edge records from them) ----------------------


@dataclass(frozen=True)
class ConceptSpec:
    """A Concept node to create: `type` is its extra label (Scale, ScaleItem, ...)."""

    id: str
    type: str
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    props: Mapping[str, str | int | float | bool | list[int] | list[str]] = field(
        default_factory=dict
    )
    source: str = ONTOLOGY_SOURCE
    source_version: str = ONTOLOGY_VERSION


@dataclass(frozen=True)
class RelationSpec:
    """A relationship between two concepts (types from kg/schema.py RELATIONSHIP_TYPES)."""

    src: str
    type: str
    dst: str
    props: Mapping[str, str | int | float | bool | list[int] | list[str]] = field(
        default_factory=dict
    )


def concept_specs() -> list[ConceptSpec]:
    """Every Scale, ScaleItem, Severity (bands + general levels) and RiskLevel concept."""
    specs = [
        ConceptSpec(general_level_id(lv), "Severity", zh, en, props={"rank": i})
        for i, (lv, (zh, en)) in enumerate(GENERAL_LEVEL_LABELS.items())
    ]
    specs += [
        ConceptSpec(risk_id(lv), "RiskLevel", zh, en, props={"rank": i})
        for i, (lv, (zh, en)) in enumerate(RISK_LEVEL_LABELS.items())
    ]
    for inst in INSTRUMENTS.values():
        specs.append(
            ConceptSpec(
                scale_id(inst.id),
                "Scale",
                inst.name_zh,
                inst.name_en,
                description_en="; ".join((inst.band_source, *inst.notes_en)),
                props={
                    "display_name": inst.display_name,
                    "rater": inst.rater,
                    "n_items": inst.n_items,
                    "raw_min": inst.raw_min,
                    "raw_max": inst.raw_max,
                    "score_basis": inst.score_basis,
                    "reverse_items": list(inst.reverse_items),
                    "risk_items": [r.item for r in inst.risk_items],
                    "sources": list(inst.sources),
                },
            )
        )
        for item in inst.items:
            specs.append(
                ConceptSpec(
                    scale_item_id(inst.id, item.number),
                    "ScaleItem",
                    f"{inst.display_name} 第{item.number}题 {item.name_zh}",
                    f"{inst.display_name} item {item.number}: {item.name_en}",
                    description_en=item.note_en,
                    props={
                        "instrument": inst.id,
                        "number": item.number,
                        "item_name_zh": item.name_zh,
                        "item_name_en": item.name_en,
                        "min_answer": item.min_answer,
                        "max_answer": item.max_answer,
                        "reverse": item.reverse,
                    },
                )
            )
        for band in inst.bands:
            specs.append(
                ConceptSpec(
                    severity_band_id(inst.id, band.code),
                    "Severity",
                    f"{inst.display_name} {band.label_zh}",
                    f"{inst.display_name} {band.label_en}",
                    props={
                        "instrument": inst.id,
                        "code": band.code,
                        "low": band.low,
                        "high": band.high,
                        "score_basis": inst.score_basis,
                        "level": band.level,
                    },
                )
            )
    return specs


def relation_specs() -> list[RelationSpec]:
    """HAS_ITEM, HAS_SEVERITY, band IS_A general level, risk item SIGNALS_RISK risk level."""
    rels: list[RelationSpec] = []
    for inst in INSTRUMENTS.values():
        sid = scale_id(inst.id)
        rels += [
            RelationSpec(sid, "HAS_ITEM", scale_item_id(inst.id, i.number)) for i in inst.items
        ]
        for band in inst.bands:
            bid = severity_band_id(inst.id, band.code)
            rels.append(RelationSpec(sid, "HAS_SEVERITY", bid))
            rels.append(RelationSpec(bid, "IS_A", general_level_id(band.level)))
        for risk in inst.risk_items:
            by_level: dict[RiskLevel, list[int]] = {}
            for answer, level in risk.answer_levels:
                by_level.setdefault(level, []).append(answer)
            for level, answers in by_level.items():
                rels.append(
                    RelationSpec(
                        scale_item_id(inst.id, risk.item),
                        "SIGNALS_RISK",
                        risk_id(level),
                        {"answers": answers},
                    )
                )
    return rels
