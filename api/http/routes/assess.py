"""Feature texts in, assessment out: for apps that run their own recognizers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Response

from api.auth.purpose import PurposeNotDeclared, require_purpose
from api.http.cpu import run_cpu
from api.http.deps import ApiProblem, State, Submitter, json_body
from api.http.routes.jobs import _ERRORS
from api.http.schemas import AssessIn, AssessOut
from api.pipeline import DuplicateFeatureTexts, FeatureAssessment, assess_features
from contracts.settings import Settings
from kg.store.base import GraphStore, StoreError

if TYPE_CHECKING:  # the decoder pulls in torch; it is loaded once at start-up
    from models.decoder import DecoderConfig

router = APIRouter(prefix="/v1", tags=["assessment"])


@router.post(
    "/assessments",
    response_model=AssessOut,
    responses=_ERRORS,
    dependencies=[Depends(json_body)],
    summary="Assess a list of feature texts (nothing is stored)",
)
async def assess(body: AssessIn, st: State, key: Submitter) -> Response:
    try:
        require_purpose(st.api.purpose)
    except PurposeNotDeclared as exc:
        raise ApiProblem(409, "purpose_not_declared", str(exc)) from exc
    if len(body.feature_texts) > st.api.max_feature_texts:
        raise ApiProblem(
            413, "too_many_feature_texts", f"at most {st.api.max_feature_texts} feature texts"
        )
    try:
        store: GraphStore | None = st.graph.get()
    except StoreError:  # stateless: decode against the curated ontology, say so in `method`
        st.graph.reset()
        store = None
    try:
        reply = await run_cpu(_assess_json, body, st.settings, store, st.decoder)
    except DuplicateFeatureTexts as exc:
        raise ApiProblem(422, "duplicate_feature_texts", str(exc)) from exc
    # Already the JSON of AssessOut: FastAPI would otherwise validate and encode it again on
    # the event loop (response_model stays, for the OpenAPI document).
    return Response(reply, media_type="application/json")


def _assess_json(
    body: AssessIn, settings: Settings, store: GraphStore | None, decoder: DecoderConfig | None
) -> bytes:
    """Decode and serialize in one go, on the CPU pool."""
    done: FeatureAssessment = assess_features(body.feature_texts, settings, store, decoder=decoder)
    assert done.assessment is not None  # AssessIn holds at least one feature text
    return AssessOut(feature_ids=done.feature_ids, assessment=done.assessment).model_dump_json(
        ).encode()
