"""De-identified alignment statistics for researchers: per-concept counts, never student ids.

Rows describing fewer than k distinct students (MINDKG_RESEARCH_MIN_STUDENTS, default 5) are
suppressed, so a rare concept cannot single out one student.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from typing import Any

from fastapi import APIRouter, Response

from api.http.deps import Graph, Researcher, State
from api.http.routes.jobs import _ERRORS
from api.http.schemas import AlignmentAggregate, AlignmentReport, LevelCounts
from kg.schema import ASSESSMENT, CONCEPT, FEATURE_TEXT
from kg.store.base import GraphStore

router = APIRouter(prefix="/v1/research", tags=["research (de-identified)"])
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV, one row per concept"}
}


def alignment_report(graph: GraphStore, k: int) -> AlignmentReport:
    groups: dict[tuple[str, str, str], dict[str, object]] = defaultdict(
        lambda: {"n": 0, "score": 0.0, "sessions": set(), "students": set()}
    )
    modality_of: dict[str, str] = {}
    for edge in graph.iter_edges("ALIGNED_TO"):
        if edge.src_label != FEATURE_TEXT:
            continue
        if edge.src_key not in modality_of:
            node = graph.get_node(FEATURE_TEXT, edge.src_key)
            modality_of[edge.src_key] = str(node.props.get("modality", "")) if node else ""
        session_key = edge.src_key.rsplit("/", 1)[0]
        group = groups[(edge.dst_key, modality_of[edge.src_key], str(edge.props.get("method", "")))]
        group["n"] = int(group["n"]) + 1  # type: ignore[call-overload]
        group["score"] = float(group["score"]) + float(edge.props.get("score") or 0.0)  # type: ignore[arg-type]
        group["sessions"].add(session_key)  # type: ignore[attr-defined]
        group["students"].add(session_key.split("/", 1)[0])  # type: ignore[attr-defined]
    rows, suppressed = [], 0
    for (concept_id, modality, method), g in sorted(groups.items()):
        students = len(g["students"])  # type: ignore[arg-type]
        if students < k:
            suppressed += 1
            continue
        concept = graph.get_node(CONCEPT, concept_id)
        props = concept.props if concept else {}
        n = int(g["n"])  # type: ignore[call-overload]
        rows.append(
            AlignmentAggregate(
                concept_id=concept_id,
                concept_name_zh=str(props.get("name_zh") or ""),
                concept_name_en=str(props.get("name_en") or ""),
                modality=modality,
                method=method,
                alignments=n,
                sessions=len(g["sessions"]),  # type: ignore[arg-type]
                students=students,
                mean_score=round(float(g["score"]) / n, 4),  # type: ignore[arg-type]
            )
        )
    return AlignmentReport(min_students=k, suppressed_rows=suppressed, rows=rows)


@router.get("/alignments", response_model=AlignmentReport, responses=_ERRORS)
def alignments(st: State, key: Researcher, graph: Graph) -> AlignmentReport:
    """ALIGNED_TO edges aggregated per (concept, modality, method)."""
    return alignment_report(graph, st.api.research_min_students)


@router.get("/alignments.csv", response_class=Response, responses={**_ERRORS, **_CSV})
def alignments_csv(st: State, key: Researcher, graph: Graph) -> Response:
    report = alignment_report(graph, st.api.research_min_students)
    buffer = io.StringIO()
    fields = list(AlignmentAggregate.model_fields)
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow(row.model_dump())
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mindkg-alignments.csv"'},
    )


@router.get("/levels", response_model=LevelCounts, responses=_ERRORS)
def levels(st: State, key: Researcher, graph: Graph) -> LevelCounts:
    """Counts of assessed depression levels and risk levels; cells below k students are 0-ed."""
    k = st.api.research_min_students
    dep: dict[str, set[str]] = defaultdict(set)
    risk: dict[str, set[str]] = defaultdict(set)
    per_level: Counter[str] = Counter()
    per_risk: Counter[str] = Counter()
    sessions = 0
    for node in graph.iter_nodes(ASSESSMENT):
        sessions += 1
        student = node.key.split("/", 1)[0]
        level, rlevel = str(node.props.get("depression_level")), str(node.props.get("suicide_risk"))
        dep[level].add(student)
        risk[rlevel].add(student)
        per_level[level] += 1
        per_risk[rlevel] += 1
    return LevelCounts(
        min_students=k,
        sessions=sessions if len({s for v in dep.values() for s in v}) >= k else 0,
        depression_level={
            lv: (n if len(dep[lv]) >= k else 0) for lv, n in sorted(per_level.items())
        },
        suicide_risk={lv: (n if len(risk[lv]) >= k else 0) for lv, n in sorted(per_risk.items())},
    )
