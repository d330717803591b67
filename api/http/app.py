"""The FastAPI application: lifespan (settings, stores, models, workers) and error mapping.

Every error leaves as {"error": code, "detail": sentence}; a graph store that is down gives
503 with Retry-After, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.keys import AuthDB, auth_db_path
from api.http.deps import ApiProblem, AppState, GraphHolder
from api.http.docs import mount_docs
from api.http.limits import BodyLimit
from api.http.routes import admin, assess, jobs, research, students
from api.jobs.queue import make_queue
from api.jobs.runner import Runner
from api.jobs.store import JobStore, jobs_db_path
from contracts.feature_text import Bilingual, FeatureText
from contracts.settings import ApiSettings, Settings, load_settings
from kg.store.base import StoreError, StoreUnavailable

if TYPE_CHECKING:  # the decoder pulls in torch; load it lazily
    from models.decoder import DecoderConfig

log = logging.getLogger("mindkg.api")
API_VERSION = "1.0.0"


def _load_models(settings: Settings) -> tuple[dict[str, bool], DecoderConfig | None]:
    """Load (and smoke-test) the assessment decoder once, at start-up; a configured learned
    fusion that cannot be loaded stops the start instead of failing every request later."""
    from api.decoder_config import decoder_config
    from models.decoder import assess

    config = decoder_config(settings)
    probe = FeatureText(
        modality="scales",
        kind="scale_score",
        text=Bilingual(zh="探针", en="probe"),
        values={"level": "none"},
        instance="probe",
    )
    ok = assess([probe], ["probe"], [], None, beam_width=1, config=config)
    loaded = {"assessment": ok.depression_level in ("none", "mild", "moderate", "severe")}
    if config is not None:
        loaded["learned_fusion"] = config.learned is not None
    return loaded, config


def _problem(
    status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": code, "detail": detail}, status_code=status, headers=dict(headers or {})
    )


def create_app(settings: Settings | None = None, api: ApiSettings | None = None) -> FastAPI:
    """The app; `settings` default to `load_settings()`, `api` (if given) replaces `settings.api`."""
    cfg = settings or load_settings()
    api_settings = api or cfg.api

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        cfg.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        auth = AuthDB(auth_db_path(cfg.home))
        job_store = JobStore(jobs_db_path(cfg.home))
        queue = make_queue(job_store, api_settings.redis_url)
        runner = Runner(cfg, api_settings, job_store, queue, auth.bind_student)
        graph = GraphHolder(cfg)
        try:
            graph.get()
        except StoreUnavailable as exc:  # start anyway: readiness says 503 until it is back
            log.warning("graph store unavailable at start-up: %s", exc)
            graph.reset()
        loaded, decoder = _load_models(cfg)
        st = AppState(cfg, api_settings, auth, job_store, graph, runner, loaded, decoder)
        app.state.mindkg = st
        try:
            runner.start(api_settings.workers)
            yield
        finally:
            runner.stop()
            graph.close()
            job_store.close()
            auth.close()

    app = FastAPI(
        title="MindKG API",
        version=API_VERSION,
        description=(
            "Multimodal knowledge-graph reasoning for counseling sessions. Decision support for "
            "qualified professionals, never a diagnosis. Authenticate with "
            "`Authorization: Bearer <API key>`; keys come from `mindkg keys create`."
        ),
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from api/http/docs.py: no CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    mount_docs(app)
    for router in (jobs.router, assess.router, students.router, research.router, admin.router):
        app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=api_settings.max_upload_bytes)

    @app.exception_handler(ApiProblem)
    async def api_problem(_: Request, exc: ApiProblem) -> JSONResponse:
        return _problem(exc.status_code, exc.code, str(exc.detail), exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _problem(exc.status_code, code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return _problem(422, "invalid_request", problems[:2000] or "invalid request")

    @app.exception_handler(StoreUnavailable)
    async def store_down(request: Request, exc: StoreUnavailable) -> JSONResponse:
        request.app.state.mindkg.graph.reset()
        retry = str(api_settings.retry_after_s)
        return _problem(
            503, "store_unavailable", f"graph store unavailable: {exc}", {"Retry-After": retry}
        )

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        retry = str(api_settings.retry_after_s)
        return _problem(503, "store_error", f"graph store error: {exc}", {"Retry-After": retry})

    return app


def app_from_env() -> FastAPI:
    """The app with settings from MINDKG_* variables: the factory each HTTP process of
    `mindkg serve --processes N` builds its own app (models loaded once per process) from."""
    return create_app()
