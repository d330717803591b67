"""Depression estimate from speech and text, learned from real interviews (EATD-Corpus).

`depression_feature_text(feature_texts)` turns a session's speech feature texts (prosody,
rate, content/transcript, as ingest/audio emits them) into one FeatureText of kind
`depression_estimate` whose values hold `depression_probability` = P(SDS index >= 53),
the cross-validated decision threshold and the cues. `apply_to_state` makes the fused
depression level follow it when no scale is present (models/decoder/assess.py).
See MODEL_CARD.md for data, metrics and limits. Decision support, never a diagnosis.
"""

from models.depression.estimate import (
    ESTIMATE_KIND,
    apply_to_state,
    depression_feature_text,
    estimate_sentence,
)

__all__ = ["ESTIMATE_KIND", "apply_to_state", "depression_feature_text", "estimate_sentence"]
