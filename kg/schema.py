"""The graph schema: every node label, concept type and relationship type MindKG writes.

One list, used to whitelist labels spliced into Cypher, to build constraints (cypher/schema.cypher
is checked against it by a test) and to document the model (docs/graph-schema.md).
"""

from __future__ import annotations

# Core labels. Every node has a unique string property `id`.
STUDENT = "Student"
SESSION = "Session"
FEATURE_TEXT = "FeatureText"
CONCEPT = "Concept"
ASSESSMENT = "Assessment"
SOURCE = "Source"  # provenance of imported knowledge (OpenKG dump, lexicon, curated)

CORE_LABELS: frozenset[str] = frozenset(
    {STUDENT, SESSION, FEATURE_TEXT, CONCEPT, ASSESSMENT, SOURCE}
)

# Concept types: extra labels on Concept nodes (Concept:Emotion, Concept:ActionUnit, ...).
CONCEPT_TYPES: frozenset[str] = frozenset(
    {
        "Emotion",
        "ActionUnit",
        "FacialRegion",
        "Muscle",
        "Prosody",
        "SpeechRate",
        "ContentPolarity",
        "Symptom",
        "Sign",
        "Disorder",
        "Scale",
        "ScaleItem",
        "Severity",
        "RiskLevel",
        "Treatment",
        "Examination",
        "Complication",
        "Drug",
        "Department",
        "WordGroup",
        "Other",
    }
)

LABELS: frozenset[str] = CORE_LABELS | CONCEPT_TYPES

# Keys that identify a node of each core label (all are `id`; listed for the docs and tests).
KEY_PROPERTY = "id"

RELATIONSHIP_TYPES: frozenset[str] = frozenset(
    {
        # session data
        "HAS_SESSION",  # Student -> Session
        "HAS_FEATURE",  # Session -> FeatureText
        "ALIGNED_TO",  # FeatureText -> Concept {score, method, rank}
        "CROSS_MODAL",  # FeatureText -> FeatureText of one session, modalities that agree
        "HAS_ASSESSMENT",  # Session -> Assessment
        "EVIDENCE_FOR",  # FeatureText|Concept -> Assessment {claim}
        "FROM_SOURCE",  # Concept -> Source (provenance)
        # ontology relations
        "IS_A",
        "PART_OF",
        "INDICATES",  # ActionUnit -> Emotion, Symptom -> Disorder, ...
        "HAS_SYMPTOM",
        "HAS_SIGN",
        "MEASURED_BY",  # Disorder -> Scale
        "HAS_ITEM",  # Scale -> ScaleItem
        "HAS_SEVERITY",  # Scale -> Severity
        "ASSESSES",  # ScaleItem -> Symptom
        "SIGNALS_RISK",  # ScaleItem|Symptom -> RiskLevel
        "TREATED_BY",
        "EXAMINED_BY",
        "COMPLICATION_OF",
        "MOVES",  # ActionUnit -> Muscle
        "LOCATED_IN",  # ActionUnit -> FacialRegion
        "SYNONYM_OF",
        "RELATED_TO",
    }
)
