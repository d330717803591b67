"""Submitting session bundles and following the analysis jobs they become."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.auth.keys import ApiKey
from api.auth.purpose import PurposeNotDeclared, require_purpose
from api.http import audit
from api.http.deps import ApiProblem, AppState, State, Submitter, json_body
from api.http.schemas import JobOut, Problem, ServerPathIn
from api.http.upload import ArchiveError, UnsupportedArchive, spooled_copy, unpack_bundle
from api.jobs.store import Job
from api.jobs.sweep import discard_upload, uploads_dir, without_folder
from api.pipeline import AnalysisResult
from ingest.bundle import BundleError, read_bundle
from kg.private_files import private_dir

router = APIRouter(prefix="/v1", tags=["sessions and jobs"])
JobId = Annotated[str, PathParam(pattern=r"^job_[0-9a-f]{20}$", description="job id")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 410, 413, 415, 422, 503)
}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["bundle"],
                    "properties": {
                        "bundle": {
                            "type": "string",
                            "format": "binary",
                            "description": "zip or tar(.gz) of a session bundle folder",
                        },
                        "write": {"type": "boolean", "default": True},
                    },
                }
            }
        },
    }
}


def job_out(job: Job) -> JobOut:
    base = f"/v1/jobs/{job.id}"
    links = {"self": base, "cancel": f"{base}/cancel"}
    if job.status == "done":
        links["result"] = f"{base}/result"
    return JobOut(
        id=job.id,
        status=job.status,
        progress=job.progress,
        message=job.message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempts=job.attempts,
        session_key=f"{job.student}/{job.session}" if job.student else None,
        error=job.error,
        links=links,
    )


def _purpose(st: AppState) -> None:
    try:
        require_purpose(st.api.purpose)
    except PurposeNotDeclared as exc:
        raise ApiProblem(409, "purpose_not_declared", str(exc)) from exc


def _enqueue(st: AppState, key: ApiKey, bundle_dir: Path, *, owns: bool, write: bool) -> Job:
    job = st.jobs.create(
        bundle_dir, owns_media=owns, write=write, submitted_by=key.key_id, center=key.center
    )
    try:
        st.runner.queue.push(job.id)
    except Exception:  # Redis down: the job stays queued in SQLite and is re-pushed on recovery
        pass
    return job


@router.post(
    "/sessions",
    status_code=202,
    response_model=JobOut,
    responses=_ERRORS,
    openapi_extra=_UPLOAD_BODY,
    summary="Upload a session bundle (zip/tar) for analysis",
)
async def submit_upload(request: Request, st: State, key: Submitter) -> JobOut:
    _purpose(st)
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiProblem(
            415, "unsupported_media_type", "send multipart/form-data with a 'bundle' file"
        )
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=1024)
    except Exception as exc:  # malformed multipart bodies
        raise ApiProblem(
            400, "bad_multipart", f"could not parse the multipart body: {exc}"
        ) from exc
    upload = form.get("bundle")
    if not isinstance(upload, UploadFile):
        raise ApiProblem(422, "missing_bundle", "the form needs a file field named 'bundle'")
    raw_write = form.get("write", "true")
    if not isinstance(raw_write, str) or raw_write.lower() not in ("true", "false", "1", "0"):
        raise ApiProblem(422, "bad_write", "'write' must be true or false")
    write = raw_write.lower() in ("true", "1")
    root = uploads_dir(st.settings)
    private_dir(root)
    name = "up_" + secrets.token_hex(8)

    def unpack() -> Path:
        with spooled_copy(upload.file, root / f"{name}.archive", st.api.max_upload_bytes) as tmp:
            folder = unpack_bundle(tmp, root / name, st.api)
        try:
            read_bundle(folder)  # reject bad manifests now, with a 422, not as a failed job
        except BundleError:
            shutil.rmtree(root / name, ignore_errors=True)
            raise
        return folder

    try:
        folder = await run_in_threadpool(unpack)
    except UnsupportedArchive as exc:
        raise ApiProblem(415, "unsupported_archive", str(exc)) from exc
    except (ArchiveError, BundleError) as exc:
        raise ApiProblem(422, "bad_bundle", without_folder(str(exc), root / name)) from exc
    finally:
        await upload.close()
    return job_out(_enqueue(st, key, folder, owns=True, write=write))


@router.post(
    "/sessions/from-path",
    status_code=202,
    response_model=JobOut,
    responses=_ERRORS,
    dependencies=[Depends(json_body)],
    summary="Analyse a bundle folder already on the server (MINDKG_ALLOW_SERVER_PATHS=1)",
)
def submit_path(body: ServerPathIn, st: State, key: Submitter) -> JobOut:
    if not st.api.allow_server_paths:
        raise ApiProblem(
            403,
            "server_paths_disabled",
            "server-side paths are off; a trusted deployment sets MINDKG_ALLOW_SERVER_PATHS=1",
        )
    _purpose(st)
    folder = Path(body.path).expanduser()
    if st.api.server_path_root is not None:
        allowed = Path(st.api.server_path_root).expanduser().resolve()
        if not folder.resolve().is_relative_to(allowed):
            raise ApiProblem(403, "path_not_allowed", f"bundle paths must lie under {allowed}")
    try:
        read_bundle(folder)
    except BundleError as exc:
        raise ApiProblem(422, "bad_bundle", str(exc)) from exc
    # Server-side bundles belong to the deployment: they are never deleted by MindKG.
    return job_out(_enqueue(st, key, folder, owns=False, write=body.write))


def _visible_job(st: AppState, key: ApiKey, job_id: str) -> Job:
    job = st.jobs.get(job_id)
    visible = job is not None and (
        key.role == "admin"
        or (key.role == "psychologist" and job.center is not None and job.center == key.center)
        or (key.role == "app" and job.submitted_by == key.key_id)
    )
    if job is None or not visible:
        raise ApiProblem(404, "no_such_job", f"no job {job_id} visible to this key")
    return job


@router.get("/jobs/{job_id}", response_model=JobOut, responses=_ERRORS, summary="Job status")
def get_job(job_id: JobId, st: State, key: Submitter) -> JobOut:
    return job_out(_visible_job(st, key, job_id))


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, responses=_ERRORS, summary="Cancel a job"
)
def cancel_job(job_id: JobId, st: State, key: Submitter) -> JobOut:
    job = _visible_job(st, key, job_id)
    if job.status in ("done", "failed", "cancelled"):
        raise ApiProblem(409, "job_finished", f"job {job_id} is already {job.status}")
    updated = st.jobs.request_cancel(job_id)
    assert updated is not None
    if updated.status == "cancelled" and updated.owns_media and not st.api.retain_media:
        discard_upload(st.settings, updated.bundle_dir)  # a queued job never reaches a worker
    return job_out(updated)


@router.get(
    "/jobs/{job_id}/result",
    response_model=AnalysisResult,
    responses=_ERRORS,
    summary="The analysis result: feature texts, alignments, assessment, evidence (audited)",
)
def get_result(job_id: JobId, request: Request, st: State, key: Submitter) -> AnalysisResult:
    try:
        job = _visible_job(st, key, job_id)
    except ApiProblem:  # out of scope or unknown: audited, without naming anyone
        audit.record(st, key, request, student=None, outcome=404)
        raise
    if job.status == "done" and job.result_json is None:
        audit.record(st, key, request, student=job.student, session=job.session, outcome=410)
        raise ApiProblem(410, "result_erased", f"the result of {job_id} was erased on request")
    if job.status != "done" or job.result_json is None:
        audit.record(st, key, request, student=job.student, session=job.session, outcome=409)
        raise ApiProblem(409, "not_ready", f"job {job_id} is {job.status}, not done")
    audit.record(st, key, request, student=job.student, session=job.session)
    return AnalysisResult.model_validate_json(job.result_json)
