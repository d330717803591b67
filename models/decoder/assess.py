"""`assess()`: fusion -> graph beam search -> bilingual text with evidence (the public API)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from contracts.feature_text import Bilingual, FeatureText
from contracts.session_records import Alignment, Assessment, EvidenceItem
from contracts.vocabulary import (
    AU_PREFIX,
    DISCLAIMER,
    EMOTION_PREFIX,
    ME_CLASS_PREFIX,
    POLARITY_PREFIX,
    PROSODY_PREFIX,
    RATE_PREFIX,
    RISK_PREFIX,
    SCALE_ITEM_PREFIX,
    SEVERITY_PREFIX,
    SYMPTOM_PREFIX,
    general_level_id,
    risk_id,
)
from kg.align.policy import feature_concepts
from kg.store.base import GraphStore
from models.decoder.beam import Context, Hypothesis, Proposer, Slot, beam_search
from models.decoder.templates import number_claims, realise, recommendation_candidates
from models.depression import apply_to_state, estimate_sentence
from models.fusion.core import fuse, risk_distribution
from models.fusion.graph import OntologyView, ontology_view
from models.fusion.learned import LearnedFusion
from models.fusion.risk import channel_of, risk_assessed
from models.fusion.state import EMOTION_CONCEPT, EMOTIONS, LEVELS, RISKS, FusedState
from models.fusion.weighted import FusionConfig

METHOD = "graph-beam-v1"
_EVIDENCE_PREFIXES = (AU_PREFIX, ME_CLASS_PREFIX, EMOTION_PREFIX, PROSODY_PREFIX, RATE_PREFIX,
                      POLARITY_PREFIX, SYMPTOM_PREFIX, SCALE_ITEM_PREFIX)
_FLOOR = 1e-6


@dataclass(frozen=True)
class DecoderConfig:
    fusion: FusionConfig = field(default_factory=FusionConfig)
    detail_top_k: int = 3
    detail_min_share: float = 0.3  # a specific emotion is named only above this KG share
    max_evidence_per_modality: int = 5
    learned: LearnedFusion | None = None  # optional trained HGC models (models/fusion/learned)


@dataclass
class DecodeResult:
    assessment: Assessment
    state: FusedState
    hypotheses: list[Hypothesis]
    view: OntologyView


def _log(p: float) -> float:
    return math.log(max(float(p), _FLOOR))


def _slots(state: FusedState, view: OntologyView, cfg: DecoderConfig) -> list[Slot]:
    def emotion(_ctx: Context) -> list[tuple[str, float]]:
        if not state.emotion_known:
            return [("", 0.0)]  # undetermined: the text says so instead of guessing
        return [(EMOTION_CONCEPT[s], _log(p)) for s, p in zip(EMOTIONS, state.emotion, strict=True)
                if view.has(EMOTION_CONCEPT[s])]

    def detail(ctx: Context) -> list[tuple[str, float]]:
        if not ctx["emotion"]:
            return [("", 0.0)]
        target = {ctx["emotion"]}
        ranked = sorted(state.emotion_detail.items(), key=lambda kv: (-kv[1], kv[0]))
        out = [(cid, share) for cid, share in ranked[: cfg.detail_top_k]
               if share >= cfg.detail_min_share and cid not in target
               and view.path(cid, target, max_hops=2) is not None]
        options = [*out, ("", cfg.detail_min_share)]
        best = max(p for _c, p in options)
        # Relative to the best option, so this slot never outweighs the fused emotion.
        return [(c, _log(p / best)) for c, p in options]

    def depression(_ctx: Context) -> list[tuple[str, float]]:
        if state.depression is None:
            return [("", 0.0)]
        # Most severe first: on a tie the more severe level wins (safer), as in FusedState.
        pairs = list(zip(LEVELS, state.depression, strict=True))[::-1]
        return [(general_level_id(lv), _log(p)) for lv, p in pairs
                if view.has(general_level_id(lv))]

    def risk(_ctx: Context) -> list[tuple[str, float]]:
        allowed = RISKS[RISKS.index(state.risk):]  # never below the explicit floor
        probs = np.array([state.risk_probs[RISKS.index(r)] for r in allowed])
        probs = probs / probs.sum() if probs.sum() > 0 else np.full(len(allowed), 1 / len(allowed))
        return [(risk_id(r), _log(p)) for r, p in zip(allowed, probs, strict=True)
                if view.has(risk_id(r))]

    def recommendation(ctx: Context) -> list[tuple[str, float]]:
        level = ctx["depression"].removeprefix(SEVERITY_PREFIX) if ctx["depression"] else "unknown"
        options = recommendation_candidates(ctx["risk"].removeprefix(RISK_PREFIX), level)
        best = max(p for _k, p in options)
        # Relative scores: the best recommendation costs 0 in every context, so the choice of
        # depression level and risk stays exactly the fusion's (asserted by the evaluation).
        return [(k, _log(p / best)) for k, p in options]

    return [Slot("emotion", _once(emotion)), Slot("detail", _once(detail, "emotion")),
            Slot("depression", _once(depression)), Slot("risk", _once(risk)),
            Slot("recommendation", _once(recommendation, "depression", "risk"))]


def _once(propose: Proposer, *reads: str) -> Proposer:
    """`propose`, asked once per value of the context entries it `reads` (the beam asks every
    hypothesis, and most slots read no other slot's value)."""
    memo: dict[tuple[str, ...], list[tuple[str, float]]] = {}

    def asked(ctx: Context) -> list[tuple[str, float]]:
        key = tuple(ctx[name] for name in reads)
        found = memo.get(key)
        if found is None:
            found = memo[key] = propose(ctx)
        return found

    return asked


def _evidence_concepts(
    state: FusedState, features: Sequence[FeatureText], feature_ids: Sequence[str],
    view: OntologyView, limit: int,
) -> dict[str, list[tuple[str, str]]]:
    """Per channel: (feature id, concept id) pairs worth naming, strongest concepts first."""
    out: dict[str, list[tuple[str, str]]] = {}
    for channel in ("video", "speech", "scales"):
        if channel not in state.channels:
            continue
        seen: dict[str, tuple[float, str]] = {}
        for f, fid in zip(features, feature_ids, strict=True):
            if channel_of(f) != channel:
                continue
            for cid in feature_concepts(f):
                ok = cid.startswith(_EVIDENCE_PREFIXES) or (
                    cid.startswith(SEVERITY_PREFIX) and cid.count(":") == 2)
                if ok and view.has(cid):
                    w, first = seen.get(cid, (0.0, fid))
                    seen[cid] = (w + f.confidence, first)
        ranked = sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        out[channel] = [(fid, cid) for cid, (_w, fid) in ranked]
    return out


def _support_items(
    claim: str, target: str, extra: list[str], named: dict[str, list[tuple[str, str]]],
    channels: list[str], state: FusedState, view: OntologyView, modality_of: Mapping[str, str],
) -> list[EvidenceItem]:
    """Evidence for one claim: feature -> concept -> ... -> target paths in the ontology."""
    items: list[EvidenceItem] = []
    for channel in channels:
        for fid, cid in named.get(channel, []):
            path = view.path(cid, {target}, max_hops=4)
            if path:
                items.append(EvidenceItem(claim=claim, modality=modality_of[fid], feature_ids=[fid],
                                          concept_ids=list(dict.fromkeys([*path, *extra])),
                                          path=[fid, *path]))
    if not items:  # decided by channel values without an ontology path: say so in the path
        for channel in channels:
            fids = state.channels[channel].feature_ids
            if fids:
                items.append(EvidenceItem(claim=claim, modality=modality_of[fids[0]],
                                          feature_ids=list(fids), concept_ids=[target, *extra],
                                          path=[fids[0], target]))
    return items


def _build(
    hyp: Hypothesis, state: FusedState, features: Sequence[FeatureText],
    feature_ids: Sequence[str], view: OntologyView,
    named: dict[str, list[tuple[str, str]]],
    cache: dict[tuple[str, str, tuple[str, ...]], list[EvidenceItem]],
    estimate_fid: str | None = None,
    *,
    with_evidence: bool = True,
) -> tuple[Assessment, list[str]]:
    """One hypothesis -> Assessment; `named` (the evidence concepts, the same for every
    hypothesis) and `cache` (evidence searches) are shared between hypotheses; a hypothesis
    gets its own copies of the cached items, because numbering the claims sets their
    `claim_number`. `estimate_fid`: the depression model's feature when it decided the level.
    Without `with_evidence` (the other n-best candidates, whose text and concepts alone are
    returned) the evidence items are not built, only which claims rest on a feature: the text
    cites the same numbers either way."""
    ctx = hyp.context
    modality_of = {fid: f.modality for f, fid in zip(features, feature_ids, strict=True)}
    evidence: list[EvidenceItem] = []
    backed: list[str] = []  # the claims resting on a feature, in the order of their evidence

    def support(claim: str, target: str, extra: list[str], channels: list[str]) -> None:
        key = (claim, target, tuple(extra))
        if key not in cache:
            cache[key] = _support_items(claim, target, extra, named, channels, state, view,
                                        modality_of)
        if cache[key]:  # every item names a feature
            backed.append(claim)
            if with_evidence:
                evidence.extend(item.model_copy() for item in cache[key])
    emo_channels = [c for c, ch in state.channels.items() if ch.emotion is not None]
    dep_channels = [c for c, ch in state.channels.items() if ch.depression is not None]
    state_cid, detail, level_cid, risk_cid = ctx["emotion"], ctx["detail"], ctx["depression"], ctx["risk"]
    emo_claim = f"emotional_state:{state_cid.split(':')[1]}" if state_cid else ""
    level_claim = f"depression_level:{level_cid.removeprefix(SEVERITY_PREFIX)}" if level_cid else ""
    if state_cid:
        support(emo_claim, detail or state_cid, [state_cid] if detail else [], emo_channels)
    if level_cid:
        if estimate_fid is not None:
            backed.append(level_claim)
            if with_evidence:
                evidence.append(EvidenceItem(claim=level_claim, modality="audio",
                                             feature_ids=[estimate_fid], concept_ids=[level_cid],
                                             path=[estimate_fid, level_cid]))
        support(level_claim, level_cid, [], dep_channels)
    risk_level = risk_cid.removeprefix(RISK_PREFIX)
    risk_claim = f"suicide_risk:{risk_level}"
    reasons: list[tuple[str, str]] = []
    for sig in state.risk_signals:
        backed.append(risk_claim)
        if with_evidence:
            ordered = sorted(sig.concept_ids, key=lambda c: not c.startswith(SCALE_ITEM_PREFIX))
            path = next((p for c in ordered if (p := view.path(c, {risk_cid}, 2))), None)
            evidence.append(EvidenceItem(
                claim=risk_claim, modality=modality_of[sig.feature_id],
                feature_ids=[sig.feature_id],
                concept_ids=list(dict.fromkeys([*(c for c in sig.concept_ids if view.has(c)),
                                                risk_cid])),
                path=[sig.feature_id, *(path or [risk_cid])]))
        reasons.append((sig.reason_zh, sig.reason_en))
    if not state.risk_signals or risk_level != state.risk:
        backed.append(risk_claim)  # features are never empty (decode checks)
        if with_evidence:
            fids = [fid for f, fid in zip(features, feature_ids, strict=True)
                    if f.kind == "scale_score"]
            fids = fids or list(feature_ids)
            evidence.append(EvidenceItem(claim=risk_claim, modality="fusion",
                                         feature_ids=fids, concept_ids=[risk_cid],
                                         path=[fids[0], risk_cid]))
        if risk_level != "none" and not state.risk_signals:
            reasons.append(("仅由融合先验推断", "fusion prior only"))
    for channel, pairs in named.items():
        if pairs:
            backed.append(f"observed:{channel}")
        if with_evidence:
            evidence += [EvidenceItem(claim=f"observed:{channel}", modality=modality_of[fid],
                                      feature_ids=[fid], concept_ids=[cid], path=[fid, cid])
                         for fid, cid in pairs]
    if with_evidence:
        evidence += [EvidenceItem(claim=f"modality_missing:{channel}", modality=channel)
                     for channel in state.missing]
    numbers = number_claims(backed, evidence)
    cite = {"state": numbers.get(emo_claim), "level": numbers.get(level_claim),
            "risk": numbers.get(risk_claim),
            **{c: numbers.get(f"observed:{c}") for c in named}}
    text = realise(
        view, state=state_cid or None, detail=detail or None, state_sources=emo_channels,
        level=level_cid or None, level_sources=dep_channels, risk=risk_cid,
        risk_reasons=reasons, evidence={c: [cid for _f, cid in p] for c, p in named.items()},
        missing=state.missing, recommendation=ctx["recommendation"],
        cite={k: n for k, n in cite.items() if n is not None},
        risk_assessed=risk_assessed(features),
    )
    concepts = [c for c in (state_cid, detail, level_cid, risk_cid) if c]
    concepts += [cid for pairs in named.values() for _f, cid in pairs if cid not in concepts]
    level = level_cid.removeprefix(SEVERITY_PREFIX) if level_cid else "unknown"
    assessment = Assessment(
        text=text, depression_level=level, suicide_risk=risk_level,  # type: ignore[arg-type]
        suicide_risk_assessed=risk_assessed(features), evidence=evidence, nbest=[], method="", disclaimer=DISCLAIMER,
    )
    return assessment, concepts


def _add_estimate(assessment: Assessment, features: Sequence[FeatureText]) -> None:
    """The depression model's sentence in the text (its evidence is added in `_build`)."""
    sentence = estimate_sentence(features)
    if sentence is not None:  # before the disclaimer, which stays the last word
        zh, en = assessment.text.zh.removesuffix(DISCLAIMER.zh), assessment.text.en.removesuffix(
            DISCLAIMER.en).rstrip()
        assessment.text = Bilingual(zh=f"{zh}{sentence.zh}{DISCLAIMER.zh}",
                                    en=f"{en} {sentence.en} {DISCLAIMER.en}")


def decode(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    store: GraphStore | None,
    *,
    beam_width: int = 5,
    config: DecoderConfig | None = None,
) -> DecodeResult:
    """Like `assess` but also returns the fused state, hypotheses and graph view (for eval)."""
    if not features:
        raise ValueError("no feature texts to assess")
    cfg = config or DecoderConfig()
    view = ontology_view(store)
    state = fuse(features, feature_ids, alignments, view, cfg.fusion)
    if cfg.learned is not None:
        cfg.learned.apply(state, features)
    # The speech/text depression model decides the level when no scale leads (models/depression).
    estimate_fid = apply_to_state(state, features, feature_ids)
    if cfg.learned is not None or estimate_fid is not None:
        state.risk_probs = risk_distribution(state.risk, state.depression_level,
                                             min(1.0, sum(state.activation.get(risk_id(r), 0.0)
                                                          for r in RISKS[1:])))
    hyps = beam_search(_slots(state, view, cfg), beam_width)
    cache: dict[tuple[str, str, tuple[str, ...]], list[EvidenceItem]] = {}
    named = _evidence_concepts(state, features, feature_ids, view, cfg.max_evidence_per_modality)
    # Only the best candidate's evidence is returned; the others give their text and concepts.
    built = [_build(h, state, features, feature_ids, view, named, cache, estimate_fid,
                    with_evidence=i == 0) for i, h in enumerate(hyps)]
    best = built[0][0]
    _add_estimate(best, features)
    best.nbest = [
        {"rank": i + 1, "score": round(h.score, 6), "text": a.text.model_dump(), "concepts": c}
        for i, (h, (a, c)) in enumerate(zip(hyps, built, strict=True))
    ]
    best.method = (f"{METHOD} (beam_width={beam_width}; fusion={state.method}; "
                   f"missing={','.join(state.missing) or 'none'})")
    return DecodeResult(best, state, hyps, view)


def assess(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    store: GraphStore | None,
    *,
    beam_width: int = 5,
    config: DecoderConfig | None = None,
) -> Assessment:
    """Decode the assessment. Without a store the curated ontology stands in (named in method)."""
    return decode(features, feature_ids, alignments, store, beam_width=beam_width,
                  config=config).assessment
