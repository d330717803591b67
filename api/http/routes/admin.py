"""Admin-only routes: the audit log and liveness/readiness (the latter need no key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.http.deps import Admin, State
from api.http.routes.jobs import _ERRORS
from api.http.schemas import AuditEntry, Health
from kg.store.base import StoreError

router = APIRouter(prefix="/v1", tags=["admin and health"])


@router.get("/audit", response_model=list[AuditEntry], responses=_ERRORS)
def audit_log(
    st: State,
    key: Admin,
    student: Annotated[str | None, Query(pattern=r"^stu_[0-9a-f]{20}$")] = None,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntry]:
    """Who read which student's data, when; page with `after` = the last `seq` seen."""
    rows = st.auth.audit_entries(student=student, after=after, limit=limit)
    return [AuditEntry.model_validate(r) for r in rows]


@router.get("/health/live", response_model=Health)
def live() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/health/ready", response_model=Health, responses={503: {"model": Health}})
def ready(st: State, response: Response) -> Health:
    """The graph store answers, the assessment model is loaded and workers are running."""
    checks: dict[str, str] = {}
    try:
        st.graph.get().ping()
        checks["store"] = "ok"
    except StoreError as exc:
        st.graph.reset()
        checks["store"] = f"unavailable: {exc}"
    for name, loaded in st.models_loaded.items():
        checks[f"model:{name}"] = "ok" if loaded else "not loaded"
    wanted = st.runner.wanted
    checks["workers"] = f"{st.runner.alive}/{wanted} alive"
    if st.api.workers and not wanted:
        checks["workers"] += " (a sibling HTTP process runs the job workers)"
    stuck = st.runner.stuck()
    if stuck:  # a worker missed every checkpoint past its job's budget: restart the process
        checks["stuck_workers"] = "; ".join(stuck)
    checks["purpose"] = st.api.purpose or "not declared (analysis is refused)"
    ok = (
        checks["store"] == "ok"
        and all(st.models_loaded.values())
        and st.runner.alive >= wanted
        and not stuck
    )
    if not ok:
        response.status_code = 503
        response.headers["Retry-After"] = str(st.api.retry_after_s)
    return Health(status="ok" if ok else "unavailable", checks=checks)
