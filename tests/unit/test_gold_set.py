"""The shipped alignment gold set is well-formed and every answer exists in the default seed."""

from __future__ import annotations

from contracts.settings import PROJECT_ROOT
from kg.align.gold import read_gold
from kg.seed import build_default_seed

GOLD = PROJECT_ROOT / "data" / "gold" / "alignment_gold.tsv"


def test_gold_set_answers_exist_in_seed() -> None:
    rows = read_gold(GOLD)
    assert len(rows) >= 150
    langs = {"zh": 0, "en": 0}
    for row in rows:
        langs[row.language] += 1
    assert langs["zh"] >= 75 and langs["en"] >= 75
    seed = build_default_seed()
    concept_ids = {n.key for n in seed.nodes() if n.label == "Concept"}
    missing = sorted({r.concept for r in rows} - concept_ids)
    assert not missing, missing
