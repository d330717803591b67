"""Recording reads of student data in the append-only audit log."""

from __future__ import annotations

from fastapi import Request

from api.auth.keys import ApiKey
from api.http.deps import AppState


def route_of(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


def record(
    st: AppState,
    key: ApiKey,
    request: Request,
    *,
    student: str | None,
    session: str | None = None,
    outcome: int = 200,
) -> None:
    st.auth.audit(
        key, request.method, route_of(request), student=student, session=session, outcome=outcome
    )
