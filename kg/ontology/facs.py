"""FACS action units as data: the 44 AUs, their muscles and facial regions, and Table 1 of the
source study (AU -> emotions, AU4/AU14 as the AUs most seen in depression).

Which 44: Ekman & Friesen's FACS (1978) numbers its action units 1-46 with 3 and 40 unused,
which is exactly 44 codes: the 30 main AUs (1, 2, 4-7, 9-18, 20, 22-28, 41-46) plus the
"miscellaneous" codes 8, 19, 21 and 29-39 (lips toward each other, tongue show, neck tightener,
jaw thrust/sideways/clench, lip bite, cheek blow/puff/suck, tongue bulge, lip wipe, nostril
dilate/compress). Head (51-58) and eye (61-64) position codes are not action units and are not
included. English names and muscles follow the FACS manual (Ekman, Friesen & Hager 2002);
Chinese names are the common FACS translations used in the CASME/CAS(ME)^n literature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# region key -> (zh, en)
REGIONS: Mapping[str, tuple[str, str]] = {
    "brow": ("眉部", "brow"),
    "eyes": ("眼部", "eyes and eyelids"),
    "nose": ("鼻部", "nose"),
    "cheek": ("颊部", "cheek"),
    "mouth": ("口唇部", "mouth and lips"),
    "chin": ("颏部", "chin"),
    "jaw": ("下颌", "jaw"),
    "neck": ("颈部", "neck"),
}

# muscle key -> (zh, en)
MUSCLES: Mapping[str, tuple[str, str]] = {
    "frontalis_medial": ("额肌内侧部", "frontalis, pars medialis"),
    "frontalis_lateral": ("额肌外侧部", "frontalis, pars lateralis"),
    "corrugator": ("皱眉肌", "corrugator supercilii"),
    "depressor_supercilii": ("降眉肌", "depressor supercilii"),
    "procerus": ("降眉间肌", "procerus"),
    "levator_palpebrae": ("上睑提肌", "levator palpebrae superioris"),
    "superior_tarsal": ("上睑板肌", "superior tarsal muscle"),
    "orbicularis_oculi_orbital": ("眼轮匝肌眶部", "orbicularis oculi, pars orbitalis"),
    "orbicularis_oculi_palpebral": ("眼轮匝肌睑部", "orbicularis oculi, pars palpebralis"),
    "levator_labii_alaeque_nasi": ("提上唇鼻翼肌", "levator labii superioris alaeque nasi"),
    "levator_labii": ("提上唇肌", "levator labii superioris"),
    "zygomaticus_minor": ("颧小肌", "zygomaticus minor"),
    "zygomaticus_major": ("颧大肌", "zygomaticus major"),
    "levator_anguli_oris": ("提口角肌", "levator anguli oris (caninus)"),
    "buccinator": ("颊肌", "buccinator"),
    "depressor_anguli_oris": ("降口角肌", "depressor anguli oris (triangularis)"),
    "depressor_labii": ("降下唇肌", "depressor labii inferioris"),
    "mentalis": ("颏肌", "mentalis"),
    "incisivii": ("切牙肌", "incisivii labii superioris and inferioris"),
    "risorius": ("笑肌", "risorius"),
    "platysma": ("颈阔肌", "platysma"),
    "orbicularis_oris": ("口轮匝肌", "orbicularis oris"),
    "masseter": ("咬肌", "masseter"),
    "temporalis": ("颞肌", "temporalis"),
    "pterygoid": ("翼状肌", "pterygoids"),
    "digastric": ("二腹肌", "digastric"),
    "nasalis_alar": ("鼻肌翼部", "nasalis, pars alaris"),
    "nasalis_transverse": ("鼻肌横部", "nasalis, pars transversa"),
    "depressor_septi": ("降鼻中隔肌", "depressor septi nasi"),
}


@dataclass(frozen=True)
class ActionUnitDef:
    number: int
    name_en: str
    name_zh: str
    region: str
    muscles: tuple[str, ...]
    category: str = "main"  # main | miscellaneous (FACS's grouping)

    @property
    def id(self) -> str:
        return f"au:AU{self.number}"


_M = "miscellaneous"
ACTION_UNITS: tuple[ActionUnitDef, ...] = (
    ActionUnitDef(1, "Inner Brow Raiser", "眉内角上扬", "brow", ("frontalis_medial",)),
    ActionUnitDef(2, "Outer Brow Raiser", "眉外角上扬", "brow", ("frontalis_lateral",)),
    ActionUnitDef(
        4,
        "Brow Lowerer",
        "皱眉（眉毛下压）",
        "brow",
        ("corrugator", "depressor_supercilii", "procerus"),
    ),
    ActionUnitDef(
        5, "Upper Lid Raiser", "上眼睑上扬", "eyes", ("levator_palpebrae", "superior_tarsal")
    ),
    ActionUnitDef(6, "Cheek Raiser", "脸颊上提", "cheek", ("orbicularis_oculi_orbital",)),
    ActionUnitDef(7, "Lid Tightener", "眼睑收紧", "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(8, "Lips Toward Each Other", "双唇相向", "mouth", ("orbicularis_oris",), _M),
    ActionUnitDef(9, "Nose Wrinkler", "皱鼻", "nose", ("levator_labii_alaeque_nasi",)),
    ActionUnitDef(10, "Upper Lip Raiser", "上唇上提", "mouth", ("levator_labii",)),
    ActionUnitDef(11, "Nasolabial Deepener", "鼻唇沟加深", "cheek", ("zygomaticus_minor",)),
    ActionUnitDef(12, "Lip Corner Puller", "嘴角上扬", "mouth", ("zygomaticus_major",)),
    ActionUnitDef(13, "Sharp Lip Puller", "嘴角急拉（鼓颊）", "cheek", ("levator_anguli_oris",)),
    ActionUnitDef(14, "Dimpler", "酒窝（嘴角收紧）", "mouth", ("buccinator",)),
    ActionUnitDef(15, "Lip Corner Depressor", "嘴角下拉", "mouth", ("depressor_anguli_oris",)),
    ActionUnitDef(16, "Lower Lip Depressor", "下唇下拉", "mouth", ("depressor_labii",)),
    ActionUnitDef(17, "Chin Raiser", "下巴上抬", "chin", ("mentalis",)),
    ActionUnitDef(18, "Lip Pucker", "撅嘴", "mouth", ("incisivii",)),
    ActionUnitDef(19, "Tongue Show", "吐舌", "mouth", (), _M),
    ActionUnitDef(20, "Lip Stretcher", "嘴唇横向拉伸", "mouth", ("risorius", "platysma")),
    ActionUnitDef(21, "Neck Tightener", "颈部收紧", "neck", ("platysma",), _M),
    ActionUnitDef(22, "Lip Funneler", "嘴唇呈漏斗状", "mouth", ("orbicularis_oris",)),
    ActionUnitDef(23, "Lip Tightener", "嘴唇收紧", "mouth", ("orbicularis_oris",)),
    ActionUnitDef(24, "Lip Pressor", "抿嘴（双唇压紧）", "mouth", ("orbicularis_oris",)),
    ActionUnitDef(
        25, "Lips Part", "双唇分开", "mouth", ("depressor_labii", "mentalis", "orbicularis_oris")
    ),
    ActionUnitDef(26, "Jaw Drop", "下颌下垂", "jaw", ("masseter", "temporalis", "pterygoid")),
    ActionUnitDef(27, "Mouth Stretch", "张大嘴", "jaw", ("pterygoid", "digastric")),
    ActionUnitDef(28, "Lip Suck", "吸唇", "mouth", ("orbicularis_oris",)),
    ActionUnitDef(29, "Jaw Thrust", "下颌前伸", "jaw", ("pterygoid",), _M),
    ActionUnitDef(30, "Jaw Sideways", "下颌侧移", "jaw", ("pterygoid",), _M),
    ActionUnitDef(31, "Jaw Clencher", "咬紧牙关", "jaw", ("masseter",), _M),
    ActionUnitDef(32, "Lip Bite", "咬唇", "mouth", (), _M),
    ActionUnitDef(33, "Cheek Blow", "吹气鼓颊", "cheek", ("buccinator",), _M),
    ActionUnitDef(34, "Cheek Puff", "鼓腮", "cheek", ("buccinator",), _M),
    ActionUnitDef(35, "Cheek Suck", "吸颊", "cheek", ("buccinator",), _M),
    ActionUnitDef(36, "Tongue Bulge", "舌顶脸颊", "mouth", (), _M),
    ActionUnitDef(37, "Lip Wipe", "舔唇", "mouth", (), _M),
    ActionUnitDef(38, "Nostril Dilator", "鼻孔扩张", "nose", ("nasalis_alar",), _M),
    ActionUnitDef(
        39, "Nostril Compressor", "鼻孔收缩", "nose", ("nasalis_transverse", "depressor_septi"), _M
    ),
    ActionUnitDef(41, "Lid Droop", "眼睑下垂", "eyes", ("levator_palpebrae",)),
    ActionUnitDef(42, "Slit", "眯眼（眼裂变窄）", "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(
        43, "Eyes Closed", "闭眼", "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")
    ),
    ActionUnitDef(44, "Squint", "斜眼（眯缝眼）", "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(
        45, "Blink", "眨眼", "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")
    ),
    ActionUnitDef(
        46, "Wink", "单眼眨眼", "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")
    ),
)


@dataclass(frozen=True)
class PaperAURow:
    """One row of Table 1 of the source study: its description, emotions and muscles."""

    number: int
    description_en: str
    emotions: tuple[str, ...]  # emotion keys (emotion:<key>)
    muscles: tuple[str, ...]  # muscle keys as listed by the paper


# Table 1 "Examples of some facial AUs" (source paper 000): the 20 AUs it lists. AUs 10, 18, 25
# and 27 are listed with muscles but no emotion.
PAPER_TABLE_1: tuple[PaperAURow, ...] = (
    PaperAURow(
        1, "Raise inner brow", ("sadness", "surprise", "fear", "interest"), ("frontalis_medial",)
    ),
    PaperAURow(2, "Raise outer brow", ("surprise", "fear", "interest"), ("frontalis_lateral",)),
    PaperAURow(
        4,
        "Frown",
        ("sadness", "fear", "anger", "confusion"),
        ("corrugator", "depressor_supercilii", "procerus"),
    ),
    PaperAURow(
        5,
        "Upper eyelid raise",
        ("surprise", "fear", "anger", "interest"),
        ("levator_palpebrae", "superior_tarsal"),
    ),
    PaperAURow(6, "Cheek raise", ("happiness",), ("orbicularis_oculi_orbital",)),
    PaperAURow(
        7, "Tighten eyelids", ("confusion", "fear", "anger"), ("orbicularis_oculi_palpebral",)
    ),
    PaperAURow(9, "Nose wrinkle", ("disgust",), ("levator_labii",)),
    PaperAURow(10, "Upper lip raise", (), ("levator_labii",)),
    PaperAURow(12, "Pull mouth corners", ("happiness", "contempt"), ("zygomaticus_major",)),
    PaperAURow(14, "Tighten mouth corners", ("contempt", "boredom"), ("buccinator",)),
    PaperAURow(
        15,
        "Downward mouth corners",
        ("sadness", "disgust", "confusion"),
        ("depressor_anguli_oris",),
    ),
    PaperAURow(17, "Lower lip raise", ("sadness", "surprise", "fear"), ("mentalis",)),
    PaperAURow(18, "Pucker lips", (), ("incisivii", "depressor_labii")),
    PaperAURow(20, "Mouth stretch", ("fear",), ("risorius", "platysma")),
    PaperAURow(23, "Lip tighten", ("anger", "confusion", "boredom"), ("orbicularis_oris",)),
    PaperAURow(24, "Lip press", ("boredom",), ("orbicularis_oris",)),
    PaperAURow(25, "Lips part", (), ("depressor_labii", "mentalis", "orbicularis_oris")),
    PaperAURow(26, "Jaw drop", ("surprise", "fear"), ("masseter", "temporalis", "pterygoid")),
    PaperAURow(27, "Mouth open", (), ("pterygoid", "digastric")),
    PaperAURow(43, "Close eyes", ("boredom",), ("levator_palpebrae",)),
)

# "AU14 (tightening the mouth corners) and AU4 (frowning) are the two most common AUs observed
# on the faces of individuals with depression" (source paper, section 2).
DEPRESSION_MARKER_AUS: tuple[int, ...] = (4, 14)


def au_table_relations() -> dict[int, tuple[str, ...]]:
    """AU number -> emotion keys, for the AUs of Table 1 that have emotions."""
    return {row.number: row.emotions for row in PAPER_TABLE_1 if row.emotions}


def _check() -> None:
    numbers = [au.number for au in ACTION_UNITS]
    if len(numbers) != 44 or sorted(numbers) != [n for n in range(1, 47) if n not in (3, 40)]:
        raise ValueError("FACS list must be AUs 1-46 without 3 and 40 (44 codes)")
    for au in ACTION_UNITS:
        if au.region not in REGIONS or any(m not in MUSCLES for m in au.muscles):
            raise ValueError(f"AU{au.number}: unknown region or muscle")
    for row in PAPER_TABLE_1:
        if row.number not in numbers or any(m not in MUSCLES for m in row.muscles):
            raise ValueError(f"Table 1 AU{row.number}: unknown AU or muscle")


_check()
