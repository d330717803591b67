"""The curated ontology (kg/ontology/*) as Concept nodes and edges, linked to CMeKG by name.

Links to CMeKG are only made to nodes the given seed already holds, so the curated part works
with or without CMeKG and never creates a dangling edge.
"""

from __future__ import annotations

from contracts.vocabulary import emotion_id, risk_id, symptom_id
from kg.ontology import emotions, facs, speech, symptoms
from kg.ontology import scale_definitions as scales
from kg.ontology.emotions import ConceptText
from kg.seed.records import SeedGraph, SourceInfo

CURATED = SourceInfo(
    id=scales.ONTOLOGY_SOURCE,
    name="MindKG curated ontology (FACS AUs, emotions, speech descriptors, scales, symptoms)",
    version=scales.ONTOLOGY_VERSION,
    licence="Apache-2.0 (MindKG); BDI-II item titles only (item text is Pearson copyright)",
    description="kg/ontology/*.py; AU-emotion relations from Table 1 of the source study",
)
PAPER_TABLE = "source study (paper 000) Table 1"


def _described(text: ConceptText) -> dict[str, str]:
    """The description props every curated AU, emotion, speech and symptom concept carries."""
    return {"description_zh": text.description_zh, "description_en": text.description_en}


def _cmekg(seed: SeedGraph, name: str) -> str | None:
    cid = f"cmekg:{name}"
    return cid if seed.has_concept(cid) else None


def add_facs(seed: SeedGraph) -> None:
    src = CURATED
    for key, (zh, en) in facs.REGIONS.items():
        seed.add_concept(f"region:{key}", "FacialRegion", name_zh=zh, name_en=en, source=src)
    for key, (zh, en) in facs.MUSCLES.items():
        seed.add_concept(f"muscle:{key}", "Muscle", name_zh=zh, name_en=en, source=src)
    table = {row.number: row for row in facs.PAPER_TABLE_1}
    for au in facs.ACTION_UNITS:
        row = table.get(au.number)
        marker = au.number in facs.DEPRESSION_MARKER_AUS
        text = facs.AU_TEXT[au.number]
        seed.add_concept(
            au.id,
            "ActionUnit",
            name_zh=f"AU{au.number} {au.name_zh}",
            name_en=f"AU{au.number} {au.name_en}",
            source=src,
            aliases=(f"AU{au.number}", au.name_zh, au.name_en, *text.aliases()),
            props={
                **_described(text),
                "number": au.number,
                "facs_name": au.name_en,
                "facs_category": au.category,
                "paper_description": row.description_en if row else "",
                "in_paper_table": row is not None,
                "depression_marker": marker,
            },
        )
        seed.add_edge("LOCATED_IN", au.id, f"region:{au.region}", source=src)
        paper_muscles = set(row.muscles) if row else set()
        for muscle in dict.fromkeys((*au.muscles, *sorted(paper_muscles))):
            per = (
                "both"
                if muscle in au.muscles and muscle in paper_muscles
                else ("facs" if muscle in au.muscles else "paper")
            )
            seed.add_edge("MOVES", au.id, f"muscle:{muscle}", {"per": per}, source=src)
        if row and row.emotions:
            weight = round(1.0 / len(row.emotions), 4)
            for emo in row.emotions:
                seed.add_edge(
                    "INDICATES",
                    au.id,
                    emotion_id(emo),
                    {"weight": weight, "basis": PAPER_TABLE},
                    source=src,
                )
        if marker:
            seed.add_edge(
                "INDICATES",
                au.id,
                symptom_id("depressed_mood"),
                {"weight": 0.5, "basis": "source study: AU4 and AU14 most common in depression"},
                source=src,
            )


def add_emotions(seed: SeedGraph) -> None:
    for e in emotions.EMOTIONS:
        seed.add_concept(
            e.id,
            "Emotion",
            name_zh=e.name_zh,
            name_en=e.name_en,
            source=CURATED,
            aliases=(*e.aliases_zh, *emotions.EMOTION_TEXT[e.id].aliases()),
            props={
                **_described(emotions.EMOTION_TEXT[e.id]),
                "group": e.group,
                "valence_note": e.valence_note,
            },
        )
    for e in emotions.EMOTIONS:
        for parent in e.is_a:
            seed.add_edge("IS_A", e.id, parent, source=CURATED)
        for other in e.synonym_of:
            seed.add_edge("SYNONYM_OF", e.id, other, source=CURATED)
    for a, b in emotions.RELATED:
        seed.add_edge("RELATED_TO", a, b, {"predicate": "closest_study_emotion"}, source=CURATED)


