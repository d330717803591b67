"""Score depression rating scales (SDS, HAMD-17, PHQ-9, BDI-II) and describe them as FeatureTexts.

The instruments themselves (items, ranges, bands, risk items) are data in
kg/ontology/scale_definitions.py; this module only validates answers, applies those rules and
words the result in zh and en. Bad answers are rejected, never guessed: a mis-scored suicide item
is worse than no score. Decision support only, not a diagnosis.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import (
    RISK_LEVEL_LABELS,
    GeneralLevel,
    RiskLevel,
    general_level_id,
    max_risk,
    risk_id,
)
from ingest.limits import loads_bounded
from kg.ontology.scale_definitions import (
    INSTRUMENTS,
    Instrument,
    scale_id,
    scale_item_id,
    severity_band_id,
)

SOURCE = "mindkg.scales/1"

_FOLLOW_UP: Mapping[RiskLevel, tuple[str, str]] = {
    "none": ("", ""),
    "low": ("建议随访", "follow up"),
    "moderate": ("需随访评估", "needs a follow-up risk assessment"),
    "high": ("需尽快进行自杀风险评估", "needs a prompt suicide-risk assessment"),
}


class ScaleAnswerError(ValueError):
    """Bad scale input; the message names the instrument and, where there is one, the item."""

    def __init__(
        self,
        message: str,
        instrument: str = "",
        item: int | None = None,
        errors: Sequence[ScaleAnswerError] = (),
    ) -> None:
        super().__init__(message)
        self.instrument = instrument
        self.item = item
        self.errors: tuple[ScaleAnswerError, ...] = tuple(errors) or (self,)


MAX_SCALES_BYTES = 1024 * 1024  # a few instruments of item answers fit in a few KB


class ScaleFileError(ValueError):
    """A scales.json that cannot be read as {instrument id: [answers]}."""


@dataclass(frozen=True)
class ScaleScore:
    """One scored instrument. `index` is the SDS standard score (None for the others)."""

    instrument: str
    raw_total: int
    index: int | None
    severity: str
    level: GeneralLevel
    label_zh: str
    label_en: str
    risk_level: RiskLevel
    risk_items: tuple[int, ...]
    answers: tuple[int, ...]
    item_scores: tuple[int, ...]

    @property
    def score(self) -> int:
        """The number the severity band is read from (SDS index, otherwise the raw total)."""
        return self.raw_total if self.index is None else self.index


def _instrument(instrument: str) -> Instrument:
    if not isinstance(instrument, str) or instrument not in INSTRUMENTS:
        raise ScaleAnswerError(
            f"unknown instrument {instrument!r}; known: {', '.join(INSTRUMENTS)}",
            instrument=str(instrument),
        )
    return INSTRUMENTS[instrument]


def _check_answers(inst: Instrument, answers: object) -> tuple[int, ...]:
    """Every answer present, an integer (bool is not), and inside its item's range."""
    if isinstance(answers, str | bytes | Mapping) or not isinstance(answers, Sequence):
        raise ScaleAnswerError(
            f"{inst.id}: answers must be a list of {inst.n_items} integers, "
            f"got {type(answers).__name__}",
            instrument=inst.id,
        )
    if len(answers) != inst.n_items:
        first_bad = min(len(answers), inst.n_items) + 1
        detail = (
            f"item {first_bad} onwards is missing"
            if len(answers) < inst.n_items
            else f"there is no item {first_bad}"
        )
        raise ScaleAnswerError(
            f"{inst.id}: expected {inst.n_items} answers (items 1-{inst.n_items}), "
            f"got {len(answers)}: {detail}",
            instrument=inst.id,
            item=first_bad,
        )
    clean: list[int] = []
    for item, answer in zip(inst.items, answers, strict=True):
        where = f"{inst.id} item {item.number}"
        if answer is None:
            raise ScaleAnswerError(f"{where}: answer is missing", inst.id, item.number)
        if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
            raise ScaleAnswerError(
                f"{where}: answer {answer!r} is not an integer", inst.id, item.number
            )
        value = int(answer)
        if not item.min_answer <= value <= item.max_answer:
            raise ScaleAnswerError(
                f"{where}: answer {value} is outside {item.min_answer}-{item.max_answer}",
                inst.id,
                item.number,
            )
        clean.append(value)
    return tuple(clean)


def score_instrument(instrument: str, answers: Sequence[int]) -> ScaleScore:
    """Score one instrument from its raw item answers, in item order (item 1 first)."""
    inst = _instrument(instrument)
    given = _check_answers(inst, answers)
    item_scores = tuple(item.score(a) for item, a in zip(inst.items, given, strict=True))
    raw_total = sum(item_scores)
    index = inst.index_for(raw_total)
    band = inst.band_for(raw_total if index is None else index)
    risk_by_item = {r.item: r.level_for(given[r.item - 1]) for r in inst.risk_items}
    return ScaleScore(
        instrument=inst.id,
        raw_total=raw_total,
        index=index,
        severity=band.code,
        level=band.level,
        label_zh=band.label_zh,
        label_en=band.label_en,
        risk_level=max_risk(list(risk_by_item.values())),
        risk_items=tuple(n for n, level in sorted(risk_by_item.items()) if level != "none"),
        answers=given,
        item_scores=item_scores,
    )


