"""SYNTHETIC cohort generator: latent states -> consistent, noisy feature texts with ground truth.

Produces feature-level observations only (no media): the FeatureTexts the real recognizers
emit (scales through the real scorer ingest/scales.py; video and speech values in the shapes
of ingest/video/texts.py and ingest/audio/analyze.py). Every session id starts with `synthetic-`.
"""

from __future__ import annotations

from research.cohort.generator import (
    CohortConfig,
    Session,
    Truth,
    generate_cohort,
    generate_session,
)

__all__ = ["CohortConfig", "Session", "Truth", "generate_cohort", "generate_session"]
