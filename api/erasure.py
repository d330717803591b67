"""Erasure (right to be forgotten): everything MindKG holds about one student pseudonym.

Used by `DELETE /v1/students/{pseudonym}` and `mindkg admin erase`. Removes the student's
graph (student, sessions, feature texts, assessments), stored job results and error texts
(queued jobs are cancelled, running ones asked to stop), uploads kept after failures, and
center bindings; says what it removed. The audit log keeps the fact of the erasure.
"""

from __future__ import annotations

from pathlib import Path

from api.auth.keys import AuthDB
from api.http.schemas import ErasureOut
from api.jobs.store import JobStore, forget_student
from api.jobs.sweep import discard_upload
from contracts.settings import Settings
from kg.schema import STUDENT
from kg.store.base import GraphStore


def erase_student_everywhere(
    settings: Settings, jobs: JobStore, auth: AuthDB, graph: GraphStore, student: str
) -> ErasureOut:
    removed: list[str] = []
    nodes = graph.delete_student(student) if graph.get_node(STUDENT, student) else 0
    if nodes:
        removed.append(f"{nodes} graph node(s): the student, sessions, feature texts, assessments")
    count, uploads = forget_student(jobs, student)
    discarded = sum(discard_upload(settings, d) for d in uploads if Path(d).exists())
    if count:
        removed.append(f"results and error texts of {count} job(s); queued ones cancelled")
    if discarded:
        removed.append(f"{discarded} kept upload(s) with raw media")
    bindings = auth.unbind_student(student)
    if bindings:
        removed.append(f"{bindings} counseling-center binding(s)")
    jobs.checkpoint()  # WAL pages holding the erased rows are folded in and zeroed
    return ErasureOut(
        student=student,
        graph_nodes_removed=nodes,
        job_results_erased=count,
        uploads_removed=discarded,
        center_bindings_removed=bindings,
        removed=removed,
    )
