"""Semantic constraints: which concept types a feature text of each modality/kind may align to.

Kept as data so researchers can change them without touching the scoring code.
"""

from __future__ import annotations

# (modality, kind) -> allowed Concept types; a kind missing here falls back to its modality.
ALLOWED_TYPES: dict[tuple[str, str], frozenset[str]] = {
    ("video", "micro_expression"): frozenset({"ActionUnit", "Emotion"}),
    ("video", "action_units"): frozenset({"ActionUnit", "Emotion"}),
    ("audio", "speech_content"): frozenset({"ContentPolarity", "Symptom", "Emotion", "RiskLevel"}),
    ("audio", "intonation"): frozenset({"Prosody", "Emotion"}),
    ("audio", "speech_rate"): frozenset({"SpeechRate", "Symptom"}),
    # trained on acted German speech: shown to the counselor, never aligned as evidence
    ("audio", "speech_emotion"): frozenset(),
    # a model's summary (a probability and the model's own cues): its evidence is its values,
    # and its wording ("SDS", "概率", cue names) would align by words, not by what was observed
    ("audio", "depression_estimate"): frozenset(),
    ("scales", "scale_score"): frozenset({"Scale", "Severity", "RiskLevel", "ScaleItem", "Symptom"}),
}
BY_MODALITY: dict[str, frozenset[str]] = {
    "video": frozenset({"ActionUnit", "Emotion"}),
    "audio": frozenset({"ContentPolarity", "Prosody", "SpeechRate", "Symptom", "Emotion", "RiskLevel"}),
    "scales": frozenset({"Scale", "Severity", "RiskLevel", "ScaleItem", "Symptom"}),
    "text": frozenset({"ContentPolarity", "Symptom", "Emotion", "RiskLevel", "Disorder"}),
}
# Free phrases (researchers' gold sets, apps' own texts): everything a recognizer or a
# counselor may describe. Drugs, treatments, examinations, muscles, regions and word groups
# are knowledge around the observations, not observations.
PHRASE_TYPES: frozenset[str] = frozenset({
    "ActionUnit", "Emotion", "Prosody", "SpeechRate", "ContentPolarity", "Symptom", "Sign",
    "Disorder", "Scale", "ScaleItem", "Severity", "RiskLevel", "Complication",
})


def allowed_types(modality: str | None, kind: str | None) -> frozenset[str]:
    if modality is None:
        return PHRASE_TYPES
    return ALLOWED_TYPES.get((modality, kind or ""), BY_MODALITY.get(modality, PHRASE_TYPES))
