"""How the assessment text cites its claims: ``[n]`` at the end of each claim sentence.

The decoder (models/decoder/templates.py) writes the markers; the timeline (api/timeline.py)
reads them back to show a claim's sentence beside its graph path. Claim ``n`` is the claim
whose evidence items carry ``claim_number == n`` (contracts.session_records.EvidenceItem), so the
numbers in the text, in the evidence list and on the timeline are the same numbers. Kept
free of heavy imports: the timeline imports it.
"""

from __future__ import annotations

import re

from contracts.feature_text import Bilingual

MARKER = re.compile(r"\[(\d+)\]")
_CITED = re.compile(r" ?\[\d+\]")


def marker(number: int | None) -> str:
    """The citation written at the end of claim `number`'s sentence ("" when unnumbered)."""
    return f"[{number}]" if number is not None else ""


def without_markers(text: str) -> str:
    """`text` with its claim numbers taken out (for a sentence shown beside its number)."""
    return _CITED.sub("", text)


def numbers_in(text: str) -> list[int]:
    """The claim numbers cited in `text`, in reading order."""
    return [int(n) for n in MARKER.findall(text)]


def _sentence(text: str, number: int, end: str) -> str:
    """The sentence of `text` that ends with claim `number`'s marker ("" when absent)."""
    mark = marker(number)
    at = text.find(mark)
    if at < 0:
        return ""
    start = text.rfind(end, 0, at)
    start = 0 if start < 0 else start + len(end)
    after = at + len(mark)
    stop = after + 1 if text[after:after + 1] in ("。", ".") else after
    return text[start:stop].strip()


def claim_sentence(text: Bilingual, number: int) -> Bilingual | None:
    """Claim `number`'s sentence in both languages, or None when the text does not cite it."""
    zh, en = _sentence(text.zh, number, "。"), _sentence(text.en, number, ". ")
    return Bilingual(zh=zh, en=en) if zh and en else None
