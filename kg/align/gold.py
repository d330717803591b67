"""Gold sets for alignment evaluation and the OpenEA-style metrics (Hits@k, MRR).

Rows are `phrase<TAB>concept`, where concept is a concept id or an exact zh/en label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class GoldFormatError(ValueError):
    """A gold file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class GoldRow:
    line: int
    phrase: str
    concept: str

    @property
    def language(self) -> str:
        """zh when Chinese characters are at least half as many as Latin letters."""
        cjk = len(_CJK.findall(self.phrase))
        latin = len(_LATIN.findall(self.phrase))
        return "zh" if cjk and cjk * 2 >= latin else "en"


def read_gold(path: Path) -> list[GoldRow]:
    if not path.is_file():
        raise GoldFormatError(f"gold file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is not a phrase
    except UnicodeDecodeError as exc:
        raise GoldFormatError(f"gold file {path} is not UTF-8 text ({exc.reason})") from None
    rows: list[GoldRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise GoldFormatError(f"{path}:{number}: expected 'phrase<TAB>concept', got {line!r}")
        if not rows and [p.strip() for p in parts] == ["phrase", "concept"]:
            continue  # the header (it may follow comment lines)
        rows.append(GoldRow(number, parts[0].strip(), parts[1].strip()))
    if not rows:
        raise GoldFormatError(f"{path} holds no rows")
    return rows


def resolve_concepts(rows: Sequence[GoldRow], labels: Mapping[str, str]) -> list[GoldRow]:
    """Map label answers (exact zh/en name) to ids; `labels` maps name -> id."""
    out = []
    for row in rows:
        if row.concept in labels.values():
            out.append(row)
        elif row.concept in labels:
            out.append(GoldRow(row.line, row.phrase, labels[row.concept]))
        else:
            raise GoldFormatError(f"line {row.line}: unknown concept {row.concept!r}")
    return out


@dataclass
class RankingMetrics:
    n: int = 0
    hits: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"n": self.n, **{f"hits@{k}": v for k, v in self.hits.items()}, "mrr": self.mrr}


def ranking_metrics(ranks: Sequence[int | None], ks: Sequence[int] = (1, 5, 10)) -> RankingMetrics:
    """OpenEA conventions: rank is 1-based; an answer not retrieved counts 0 for MRR."""
    n = len(ranks)
    if n == 0:
        return RankingMetrics()
    hits = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in ks}
    mrr = sum(1.0 / r for r in ranks if r is not None) / n
    return RankingMetrics(n=n, hits=hits, mrr=mrr)


def evaluate(
    rows: Sequence[GoldRow], rank_fn: Callable[[str], Sequence[str]]
) -> tuple[dict[str, RankingMetrics], list[tuple[GoldRow, int | None, list[str]]]]:
    """Metrics overall and per language, plus each row's rank and top predictions."""
    details: list[tuple[GoldRow, int | None, list[str]]] = []
    for row in rows:
        ranked = list(rank_fn(row.phrase))
        rank = ranked.index(row.concept) + 1 if row.concept in ranked else None
        details.append((row, rank, ranked[:10]))
    groups: dict[str, list[int | None]] = {"all": [r for _, r, _ in details]}
    for lang in ("zh", "en"):
        groups[lang] = [r for row, r, _ in details if row.language == lang]
    # a language the gold set lacks (a Chinese-only set) is no subset, not an empty row
    return {k: ranking_metrics(v) for k, v in groups.items() if v}, details
