"""Shared state of one running app (settings, stores, runner) and the auth dependencies."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.keys import ApiKey, AuthDB
from api.jobs.runner import Runner
from api.jobs.store import JobStore
from contracts.settings import ApiSettings, Settings
from kg.store.base import GraphStore, StoreUnavailable
from kg.store.factory import open_store

if TYPE_CHECKING:  # the decoder pulls in torch; load it lazily
    from models.decoder import DecoderConfig


class ApiProblem(HTTPException):
    """An HTTP error with a machine-readable code, rendered as {"error", "detail"}."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.code = code


class GraphHolder:
    """The app's graph store, (re)opened on demand so the API starts while the store is down."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: GraphStore | None = None
        self._lock = threading.Lock()

    def get(self) -> GraphStore:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings)
            return self._store

    def reset(self) -> None:
        """Drop a store that failed, so the next request reconnects."""
        with self._lock:
            if self._store is not None:
                try:
                    self._store.close()
                except Exception:  # closing a dead connection may fail too
                    pass
            self._store = None

    def close(self) -> None:
        self.reset()


@dataclass
class AppState:
    settings: Settings
    api: ApiSettings
    auth: AuthDB
    jobs: JobStore
    graph: GraphHolder
    runner: Runner
    models_loaded: dict[str, bool] = field(default_factory=dict)
    decoder: DecoderConfig | None = None  # loaded once at start-up (learned fusion, if set)


async def state(request: Request) -> AppState:
    st: AppState = request.app.state.mindkg
    return st


State = Annotated[AppState, Depends(state)]
_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer mk_...`")


async def current_key(
    request: Request,
    st: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    presented = credentials.credentials if credentials else request.headers.get("x-api-key")
    if not presented:
        raise ApiProblem(
            401,
            "unauthenticated",
            "send an API key: Authorization: Bearer mk_...",
            {"WWW-Authenticate": "Bearer"},
        )
    key = st.auth.verify(presented)
    if key is None:
        raise ApiProblem(
            401,
            "invalid_key",
            "the API key is unknown, malformed or revoked",
            {"WWW-Authenticate": "Bearer"},
        )
    return key


def require(*roles: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency admitting only keys whose role is in `roles`.

    Auth dependencies are async: a key check is one indexed SQLite read (microseconds), cheaper
    than a hop through the thread pool."""
    allowed = frozenset(roles)

    async def check(
        request: Request, st: State, key: Annotated[ApiKey, Depends(current_key)]
    ) -> ApiKey:
        if key.role not in allowed:
            if _reads_student_data(request):  # refused reads are audited too (docs/api.md)
                route = request.scope.get("route")
                st.auth.audit(
                    key,
                    request.method,
                    str(getattr(route, "path", request.url.path)),
                    student=request.path_params.get("student"),
                    session=request.path_params.get("session"),
                    outcome=403,
                )
            raise ApiProblem(
                403,
                "forbidden",
                f"role '{key.role}' may not use this route; allowed: {', '.join(sorted(allowed))}",
            )
        return key

    return check


def _reads_student_data(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/v1/students") or (
        path.startswith("/v1/jobs/") and path.endswith("/result")
    )


Submitter = Annotated[ApiKey, Depends(require("psychologist", "app", "admin"))]
Browser = Annotated[ApiKey, Depends(require("psychologist", "admin"))]
Researcher = Annotated[ApiKey, Depends(require("researcher", "admin"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]


def graph_store(st: State) -> GraphStore:
    try:
        return st.graph.get()
    except StoreUnavailable:
        st.graph.reset()
        raise


Graph = Annotated[GraphStore, Depends(graph_store)]


def may_see_student(st: AppState, key: ApiKey, student: str) -> bool:
    if key.role == "admin":
        return True
    return (
        key.role == "psychologist"
        and key.center is not None
        and st.auth.student_in_center(student, key.center)
    )


async def json_body(request: Request) -> None:
    """415 for a body that is not JSON (runs before the body is parsed)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiProblem(415, "unsupported_media_type", "send the body as application/json")
