"""A student's sessions, graph, timelines and trend, for psychologists of their center (audited).

A psychologist asking about a student of another center gets 404, as for an unknown student,
so the API does not reveal which pseudonyms exist elsewhere.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from api.auth.keys import ApiKey
from api.erasure import erase_student_everywhere
from api.http import audit
from api.http.deps import (
    Admin,
    ApiProblem,
    AppState,
    Browser,
    Graph,
    State,
    json_body,
    may_see_student,
)
from api.http.routes.jobs import _ERRORS
from api.http.schemas import (
    ErasureOut,
    GraphEdgeOut,
    GraphNodeOut,
    GraphOut,
    LookupIn,
    SessionOut,
    StudentOut,
    TrendOut,
    TrendPointOut,
)
from api.timeline import SessionTimeline, Trend, timeline_from_graph, trend_from_graph
from kg.pseudonym import student_pseudonym
from kg.schema import ASSESSMENT, CONCEPT, FEATURE_TEXT, SESSION, STUDENT
from kg.store.base import GraphStore

router = APIRouter(prefix="/v1/students", tags=["students (psychologists)"])
StudentId = Annotated[str, Path(pattern=r"^stu_[0-9a-f]{20}$", description="student pseudonym")]
SessionId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", description="session id")
]
_PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "PNG picture"}
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "self-contained HTML page"}
}


def _check(
    st: AppState,
    key: ApiKey,
    request: Request,
    student: str,
    session: str | None = None,
    graph: GraphStore | None = None,
) -> None:
    """Audit the read with its outcome (also when refused), then refuse unless the key may
    see the student (and, given `graph`, the student is in it)."""
    if not may_see_student(st, key, student):
        audit.record(st, key, request, student=student, session=session, outcome=404)
        raise ApiProblem(404, "no_such_student", f"no student {student} visible to this key")
    if graph is not None and graph.get_node(STUDENT, student) is None:
        audit.record(st, key, request, student=student, session=session, outcome=404)
        raise ApiProblem(404, "no_such_student", f"no student {student} in the graph")
    audit.record(st, key, request, student=student, session=session)


def _sessions(graph: GraphStore, student: str) -> list[SessionOut]:
    out = []
    for node in graph.find_nodes(SESSION, {"student": student}):
        p = node.props
        assessment = graph.get_node(ASSESSMENT, f"{node.key}/assessment")
        out.append(
            SessionOut(
                session_key=node.key,
                session=str(p.get("session", "")),
                recorded_at=str(p.get("recorded_at", "")),
                language=str(p.get("language", "")),
                modalities=list(p.get("modalities") or []),
                synthetic=bool(p.get("synthetic", False)),
                depression_level=assessment.props.get("depression_level") if assessment else None,
                suicide_risk=assessment.props.get("suicide_risk") if assessment else None,
            )
        )
    return sorted(out, key=lambda s: s.recorded_at)


def _require_student(graph: GraphStore, student: str) -> None:
    if graph.get_node(STUDENT, student) is None:
        raise ApiProblem(404, "no_such_student", f"no student {student} in the graph")


@router.get("/{student}/sessions", response_model=list[SessionOut], responses=_ERRORS)
def sessions(
    student: StudentId, request: Request, st: State, key: Browser, graph: Graph
) -> list[SessionOut]:
    _check(st, key, request, student, graph=graph)
    return _sessions(graph, student)


def _props(props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    for name in ("values_json", "evidence_json"):
        if isinstance(out.get(name), str):
            out[name.removesuffix("_json")] = json.loads(out.pop(name))
    return out


@router.get("/{student}/graph", response_model=GraphOut, responses=_ERRORS)
def student_graph(
    student: StudentId, request: Request, st: State, key: Browser, graph: Graph
) -> GraphOut:
    """The student, their sessions, feature texts, assessments and the concepts these touch."""
    _check(st, key, request, student, graph=graph)
    nodes: dict[str, GraphNodeOut] = {}
    edges: list[GraphEdgeOut] = []

    def add(label: str, node_key: str) -> None:
        if node_key not in nodes and (node := graph.get_node(label, node_key)) is not None:
            nodes[node_key] = GraphNodeOut(
                id=node.key, labels=list(node.labels), properties=_props(node.props)
            )

    add(STUDENT, student)
    frontier = [(STUDENT, student)]
    while frontier:
        label, node_key = frontier.pop()
        if label not in (STUDENT, SESSION, FEATURE_TEXT):
            continue
        for edge in graph.edges(label, node_key, direction="out"):
            add(edge.dst_label, edge.dst_key)
            edges.append(
                GraphEdgeOut(
                    type=edge.type, source=edge.src_key, target=edge.dst_key, properties=edge.props
                )
            )
            if edge.dst_label != CONCEPT:
                frontier.append((edge.dst_label, edge.dst_key))
    return GraphOut(student=student, nodes=list(nodes.values()), edges=edges)


def _timeline(graph: GraphStore, student: str, session: str) -> SessionTimeline:
    timeline = timeline_from_graph(graph, f"{student}/{session}")
    if timeline is None:
        raise ApiProblem(404, "no_such_session", f"no session {session} of student {student}")
    return timeline


@router.get(
    "/{student}/sessions/{session}/timeline.png",
    response_class=Response,
    responses={**_ERRORS, **_PNG},
)
def session_timeline_png(
    student: StudentId, session: SessionId, request: Request, st: State, key: Browser, graph: Graph
) -> Response:
    _check(st, key, request, student, session, graph=graph)
    from api.plots import timeline_png  # matplotlib loads on first use, not at start-up

    return Response(timeline_png(_timeline(graph, student, session)), media_type="image/png")


@router.get(
    "/{student}/sessions/{session}/timeline.html",
    response_class=Response,
    responses={**_ERRORS, **_HTML},
)
def session_timeline_html(
    student: StudentId, session: SessionId, request: Request, st: State, key: Browser, graph: Graph
) -> Response:
    _check(st, key, request, student, session, graph=graph)
    from api.plots import timeline_html

    return Response(timeline_html(_timeline(graph, student, session)), media_type="text/html")


def _trend(graph: GraphStore, student: str) -> Trend:
    _require_student(graph, student)
    return trend_from_graph(graph, student)


@router.get("/{student}/trend", response_model=TrendOut, responses=_ERRORS)
def trend(student: StudentId, request: Request, st: State, key: Browser, graph: Graph) -> TrendOut:
    """Negative-affect indicators per session; flagged after three rises in a row."""
    _check(st, key, request, student, graph=graph)
    t = _trend(graph, student)
    return TrendOut(
        student=t.student,
        rises_needed=t.rises_needed,
        flagged=t.flagged,
        flag_reasons=t.flag_reasons,
        points=[TrendPointOut(**vars(p)) for p in t.points],
    )


@router.get("/{student}/trend.png", response_class=Response, responses={**_ERRORS, **_PNG})
def trend_picture(
    student: StudentId, request: Request, st: State, key: Browser, graph: Graph
) -> Response:
    _check(st, key, request, student, graph=graph)
    from api.plots import trend_png

    return Response(trend_png(_trend(graph, student)), media_type="image/png")


@router.get("/{student}/trend.html", response_class=Response, responses={**_ERRORS, **_HTML})
def trend_page(
    student: StudentId, request: Request, st: State, key: Browser, graph: Graph
) -> Response:
    _check(st, key, request, student, graph=graph)
    from api.plots import trend_html

    return Response(trend_html(_trend(graph, student)), media_type="text/html")


@router.get("", response_model=list[StudentOut], responses=_ERRORS)
def list_students(request: Request, st: State, key: Browser, graph: Graph) -> list[StudentOut]:
    """Students of the key's center (all students for admin), with their session counts."""
    audit.record(st, key, request, student=None)
    bound = st.auth.students_of(None if key.role == "admin" else key.center)
    out = []
    for student in bound:
        if graph.get_node(STUDENT, student) is None:
            continue
        sessions = graph.find_nodes(SESSION, {"student": student})
        last = max((str(n.props.get("recorded_at", "")) for n in sessions), default=None)
        out.append(StudentOut(student=student, sessions=len(sessions), last_session_at=last))
    return out


