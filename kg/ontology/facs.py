"""FACS action units as data: the 44 AUs, their muscles and facial regions, and Table 1 of the
source study (AU -> emotions, AU4/AU14 as the AUs most seen in depression).

Which 44: Ekman & Friesen's FACS (1978) numbers its action units 1-46 with 3 and 40 unused,
which is exactly 44 codes: the 30 main AUs (1, 2, 4-7, 9-18, 20, 22-28, 41-46) plus the
"miscellaneous" codes 8, 19, 21 and 29-39 (lips toward each other, tongue show, neck tightener,
jaw thrust/sideways/clench, lip bite, cheek blow/puff/suck, tongue bulge, lip wipe, nostril
dilate/compress). Head (51-58) and eye (61-64) position codes are not action units and are not
included. English names and muscles follow the FACS manual (Ekman, Friesen & Hager 2002);
Chinese names are the common FACS translations used in the CASME/CAS(ME)^n literature; the names
themselves live in contracts/vocabulary.py (AU_NAMES), shared with the video recognizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.vocabulary import AU_NAMES, au_id
from kg.ontology.emotions import ConceptText, check_texts

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
    region: str
    muscles: tuple[str, ...]
    category: str = "main"  # main | miscellaneous (FACS's grouping)

    @property
    def id(self) -> str:
        return au_id(self.number)

    @property
    def name_zh(self) -> str:
        return AU_NAMES[self.number][0]

    @property
    def name_en(self) -> str:
        return AU_NAMES[self.number][1]


_M = "miscellaneous"
ACTION_UNITS: tuple[ActionUnitDef, ...] = (
    ActionUnitDef(1, "brow", ("frontalis_medial",)),
    ActionUnitDef(2, "brow", ("frontalis_lateral",)),
    ActionUnitDef(
        4,
        "brow",
        ("corrugator", "depressor_supercilii", "procerus"),
    ),
    ActionUnitDef(5, "eyes", ("levator_palpebrae", "superior_tarsal")),
    ActionUnitDef(6, "cheek", ("orbicularis_oculi_orbital",)),
    ActionUnitDef(7, "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(8, "mouth", ("orbicularis_oris",), _M),
    ActionUnitDef(9, "nose", ("levator_labii_alaeque_nasi",)),
    ActionUnitDef(10, "mouth", ("levator_labii",)),
    ActionUnitDef(11, "cheek", ("zygomaticus_minor",)),
    ActionUnitDef(12, "mouth", ("zygomaticus_major",)),
    ActionUnitDef(13, "cheek", ("levator_anguli_oris",)),
    ActionUnitDef(14, "mouth", ("buccinator",)),
    ActionUnitDef(15, "mouth", ("depressor_anguli_oris",)),
    ActionUnitDef(16, "mouth", ("depressor_labii",)),
    ActionUnitDef(17, "chin", ("mentalis",)),
    ActionUnitDef(18, "mouth", ("incisivii",)),
    ActionUnitDef(19, "mouth", (), _M),
    ActionUnitDef(20, "mouth", ("risorius", "platysma")),
    ActionUnitDef(21, "neck", ("platysma",), _M),
    ActionUnitDef(22, "mouth", ("orbicularis_oris",)),
    ActionUnitDef(23, "mouth", ("orbicularis_oris",)),
    ActionUnitDef(24, "mouth", ("orbicularis_oris",)),
    ActionUnitDef(25, "mouth", ("depressor_labii", "mentalis", "orbicularis_oris")),
    ActionUnitDef(26, "jaw", ("masseter", "temporalis", "pterygoid")),
    ActionUnitDef(27, "jaw", ("pterygoid", "digastric")),
    ActionUnitDef(28, "mouth", ("orbicularis_oris",)),
    ActionUnitDef(29, "jaw", ("pterygoid",), _M),
    ActionUnitDef(30, "jaw", ("pterygoid",), _M),
    ActionUnitDef(31, "jaw", ("masseter",), _M),
    ActionUnitDef(32, "mouth", (), _M),
    ActionUnitDef(33, "cheek", ("buccinator",), _M),
    ActionUnitDef(34, "cheek", ("buccinator",), _M),
    ActionUnitDef(35, "cheek", ("buccinator",), _M),
    ActionUnitDef(36, "mouth", (), _M),
    ActionUnitDef(37, "mouth", (), _M),
    ActionUnitDef(38, "nose", ("nasalis_alar",), _M),
    ActionUnitDef(39, "nose", ("nasalis_transverse", "depressor_septi"), _M),
    ActionUnitDef(41, "eyes", ("levator_palpebrae",)),
    ActionUnitDef(42, "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(43, "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")),
    ActionUnitDef(44, "eyes", ("orbicularis_oculi_palpebral",)),
    ActionUnitDef(45, "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")),
    ActionUnitDef(46, "eyes", ("levator_palpebrae", "orbicularis_oculi_palpebral")),
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


_T = ConceptText
# AU number -> appearance changes per the FACS manual (Ekman, Friesen & Hager 2002) and the
# everyday words people use for the movement; paraphrased from domain knowledge, no text copied.
AU_TEXT: Mapping[int, ConceptText] = {
    1: _T(
        "眉毛内侧（眉头）被向上拉起，眉形由平变为内高外低的斜“八”字；前额中部出现横向皱纹，"
        "皱纹不延伸到额头两侧。",
        "The inner corners of the eyebrows are pulled up, giving the brows an oblique shape "
        "(raised in the middle); short horizontal wrinkles appear in the centre of the forehead.",
        ("眉头上扬", "眉头上抬", "眉心上挑", "八字眉", "眉毛内侧抬起"),
        ("inner brows raised", "raised inner eyebrows", "worried brows", "sad eyebrows"),
    ),
    2: _T(
        "眉毛外侧（眉梢）被向上拉起，眉形呈弧拱状，上眼睑外侧皮肤被拉伸；额头两侧出现横向皱纹。",
        "The outer portion of the eyebrows is pulled up, arching the brows and stretching the "
        "lateral eyelid cover fold; horizontal wrinkles appear on the lateral forehead.",
        ("眉梢上扬", "眉尾上挑", "挑眉", "扬眉", "眉毛外侧抬起"),
        ("outer brows raised", "raised eyebrows", "arched brows", "eyebrow raise"),
    ),
    4: _T(
        "眉毛下压并向中间聚拢，眉间出现竖纹（有时为斜纹），鼻根处可见横纹；"
        "眉毛压低使上眼睑被推低、眼裂变窄。",
        "The brows are lowered and drawn together; vertical (sometimes oblique) wrinkles "
        "appear between the brows and horizontal ones at the root of the nose; the lowered "
        "brow pushes the upper lid down and narrows the eye.",
        ("皱眉", "眉头紧锁", "蹙眉", "眉头紧皱", "锁眉", "眉间皱纹", "愁眉"),
        ("frown", "frowning", "furrowed brow", "knitted brows", "scowl", "brows drawn together"),
    ),
    5: _T(
        "上眼睑上提，眼裂变大，露出更多虹膜上方的巩膜（眼白），眼睛显得睁大、瞪视。",
        "The upper eyelid is raised, widening the eye opening so that more of the upper iris "
        "and often the white of the eye above it is exposed; the eyes look wide and staring.",
        ("睁大眼睛", "瞪眼", "眼睛睁大", "瞪大眼", "怒目", "露出眼白"),
        ("eyes widened", "wide-eyed", "wide eyes", "staring", "eyes wide open"),
    ),
    6: _T(
        "眼轮匝肌眶部收缩，脸颊被向上提起，下眼睑下方皮肤向眼部聚集形成眼袋样隆起，"
        "外眼角出现鱼尾纹，眼睛变窄；常见于真诚的笑。",
        "The cheeks are lifted and skin around the eye is drawn inward; the lower-lid "
        "furrow deepens, a bulge forms under the lower lid, crow's-feet wrinkles appear at "
        "the outer eye corners and the eye narrows; part of a genuine (Duchenne) smile.",
        ("脸颊上提", "苹果肌上提", "鱼尾纹", "眼角皱纹", "笑眼", "眼睛笑成一条缝"),
        ("cheeks raised", "crow's feet", "smiling eyes", "eye smile", "lifted cheeks"),
    ),
    7: _T(
        "眼睑收紧，下眼睑被上推并变直、紧绷，下眼睑处出现隆起，眼裂变窄；与AU6不同，脸颊不上提。",
        "The eyelids tighten; the lower lid is raised, straightened and tensed, bulging, "
        "and the eye opening narrows; unlike AU6 the cheek is not lifted.",
        ("眯眼", "眼睑绷紧", "眼睛眯起", "下眼睑收紧", "眼神锐利"),
        ("narrowed eyes", "tightened eyelids", "tense eyelids", "glaring", "squinting eyes"),
    ),
    8: _T(
        "双唇在张口状态下相互靠拢、收紧，唇部显得紧张并向彼此内收，常与AU25同时出现。",
        "With the lips parted, they are drawn toward each other and tensed, as if about to "
        "close; usually scored together with AU25.",
        ("双唇靠拢", "嘴唇内收", "嘴唇相合"),
        ("lips toward each other", "lips drawn together", "lips closing in"),
    ),
    9: _T(
        "鼻翼两侧皮肤向上提拉，鼻梁和鼻侧出现皱纹；眉头被拉低，上唇随之上抬，鼻唇沟上段加深。",
        "The skin along the sides of the nose is pulled up, wrinkling the nose bridge and "
        "sides; the inner brows are pulled down, the upper lip is raised and the upper "
        "nasolabial furrow deepens.",
        ("皱鼻子", "鼻子皱起", "皱鼻", "鼻梁起皱", "嫌弃地皱鼻"),
        ("wrinkled nose", "nose wrinkle", "scrunched nose", "nose scrunch"),
    ),
    10: _T(
        "上唇被向上提起，中部上抬较多、唇形呈弧形，可露出上排牙齿；鼻唇沟加深，鼻翼被上提变宽。",
        "The upper lip is raised, its centre most, giving it a curved shape and possibly "
        "exposing the upper teeth; the nasolabial furrow deepens and the nostril wings are "
        "raised and widened.",
        ("上唇上抬", "上嘴唇翘起", "龇牙", "上唇翻起", "露出上牙"),
        ("upper lip raised", "lip curl", "snarl", "raised upper lip"),
    ),
    11: _T(
        "鼻唇沟中段皮肤被向上外侧轻拉，鼻唇沟加深，上唇外侧略上抬。",
        "The skin below the middle of the nasolabial furrow is pulled up and out, "
        "deepening the furrow and slightly raising the outer upper lip.",
        ("鼻唇沟加深", "法令纹加深", "法令纹变深"),
        ("deepened nasolabial fold", "deeper smile lines", "nasolabial deepening"),
    ),
    12: _T(
        "嘴角被斜向后上方拉起，唇形呈上弯弧线；鼻唇沟加深，强度大时脸颊上提、"
        "下眼睑下方隆起、眼角出现鱼尾纹。",
        "The lip corners are pulled back and up obliquely, curving the mouth upward; the "
        "nasolabial furrow deepens and, when strong, the cheeks rise, the infraorbital skin "
        "bags and crow's feet appear.",
        ("嘴角上翘", "嘴角上扬", "微笑", "笑", "咧嘴笑", "面带笑容"),
        ("smile", "smiling", "grin", "lip corners up", "mouth corners turned up"),
    ),
    13: _T(
        "嘴角被急速向上、较窄地拉起，颊部在嘴角上方鼓起，上唇外侧上提，嘴角显得尖细。",
        "The lip corners are pulled up sharply and narrowly, puffing the cheek above the "
        "corner and raising the outer upper lip, so the corners look pointed.",
        ("嘴角尖拉", "嘴角上提鼓颊", "脸颊鼓起上提"),
        ("sharp lip pull", "cheek puffer", "pointed lip corners"),
    ),
    14: _T(
        "嘴角收紧并向内（向后）牵拉，嘴角外侧出现酒窝样皱褶或凹陷，唇部被拉平；"
        "单侧出现时常被看作冷笑或轻蔑。",
        "The lip corners are tightened and drawn inward, producing a dimple-like wrinkle or "
        "bulge beyond the corners and flattening the lips; one-sided, it reads as a smirk "
        "or contempt.",
        ("嘴角收紧", "抿嘴角", "酒窝", "嘴角内缩", "撇嘴冷笑", "压着嘴角"),
        ("dimple", "dimpler", "tightened mouth corners", "smirk", "suppressed smile"),
    ),
    15: _T(
        "嘴角被向下拉，唇形呈下弯弧线，嘴角外下方皮肤可出现皱褶或隆起，下巴处可有轻微皱纹。",
        "The lip corners are pulled down, angling the mouth downward; the skin below the "
        "corners may bag or wrinkle and the chin boss may wrinkle slightly.",
        ("嘴角向下", "嘴角下垂", "嘴角下撇", "嘴角耷拉", "撇嘴", "苦瓜脸"),
        ("mouth corners down", "downturned mouth", "drooping mouth corners", "lip corners down"),
    ),
    16: _T(
        "下唇被向下并向两侧拉伸，下唇外翻，可露出下排牙齿和牙龈，下巴处皮肤被拉紧。",
        "The lower lip is pulled down and stretched sideways, may turn outward and expose "
        "the lower teeth and gums; the chin skin is stretched.",
        ("下唇下拉", "下嘴唇外翻", "露出下排牙齿", "下唇下撇"),
        ("lower lip pulled down", "lower lip depressed", "showing bottom teeth"),
    ),
    17: _T(
        "颏部隆起被向上推，下唇随之上推并可前突，嘴形呈倒U形；下巴皮肤起皱，"
        "出现橘皮样凹凸，下唇下方出现横向皱褶。",
        "The chin boss is pushed up, pushing the lower lip up (and possibly out) so the "
        "mouth takes an inverted-U shape; the chin skin wrinkles or dimples and a furrow "
        "appears below the lower lip.",
        ("下巴上抬", "下巴起皱", "下唇上推", "下巴皱起", "瘪嘴", "嘴巴撇成倒U形"),
        ("chin raised", "chin wrinkle", "chin raise", "pouting chin", "quivering chin"),
    ),
    18: _T(
        "双唇向前突出并向中间收拢成撅起状，唇部出现纵向皱纹，嘴显得变小变圆。",
        "The lips are pushed forward and pulled toward the centre into a pucker, with "
        "vertical lip wrinkles, making the mouth small and round.",
        ("撅嘴", "噘嘴", "嘟嘴", "努嘴", "嘴唇撅起"),
        ("pucker", "puckered lips", "pout", "pursed forward lips"),
    ),
    19: _T(
        "舌头伸出口外，可见舌面。",
        "The tongue is shown, protruding out of the mouth.",
        ("吐舌头", "伸舌头", "露出舌头"),
        ("tongue out", "sticking tongue out", "tongue show"),
    ),
    20: _T(
        "嘴角被向两侧水平拉伸，嘴唇变长变扁，嘴角外侧皮肤被拉紧，下巴和颈部可见颈阔肌条纹。",
        "The lip corners are pulled sideways horizontally, elongating and flattening the "
        "mouth; the skin beyond the corners is stretched and platysma lines may show on the "
        "chin and neck.",
        ("嘴唇横向拉伸", "嘴角向两侧拉", "咧嘴", "嘴巴拉长", "嘴角拉平"),
        ("lips stretched", "stretched mouth", "grimace", "lips pulled sideways"),
    ),
    21: _T(
        "颈部肌肉（颈阔肌）收紧，颈部皮肤出现纵向或斜向条索和皱褶，下颌下方皮肤绷紧。",
        "The platysma tightens: vertical or oblique cords and wrinkles show on the neck and "
        "the skin under the jaw is pulled taut.",
        ("脖子绷紧", "颈部绷紧", "颈部青筋显露", "颈部肌肉紧张"),
        ("tight neck", "neck tension", "neck cords showing", "neck tightening"),
    ),
    22: _T(
        "双唇向外翻并向前突出呈喇叭或漏斗状，嘴角向中间收拢，常露出牙齿和牙龈。",
        "The lips flare outward and push forward into a funnel shape, the corners drawn in; "
        "teeth and gums are often exposed.",
        ("嘴唇呈喇叭状", "嘴唇外翻前突", "嘴唇成漏斗形", "嘟起嘴唇"),
        ("funneled lips", "lip funnel", "lips pushed out", "flared lips"),
    ),
    23: _T(
        "嘴唇收紧，唇红部变窄变薄，唇缘卷入、绷紧，嘴显得变小；下唇下方或上唇上方可出现隆起。",
        "The lips tighten: the red parts narrow and thin, the lip margins roll in and tense "
        "and the mouth looks smaller; bulges may form below the lower or above the upper lip.",
        ("嘴唇收紧", "嘴唇绷紧", "紧闭嘴唇", "嘴唇变薄", "双唇紧绷"),
        ("tight lips", "tightened lips", "thin lips", "lips tensed"),
    ),
    24: _T(
        "上下唇紧紧压在一起，唇红部变窄，唇部上下方皮肤隆起，下巴可见轻微皱褶。",
        "The upper and lower lips are pressed firmly together, narrowing the red parts, with "
        "bulging above and below the lips and slight wrinkling of the chin.",
        ("抿嘴", "抿紧嘴唇", "双唇紧闭", "紧抿双唇", "抿着嘴"),
        ("lips pressed together", "pressed lips", "tight-lipped", "lip press"),
    ),
    25: _T(
        "双唇分开，露出唇内侧、牙齿或牙龈，下颌不必下垂。",
        "The lips part, exposing the inner lip, teeth or gums; the jaw need not drop.",
        ("嘴唇微张", "双唇分开", "嘴巴微张", "张开嘴唇", "唇微启"),
        ("lips apart", "parted lips", "mouth slightly open", "lips part"),
    ),
    26: _T(
        "下颌放松下垂，上下牙分开，嘴自然张开，下巴下移；与AU27不同，没有用力拉伸。",
        "The jaw relaxes and drops so the teeth separate and the mouth falls open; unlike "
        "AU27 there is no effortful stretching.",
        ("张嘴", "下巴下垂", "嘴巴张开", "目瞪口呆", "张口"),
        ("jaw drop", "dropped jaw", "mouth falls open", "open-mouthed", "mouth open"),
    ),
    27: _T(
        "下颌被用力向下拉开，嘴张得很大，嘴唇和面颊被拉伸，嘴形拉长。",
        "The jaw is pulled far down with effort so the mouth is stretched wide open, "
        "stretching the lips and cheeks.",
        ("张大嘴", "嘴巴张得很大", "大张嘴", "嘴张大", "打哈欠样张嘴"),
        ("mouth wide open", "mouth stretch", "gaping mouth", "wide open mouth"),
    ),
    28: _T(
        "双唇被吸入口内，盖住牙齿，唇红部部分或全部看不见。",
        "The lips are sucked into the mouth over the teeth so that the red of the lips "
        "partly or fully disappears.",
        ("吸唇", "嘴唇内收", "抿进嘴唇", "嘴唇吸进去"),
        ("lips sucked in", "lips rolled in", "lip suck"),
    ),
    29: _T(
        "下颌向前推出，下排牙齿可位于上排牙齿之前，下巴突出。",
        "The jaw is pushed forward so the chin juts out and the lower teeth may sit in front "
        "of the upper teeth.",
        ("下巴前伸", "下颌前突", "伸下巴", "下巴往前顶"),
        ("jaw thrust", "jutting jaw", "chin pushed forward"),
    ),
    30: _T(
        "下颌向左或向右侧移，下巴偏向一侧，嘴形不对称。",
        "The jaw moves to one side, shifting the chin and making the mouth asymmetric.",
        ("下巴歪向一侧", "下颌左右移动", "下巴错开"),
        ("jaw sideways", "jaw shift", "jaw moved to the side"),
    ),
    31: _T(
        "咬肌用力收缩使牙关紧咬，下颌角处咬肌隆起，可见腮帮子鼓动。",
        "The teeth are clenched by contracting the masseter, which bulges visibly at the "
        "angle of the jaw.",
        ("咬牙", "咬紧牙关", "咬牙切齿", "腮帮子鼓起", "紧咬牙齿"),
        ("clenched jaw", "jaw clench", "gritted teeth", "clenching teeth"),
    ),
    32: _T(
        "牙齿咬住上唇或下唇，唇部被压出凹陷。",
        "The teeth bite the upper or lower lip, indenting it.",
        ("咬嘴唇", "咬唇", "咬着下唇"),
        ("lip bite", "biting lip", "biting the lip"),
    ),
    33: _T(
        "双唇闭合，口腔充气使两颊鼓起并向外吹气。",
        "With the lips closed, air is blown into the cheeks so they expand outward.",
        ("吹气鼓颊", "鼓起腮帮子吹气", "鼓气"),
        ("cheek blow", "blowing out cheeks", "blown cheeks"),
    ),
    34: _T(
        "口中空气使两颊鼓起，双唇紧闭，脸颊呈球状膨出。",
        "Air held in the mouth puffs the cheeks out while the lips stay closed.",
        ("鼓腮", "腮帮子鼓起", "鼓着腮帮子"),
        ("puffed cheeks", "cheek puff", "puffing cheeks"),
    ),
    35: _T(
        "两颊被吸入口内，颊部内凹，嘴唇可被拉向前。",
        "The cheeks are sucked into the mouth, hollowing them, and the lips may be drawn forward.",
        ("嘬腮", "吸脸颊", "脸颊内凹", "吸着腮"),
        ("sucked-in cheeks", "cheek suck", "hollowed cheeks"),
    ),
    36: _T(
        "舌头从口内顶住面颊或嘴唇，使其局部鼓起。",
        "The tongue pushes against the cheek or lip from inside, making a local bulge.",
        ("舌头顶腮", "用舌头顶脸颊", "舌顶嘴唇"),
        ("tongue in cheek", "tongue bulge", "tongue pushing cheek"),
    ),
    37: _T(
        "舌头伸出舔过嘴唇。",
        "The tongue wipes across the lips.",
        ("舔嘴唇", "舔唇", "舔了舔嘴唇"),
        ("lip lick", "licking lips", "lip wipe"),
    ),
    38: _T(
        "鼻孔张大、鼻翼向外扩展，常见于用力吸气或愤怒时。",
        "The nostrils widen and the nostril wings flare, as in effortful breathing or anger.",
        ("鼻孔张大", "鼻翼扇动", "鼻孔扩张", "鼻翼张开"),
        ("flared nostrils", "nostril flare", "nostrils widened"),
    ),
    39: _T(
        "鼻孔被压窄，鼻翼向内收缩。",
        "The nostrils are compressed and narrowed, the nostril wings drawn in.",
        ("鼻孔收缩", "鼻孔变窄", "鼻翼内收"),
        ("nostrils narrowed", "pinched nostrils", "nostril compression"),
    ),
    41: _T(
        "上眼睑放松下垂，眼裂变窄，眼睛显得没精神、困倦或沉重。",
        "The upper eyelid relaxes and droops, narrowing the eye and giving a tired, sleepy "
        "or heavy-lidded look.",
        ("眼皮下垂", "眼睑下垂", "耷拉眼皮", "眼神无精打采", "睡眼惺忪", "垂眼"),
        ("drooping eyelids", "droopy eyes", "heavy-lidded", "sleepy eyes", "lid droop"),
    ),
    42: _T(
        "上眼睑进一步下垂，眼睛几乎闭上，只剩一条细缝，但仍可见眼珠。",
        "The upper lid droops further so the eyes are narrowed to a slit, almost but not "
        "quite closed.",
        ("眯缝眼", "眼睛眯成一条缝", "半闭着眼", "眼睛半睁半闭"),
        ("eyes narrowed to a slit", "slitted eyes", "half-closed eyes"),
    ),
    43: _T(
        "上眼睑完全放下，双眼闭合，眼睑无明显用力；持续时间长于眨眼。",
        "The upper lids are lowered fully and the eyes are closed without marked "
        "tension, for longer than a blink.",
        ("闭眼", "闭上眼睛", "合眼", "双眼紧闭", "眼睛闭着"),
        ("eyes closed", "closed eyes", "shut eyes", "eyes shut"),
    ),
    44: _T(
        "眼轮匝肌睑部收缩使眼裂变窄，眼睑绷紧并略上推，形成眯眼，常见于强光或仔细看时。",
        "Contraction of the palpebral orbicularis oculi narrows the eye, tightening and "
        "slightly raising the lids into a squint, as when peering or in bright light.",
        ("眯眼", "眯起眼睛", "眯着眼看", "眯缝着眼"),
        ("squint", "squinting", "peering", "narrowed eyes"),
    ),
    45: _T(
        "双眼快速闭合后立即睁开（眨眼），持续时间很短；眨眼频率高可见于紧张或疲劳。",
        "Both eyes close and reopen quickly (a blink); frequent blinking can accompany "
        "tension or fatigue.",
        ("眨眼", "眨眼睛", "频繁眨眼", "眨巴眼"),
        ("blink", "blinking", "eye blink", "rapid blinking"),
    ),
    46: _T(
        "单眼快速闭合后睁开，另一眼保持睁开（眨单眼、使眼色）。",
        "One eye closes and reopens quickly while the other stays open (a wink).",
        ("挤眼", "单眼眨眼", "使眼色", "眨一只眼"),
        ("wink", "winking", "one-eye blink"),
    ),
}
check_texts(
    "action unit", [str(au.number) for au in ACTION_UNITS], {str(k): v for k, v in AU_TEXT.items()}
)