def score_all(scales: Mapping[str, Sequence[int]]) -> list[ScaleScore]:
    """Score every instrument, or raise one ScaleAnswerError listing every problem found."""
    if not isinstance(scales, Mapping):
        raise ScaleAnswerError(
            f"scales must map instrument ids to answer lists, got {type(scales).__name__}"
        )
    scores: list[ScaleScore] = []
    errors: list[ScaleAnswerError] = []
    for instrument, answers in scales.items():
        try:
            scores.append(score_instrument(instrument, answers))
        except ScaleAnswerError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ScaleAnswerError(
            "; ".join(str(e) for e in errors),
            instrument=errors[0].instrument,
            item=errors[0].item,
            errors=errors,
        )
    return scores


def overall_risk(scores: Iterable[ScaleScore]) -> RiskLevel:
    """Highest suicide-risk level across instruments (one positive item is enough)."""
    return max_risk([s.risk_level for s in scores])


def _describe(score: ScaleScore) -> Bilingual:
    inst = INSTRUMENTS[score.instrument]
    name = inst.display_name
    if score.index is not None:
        zh = f"{name} 标准分 {score.index}（粗分 {score.raw_total}），{score.label_zh}"
        en = f"{name} index {score.index} (raw {score.raw_total}), {score.label_en}"
    else:
        zh = f"{name} 总分 {score.raw_total}，{score.label_zh}"
        en = f"{name} total {score.raw_total}, {score.label_en}"
    if score.risk_items:
        risks = {r.item: r for r in inst.risk_items}
        parts_zh = [
            f"第{n}题{risks[n].signal_zh}阳性（{score.answers[n - 1]}分）" for n in score.risk_items
        ]
        parts_en = [
            f"item {n} ({risks[n].signal_en}) positive (answer {score.answers[n - 1]} "
            f"of {inst.item(n).min_answer}-{inst.item(n).max_answer})"
            for n in score.risk_items
        ]
        level_zh, level_en = RISK_LEVEL_LABELS[score.risk_level]
        follow_zh, follow_en = _FOLLOW_UP[score.risk_level]
        zh += f"；{'，'.join(parts_zh)}，{level_zh}，{follow_zh}"
        en += f"; {', '.join(parts_en)}: {level_en}, {follow_en}"
    return Bilingual(zh=zh, en=en)


def concept_ids(score: ScaleScore) -> list[str]:
    """Concepts this score points at: scale, band, general level, risk level, positive items."""
    return [
        scale_id(score.instrument),
        severity_band_id(score.instrument, score.severity),
        general_level_id(score.level),
        risk_id(score.risk_level),
        *(scale_item_id(score.instrument, n) for n in score.risk_items),
    ]


def to_feature_text(score: ScaleScore) -> FeatureText:
    return FeatureText(
        modality="scales",
        kind="scale_score",
        instance=score.instrument,
        text=_describe(score),
        values={
            "instrument": score.instrument,
            "raw_total": score.raw_total,
            "index": score.index,
            "severity": score.severity,
            "level": score.level,
            "risk_level": score.risk_level,
            "risk_items": list(score.risk_items),
            "answers": list(score.answers),
            "item_scores": list(score.item_scores),
            "concept_ids": concept_ids(score),
        },
        confidence=1.0,
        source=SOURCE,
    )


def scale_feature_texts(scales: Mapping[str, Sequence[int]]) -> list[FeatureText]:
    """One FeatureText per instrument; all instruments are validated before any is emitted."""
    return [to_feature_text(score) for score in score_all(scales)]


def load_scales_file(path: str | Path) -> dict[str, list[Any]]:
    """Read scales.json ({"SDS": [20 answers], ...}); checks shape, scoring checks answers."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_SCALES_BYTES:
        raise ScaleFileError(f"{path}: scales file is larger than {MAX_SCALES_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScaleFileError(f"{path}: scales file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaleFileError(f"{path}: cannot read scales file: {exc}") from exc
    try:
        data = loads_bounded(text, duplicate_key="instrument {key!r} appears twice",
                             non_number="{name} is not a valid answer")
    except json.JSONDecodeError as exc:
        raise ScaleFileError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc
    except ValueError as exc:
        raise ScaleFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ScaleFileError(
            f"{path}: expected an object mapping instrument ids to answer lists, "
            f"got {type(data).__name__}"
        )
    for instrument, answers in data.items():
        if instrument not in INSTRUMENTS:
            raise ScaleFileError(
                f"{path}: unknown instrument {instrument!r}; known: {', '.join(INSTRUMENTS)}"
            )
        if not isinstance(answers, list):
            raise ScaleFileError(
                f"{path}: {instrument} must be a list of answers, got {type(answers).__name__}"
            )
    return data