@router.post(
    "/lookup", response_model=StudentOut, responses=_ERRORS, dependencies=[Depends(json_body)]
)
def lookup_student(
    body: LookupIn, request: Request, st: State, key: Browser, graph: Graph
) -> StudentOut:
    """The pseudonym of one of the center's students, from the center's own id for them."""
    if key.role != "admin" and body.center not in (None, key.center):
        audit.record(st, key, request, student=None, outcome=404)
        raise ApiProblem(404, "no_such_student", "a psychologist sees students of their center only")
    center = key.center if key.role != "admin" else body.center
    student = student_pseudonym(st.settings, body.local_id, center)
    _check(st, key, request, student, graph=graph)
    sessions = graph.find_nodes(SESSION, {"student": student})
    last = max((str(n.props.get("recorded_at", "")) for n in sessions), default=None)
    return StudentOut(student=student, sessions=len(sessions), last_session_at=last)


@router.delete("/{student}", response_model=ErasureOut, responses=_ERRORS)
def erase_student(
    student: StudentId, request: Request, st: State, key: Admin, graph: Graph
) -> ErasureOut:
    """Erasure (right to be forgotten): everything MindKG holds about the student (graph,
    stored job results and errors, kept uploads, center bindings), also when no session of
    theirs reached the graph; 404 only when nothing at all is known about the pseudonym."""
    out = erase_student_everywhere(st.settings, st.jobs, st.auth, graph, student)
    known = out.graph_nodes_removed or out.job_results_erased or out.center_bindings_removed
    audit.record(st, key, request, student=student, outcome=200 if known else 404)
    if not known:
        raise ApiProblem(404, "no_such_student", f"nothing is stored about {student}")
    return out
