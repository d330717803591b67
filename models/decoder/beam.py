"""A generic beam search over slots: each slot proposes scored values given the prefix.

Scores are log-probabilities summed along the sequence; ties break on the order in which the
slot proposed its values, so decoding is deterministic. Width 1 is greedy decoding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Context = dict[str, str]
Proposer = Callable[[Context], list[tuple[str, float]]]


@dataclass(frozen=True)
class Slot:
    name: str
    propose: Proposer


@dataclass(frozen=True)
class Hypothesis:
    values: tuple[tuple[str, str], ...]
    score: float
    order: tuple[int, ...] = ()  # proposal index per slot: ties go to the earlier proposal

    @property
    def context(self) -> Context:
        return dict(self.values)


def beam_search(slots: Sequence[Slot], width: int) -> list[Hypothesis]:
    """The `width` best complete sequences, best first (fewer if fewer exist)."""
    if width < 1:
        raise ValueError(f"beam width must be >= 1, got {width}")
    beams = [Hypothesis((), 0.0)]
    for slot in slots:
        grown: list[Hypothesis] = []
        for hyp in beams:
            for i, (value, logp) in enumerate(slot.propose(hyp.context)):
                grown.append(Hypothesis((*hyp.values, (slot.name, value)), hyp.score + logp,
                                        (*hyp.order, i)))
        if not grown:
            raise ValueError(f"slot {slot.name!r} has no admissible value")
        grown.sort(key=lambda h: (-h.score, h.order))
        beams = grown[:width]
    return beams
