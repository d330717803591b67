"""The one alignment policy: which concepts a session's feature texts are aligned to.

Two methods, both kept as ALIGNED_TO edges with their `method`:
- "recognizer": the concepts a recognizer observed directly (values["concept_ids"], e.g. the
  SDS band it computed), when they exist in the graph;
- "joint-space": the semantic aligner (kg.align.aligner) over the joint word/node space,
  restricted by modality -> concept-type rules, with lexical and Cilin-synonym signals.
Concepts missing from the graph are reported (run `mindkg kg seed`), never invented.
Feature texts of different modalities that reach concepts of one valence are linked
(kg.align.cross_modal). Fusion seeds its spreading activation with `feature_concepts`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment
from contracts.settings import Settings
from kg.align.cross_modal import CrossModalLink, cross_modal_links
from kg.schema import CONCEPT
from kg.store.base import GraphStore

# A recognizer that states one member of a family (e.g. the SDS band) states the family: the
# semantic aligner adds no near-misses (another instrument's item, a neighbouring band) to it.
_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"Scale", "Severity", "RiskLevel", "ScaleItem"}),
    frozenset({"ActionUnit", "Emotion"}),
)

# Speech-content symptom codes (data/speech_tables/content.yaml) -> curated symptom concepts.
SPEECH_SYMPTOMS: dict[str, str] = {
    "sleep": "symptom:sleep_disturbance",
    "appetite": "symptom:appetite_loss",
    "fatigue": "symptom:fatigue",
    "anhedonia": "symptom:anhedonia",
    "worthlessness": "symptom:worthlessness",
    "meaninglessness": "symptom:hopelessness",
    "hopelessness": "symptom:hopelessness",
    "concentration": "symptom:poor_concentration",
    "low_mood": "symptom:depressed_mood",
    "anxiety": "symptom:psychic_anxiety",
}


def feature_concepts(feature: FeatureText) -> list[str]:
    """Concept ids a feature text names: `values.concept_ids` plus mapped speech symptoms."""
    out = [str(c) for c in feature.values.get("concept_ids", [])]
    if feature.kind == "speech_content":
        for code in feature.values.get("symptoms", []) or []:
            cid = SPEECH_SYMPTOMS.get(str(code))
            if cid and cid not in out:
                out.append(cid)
    return out


def existing_concepts(store: GraphStore | None, concept_ids: set[str]) -> set[str]:
    if store is None:
        return set()
    return {cid for cid in concept_ids if store.get_node(CONCEPT, cid) is not None}


def recognizer_alignments(
    features: Sequence[FeatureText], feature_ids: Sequence[str], store: GraphStore | None
) -> tuple[list[Alignment], list[str]]:
    alignments: list[Alignment] = []
    wanted = {str(c) for f in features for c in f.values.get("concept_ids", [])}
    present = existing_concepts(store, wanted)
    for feature, fid in zip(features, feature_ids, strict=True):
        rank = 0
        for cid in dict.fromkeys(str(c) for c in feature.values.get("concept_ids", [])):
            if cid in present:
                rank += 1
                alignments.append(
                    Alignment(feature_id=fid, concept_id=cid, score=1.0, method="recognizer", rank=rank)
                )
    missing = wanted - present
    warnings = []
    if missing:
        warnings.append(
            f"{len(missing)} concept(s) named by recognizers are not in the graph "
            f"(e.g. {sorted(missing)[:3]}); run `mindkg kg seed` to load the ontology"
        )
    return alignments, warnings


def align_features(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    store: GraphStore | None,
    settings: Settings | None = None,
    *,
    semantic: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Alignment], list[CrossModalLink], list[str]]:
    alignments, warnings = recognizer_alignments(features, feature_ids, store)
    if not (semantic and store is not None and settings is not None and features):
        return alignments, [], warnings
    from kg.graph_view import graph_view

    if not len(graph_view(store)):
        return alignments, [], [*warnings, "semantic alignment skipped: the graph has no concepts"]
    from kg.align.service import load_aligner

    aligner = load_aligner(store, settings, progress=progress)
    covered: dict[str, set[str]] = {}
    for al in alignments:
        ctype = aligner.concept_type(al.concept_id)
        if ctype:
            family = next((f for f in _FAMILIES if ctype in f), frozenset({ctype}))
            covered.setdefault(al.feature_id, set()).update(family)
    frozen = {k: frozenset(v) for k, v in covered.items()}
    alignments += aligner.align(features, feature_ids, covered=frozen)
    links = cross_modal_links(features, feature_ids, alignments, aligner.valence)
    return alignments, links, warnings
