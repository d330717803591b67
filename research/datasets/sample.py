"""The common micro-expression sample and the label mappings every loader shares.

Each dataset codes emotions and AUs differently; loaders normalise them here so the
training code sees one record type and one set of MEGC class names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CLASS3 = ("negative", "positive", "surprise")
"""MEGC 2019 3-class labels in the official index order (negative 0, positive 1, surprise 2)."""

CLASS4 = ("negative", "positive", "surprise", "others")
"""MindKG's 4 micro-expression classes (`me_class:` ids in docs/CONVENTIONS.md)."""

# Emotion spellings seen in the sheets -> one lower-case English name.
_EMOTION_ALIASES = {
    "happy": "happiness",
    "happyiness": "happiness",
    "happiness": "happiness",
    "sad": "sadness",
    "sadness": "sadness",
    "other": "others",
    "others": "others",
    "angry": "anger",
    "anger": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "surprise": "surprise",
    "contempt": "contempt",
    "repression": "repression",
    "positive": "positive",
    "negative": "negative",
    "po": "positive",
    "ne": "negative",
    "sur": "surprise",
}

# Basic emotion -> MEGC class (FORMATS.md sections 1, 2, 3). Repression counts as negative,
# as in MEGC 2019 for CASME II. Emotions absent here map to "others" in the 4-class set.
_TO_CLASS3 = {
    "happiness": "positive",
    "positive": "positive",
    "disgust": "negative",
    "repression": "negative",
    "anger": "negative",
    "contempt": "negative",
    "fear": "negative",
    "sadness": "negative",
    "negative": "negative",
    "surprise": "surprise",
}

_CLASS5 = {
    "casme2": ("happiness", "disgust", "repression", "surprise", "others"),
    "samm": ("anger", "contempt", "happiness", "surprise", "others"),
}

_AU_TOKEN = re.compile(r"^([LRBTAU]*?)(\d+)([A-E]?)$")


def normalise_emotion(raw: object) -> str:
    """Lower-case, strip and unify spellings ('Others', 'happyiness', 'sad' ...)."""
    text = str(raw).strip().lower() if raw is not None else ""
    return _EMOTION_ALIASES.get(text, text)


def to_class3(emotion: str, *, dataset: str = "") -> str | None:
    """MEGC 2019 class of a normalised emotion, or None when MEGC drops it.

    CASME II is stricter than the others: MEGC keeps only happiness, disgust, repression and
    surprise there (sadness and fear are dropped), while SAMM and CAS(ME)^3 map every negative
    basic emotion to 'negative'.
    """
    if dataset == "casme2" and emotion in {"sadness", "fear"}:
        return None
    return _TO_CLASS3.get(emotion)


def to_class4(emotion: str) -> str:
    """positive / negative / surprise / others; anything unmapped is 'others'."""
    return _TO_CLASS3.get(emotion, "others")


def to_class5(emotion: str, dataset: str) -> str | None:
    """The common 5-class set of CASME II or SAMM (FORMATS.md), None if dropped or undefined."""
    classes = _CLASS5.get(dataset)
    if classes is None:
        return None
    return emotion if emotion in classes else None


def parse_aus(raw: object) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Split an AU code ('4+L10', 'R12', 'AU1,AU2', '?') into tokens and sorted AU numbers.

    Tokens keep side/intensity prefixes and suffixes (L/R/B/T, A-E) because FACS coders use
    them; numbers drop them so AU statistics can be counted.
    """
    if raw is None:
        return (), ()
    text = str(raw).strip()
    if not text or text in {"?", "/", "nan", "None"}:
        return (), ()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    tokens: list[str] = []
    numbers: set[int] = set()
    for piece in re.split(r"[+,;\s/]+", text):
        token = piece.strip().upper()
        if not token:
            continue
        if token.endswith(".0"):
            token = token[:-2]
        tokens.append(token)
        match = _AU_TOKEN.match(token.replace("AU", ""))
        if match:
            numbers.add(int(match.group(2)))
    return tuple(tokens), tuple(sorted(numbers))


@dataclass(frozen=True)
class MESample:
    """One annotated micro-expression (or, for spotting sheets, one annotated interval).

    Frame numbers are the dataset's own numbers: for CASME II / SAMM / CAS(ME)^3 Part A they
    are the numbers in the image file names. `issues` lists row problems found while loading
    (e.g. CASME II's '/' apex) instead of crashing, so callers decide what to drop.
    """

    dataset: str
    subject: str
    clip_id: str
    onset: int | None
    apex: int | None
    offset: int | None
    emotion: str
    au_tokens: tuple[str, ...] = ()
    aus: tuple[int, ...] = ()
    objective_class: int | None = None
    expression_type: str = "micro"
    class3: str | None = None
    class4: str = "others"
    class5: str | None = None
    frame_dir: Path | None = None
    frames: tuple[Path, ...] = ()
    source_row: int = 0
    issues: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """Unique across datasets: LOSO must never merge two datasets' subject '01'."""
        return f"{self.dataset}/{self.subject}/{self.clip_id}"

    @property
    def subject_key(self) -> str:
        """Subject id qualified by dataset (MEGC composite protocol)."""
        return f"{self.dataset}/{self.subject}"

    def frame_path(self, frame: int) -> Path:
        """The image file of one annotated frame number; a clear error if it is not on disk."""
        for path in self.frames:
            if frame_number(path) == frame:
                return path
        raise FileNotFoundError(
            f"{self.key}: frame {frame} not among {len(self.frames)} frames in {self.frame_dir}"
        )


_DIGITS = re.compile(r"(\d+)(?!.*\d)")


def frame_number(path: Path) -> int:
    """The last number in a frame file name: img46.jpg, reg_img46.jpg, 006_05562.jpg, 355.jpg."""
    match = _DIGITS.search(path.stem)
    if match is None:
        raise ValueError(f"no frame number in file name {path.name!r}")
    return int(match.group(1))


def with_labels(sample: MESample) -> MESample:
    """Fill class3/class4/class5 from the sample's emotion."""
    from dataclasses import replace

    return replace(
        sample,
        class3=to_class3(sample.emotion, dataset=sample.dataset),
        class4=to_class4(sample.emotion),
        class5=to_class5(sample.emotion, sample.dataset),
    )


def frame_issues(
    raw_apex: object, onset: int | None, apex: int | None, offset: int | None
) -> tuple[str, ...]:
    """Row problems FORMATS.md warns about: missing apex, apex == onset, apex outside range."""
    issues: list[str] = []
    if apex is None:
        issues.append(f"apex not annotated ({raw_apex!r})")
    elif onset is not None and apex == onset:
        issues.append("apex equals onset")
    if offset == 0:
        issues.append("offset not annotated (0)")
    elif onset is not None and apex is not None and offset is not None and not (
        onset <= apex <= offset
    ):
        issues.append(f"apex {apex} outside [{onset}, {offset}]")
    return tuple(issues)
