"""Feature texts in, assessment out: for apps that run their own recognizers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.alignment import recognizer_alignments
from api.auth.purpose import PurposeNotDeclared, require_purpose
from api.http.cpu import run_cpu
from api.http.deps import ApiProblem, State, Submitter, json_body
from api.http.routes.jobs import _ERRORS
from api.http.schemas import AssessIn, AssessOut
from kg.feature_text import FeatureText
from kg.session_records import Assessment
from kg.store.base import GraphStore, StoreError
from models.decoder import DecoderConfig
from models.decoder import assess as decode_assessment

router = APIRouter(prefix="/v1", tags=["assessment"])


@router.post(
    "/assessments",
    response_model=AssessOut,
    responses=_ERRORS,
    dependencies=[Depends(json_body)],
    summary="Assess a list of feature texts (nothing is stored)",
)
async def assess(body: AssessIn, st: State, key: Submitter) -> AssessOut:
    try:
        require_purpose(st.api.purpose)
    except PurposeNotDeclared as exc:
        raise ApiProblem(409, "purpose_not_declared", str(exc)) from exc
    if len(body.feature_texts) > st.api.max_feature_texts:
        raise ApiProblem(
            413, "too_many_feature_texts", f"at most {st.api.max_feature_texts} feature texts"
        )
    ids = [f"request/{f.local_key()}" for f in body.feature_texts]
    if len(set(ids)) != len(ids):
        raise ApiProblem(
            422,
            "duplicate_feature_texts",
            "two feature texts share modality, kind, instance and time span; set `instance`",
        )
    try:
        store: GraphStore | None = st.graph.get()
    except StoreError:  # stateless: decode against the curated ontology, say so in `method`
        st.graph.reset()
        store = None
    assessment = await run_cpu(_decode, body.feature_texts, ids, store, st.decoder)
    return AssessOut(feature_ids=ids, assessment=assessment)


def _decode(features: list[FeatureText], ids: list[str], store: GraphStore | None,
            config: DecoderConfig | None) -> Assessment:
    alignments, _warnings = recognizer_alignments(features, ids, store)
    return decode_assessment(features, ids, alignments, store, config=config)