def add_speech(seed: SeedGraph) -> None:
    for d in speech.DESCRIPTORS:
        seed.add_concept(
            d.id,
            d.type,
            name_zh=d.name_zh,
            name_en=d.name_en,
            source=CURATED,
            aliases=(*d.aliases_zh, *speech.DESCRIPTOR_TEXT[d.id].aliases()),
            props=_described(speech.DESCRIPTOR_TEXT[d.id]),
        )
    for d in speech.DESCRIPTORS:
        for parent in d.is_a:
            seed.add_edge("IS_A", d.id, parent, source=CURATED)
        for target, weight in d.indicates:
            seed.add_edge("INDICATES", d.id, target, {"weight": weight}, source=CURATED)


def add_scales_and_symptoms(seed: SeedGraph) -> None:
    for spec in scales.concept_specs():
        seed.add_concept(
            spec.id,
            spec.type,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            source=CURATED,
            props={
                "description_zh": spec.description_zh,
                "description_en": spec.description_en,
                **dict(spec.props),
            },
        )
    for rel in scales.relation_specs():
        seed.add_edge(rel.type, rel.src, rel.dst, dict(rel.props), source=CURATED)
    for s in symptoms.SYMPTOMS:
        seed.add_concept(
            s.id,
            "Symptom",
            name_zh=s.name_zh,
            name_en=s.name_en,
            source=CURATED,
            aliases=(*s.aliases_zh, *symptoms.SYMPTOM_TEXT[s.key].aliases()),
            props=_described(symptoms.SYMPTOM_TEXT[s.key]),
        )
    for s in symptoms.SYMPTOMS:
        for parent in s.is_a:
            seed.add_edge("IS_A", s.id, symptom_id(parent), source=CURATED)
    for (inst, number), keys in symptoms.ITEM_ASSESSES.items():
        for key in keys:
            seed.add_edge(
                "ASSESSES", scales.scale_item_id(inst, number), symptom_id(key), source=CURATED
            )
    for key, level in symptoms.SYMPTOM_RISK.items():
        seed.add_edge("SIGNALS_RISK", symptom_id(key), risk_id(level), source=CURATED)


def link_to_cmekg(seed: SeedGraph) -> dict[str, int]:
    """Curated mapping table -> SYNONYM_OF / RELATED_TO / INDICATES / MEASURED_BY edges.

    Returns how many links were made per kind (names missing from CMeKG are skipped).
    """
    made = {"SYNONYM_OF": 0, "RELATED_TO": 0, "INDICATES": 0, "MEASURED_BY": 0}

    def link(rel: str, src: str, name: str, props: dict[str, str] | None = None) -> None:
        target = _cmekg(seed, name)
        if target is not None:
            seed.add_edge(
                rel, src, target, {"predicate": "curated_mapping", **(props or {})}, source=CURATED
            )
            made[rel] += 1

    for inst, (syns, related) in symptoms.SCALE_CMEKG.items():
        sid = scales.scale_id(inst)
        for name in syns:
            link("SYNONYM_OF", sid, name)
        for name in related:
            link("RELATED_TO", sid, name)
        for disorder in symptoms.SCALE_MEASURES:
            target = _cmekg(seed, disorder)
            if target is not None:
                seed.add_edge(
                    "MEASURED_BY", target, sid, {"predicate": "curated_mapping"}, source=CURATED
                )
                made["MEASURED_BY"] += 1
    for s in symptoms.SYMPTOMS:
        for name in s.cmekg_synonyms:
            link("SYNONYM_OF", s.id, name)
        for name in s.cmekg_related:
            link("RELATED_TO", s.id, name)
        for disorder in symptoms.SYMPTOM_INDICATES.get(s.key, ()):
            link("INDICATES", s.id, disorder)
    # Emotions whose Chinese name is itself a CMeKG symptom (悲伤, 恐惧, 愤怒, ...).
    for e in emotions.EMOTIONS:
        for name in (e.name_zh, *e.aliases_zh):
            if len(name) >= 2:
                link("RELATED_TO", e.id, name, {"match": "exact_name"})
    return made


def build_curated(seed: SeedGraph) -> dict[str, int]:
    """Add the whole curated ontology to `seed` and link it to whatever CMeKG it holds."""
    add_emotions(seed)
    add_scales_and_symptoms(seed)
    add_speech(seed)
    add_facs(seed)
    return link_to_cmekg(seed)
