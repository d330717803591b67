"""Feature texts sent by a client (HTTP `POST /v1/assessments`, `mindkg assess`): one schema
and one preparation for both paths.

A client's speech_content (or other transcript) feature text may carry only its text, without
the `suicide_risk` value that analyze derives from the transcript. Absence of that value must
never read as "no risk": the text is scanned with the same function analyze uses
(`ingest.audio.content.analyse_content`), and when no feature text carries a risk assessment at
all the decoder says suicide risk was not assessed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from contracts.feature_text import FeatureText
from contracts.vocabulary import risk_id

# Feature kinds whose text is (or quotes) what the student said.
TRANSCRIPT_KINDS = frozenset({"speech_content", "transcript"})
_RISK_KEYS = ("suicide_risk", "risk_level")
DERIVED_SOURCE = "derived by the server from the feature text (ingest.audio.content)"


def _drop_ids(items: object) -> object:
    """The per-feature `id` of analyze / job output is accepted and ignored (ids are given by
    the pipeline); any other unknown field is still refused by the contract."""
    if isinstance(items, list):
        return [{k: v for k, v in i.items() if k != "id"} if isinstance(i, dict) else i
                for i in items]
    return items


def client_features(items: list[FeatureText]) -> list[FeatureText]:
    """The suicide-risk cue of transcript texts that lack one, derived from their words."""
    return [_with_risk(f) for f in items]


# The one schema of client feature texts (HTTP body and `mindkg assess` file).
ClientFeatureTexts = Annotated[
    list[FeatureText], BeforeValidator(_drop_ids), AfterValidator(client_features)]


def _with_risk(feature: FeatureText) -> FeatureText:
    if feature.kind not in TRANSCRIPT_KINDS or any(k in feature.values for k in _RISK_KEYS):
        return feature
    from ingest.audio.content import risk_values, text_risk

    transcript = feature.values.get("transcript")
    text = transcript if isinstance(transcript, str) and transcript.strip() else (
        f"{feature.text.zh}\n{feature.text.en}")
    risk = risk_values(text_risk(text))
    concepts = [str(c) for c in feature.values.get("concept_ids", [])]
    if risk["suicide_risk"] != "none" and risk_id(risk["suicide_risk"]) not in concepts:
        concepts.append(risk_id(risk["suicide_risk"]))
    values = {**feature.values, **risk, "suicide_risk_source": DERIVED_SOURCE,
              "concept_ids": concepts}
    return feature.model_copy(update={"values": values})
