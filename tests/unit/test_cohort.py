"""The SYNTHETIC cohort: seedable, labelled synthetic, observations consistent with the truth."""

from __future__ import annotations

import pytest

from models.fusion.state import LEVELS
from research.cohort import CohortConfig, generate_cohort


def test_same_seed_same_cohort_and_labelled_synthetic() -> None:
    a = generate_cohort(30, seed=1)
    b = generate_cohort(30, seed=1)
    assert [s.truth for s in a] == [s.truth for s in b]
    assert [[f.model_dump() for f in s.features] for s in a] == \
        [[f.model_dump() for f in s.features] for s in b]
    assert [s.truth for s in generate_cohort(30, seed=2)] != [s.truth for s in a]
    assert all(s.sid.startswith("synthetic-") for s in a)
    assert all(len(set(s.feature_ids)) == len(s.feature_ids) for s in a)


def test_observations_follow_the_latent_state() -> None:
    cohort = generate_cohort(300, seed=5, config=CohortConfig(scale_accuracy=1.0))
    for s in cohort:
        scales = [f for f in s.features if f.kind == "scale_score"]
        assert scales and all(f.values["level"] == s.truth.level for f in scales)
        risk_on_scales = any(f.values["risk_level"] != "none" for f in scales)
        assert risk_on_scales == (s.truth.disclosed_in == "scales")
        speech = next(f for f in s.features if f.kind == "speech_content")
        assert (speech.values["suicide_risk"] != "none") == (s.truth.disclosed_in == "speech")
    assert {s.truth.level for s in cohort} == set(LEVELS)


def test_bad_size() -> None:
    with pytest.raises(ValueError):
        generate_cohort(0, seed=1)
