"""Reports: request an export job (the web's EXPORTS), poll its progress, download the result."""

from __future__ import annotations

import marshmallow as ma
from flask import send_file, url_for
from flask_login import current_user
from marshmallow import fields, validate

from kinerja import clock
from kinerja.api import errors
from kinerja.api.common import MAX_ID, MonthField, PageArgs, api_blueprint, page_of, paginate
from kinerja.jobs import services
from kinerja.jobs.access import load_own_job, own_jobs_select
from kinerja.jobs.display import SHOWN_FAILURES, error_text
from kinerja.models import JobStatus
from kinerja.reports.exports import EXPORTS, start_export

bp = api_blueprint("reports_api", "Ekspor laporan sebagai tugas latar belakang.")
JOB_ID = "string(length=32)"


class ExportRequestSchema(ma.Schema):
    export = fields.String(required=True, validate=validate.OneOf(list(EXPORTS)))
    month = MonthField(required=True)
    agency_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "Required for the agency exports"})


class JobSchema(ma.Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Enum(JobStatus, by_value=True, required=True)
    finished = fields.Boolean(required=True, attribute="status.finished")
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)
    failure_count = fields.Method("count_failures", metadata={"type": "integer"})
    failures = fields.Method("first_failures", metadata={"type": "array", "items": {}})
    error = fields.Method("error_message", metadata={"type": "string", "nullable": True})
    created_at = fields.AwareDateTime(required=True)
    download_url = fields.Method("download", metadata={"type": "string", "nullable": True})

    def count_failures(self, job) -> int:
        return len(job.failures or [])

    def first_failures(self, job) -> list:
        return (job.failures or [])[:SHOWN_FAILURES]

    def error_message(self, job) -> str | None:
        return error_text(job.error)

    def download(self, job) -> str | None:
        return url_for("reports_api.download", job_id=job.id) if services.job_file_path(job) else None


@bp.route("/reports/exports", methods=["POST"])
@bp.arguments(ExportRequestSchema)
@bp.response(202, JobSchema)
def request_export(data):
    """Start an export (as on the reports page): agency exports for the agency's admins and head and BKD,
    regency-wide ones for BKD. Poll GET /jobs/{id} for its progress."""
    return start_export(current_user, data["export"], data["month"], data.get("agency_id"), clock.today())


@bp.route("/jobs", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(JobSchema, "JobPage"))
def list_jobs(args):
    """Your jobs, newest first."""
    return paginate(own_jobs_select(current_user), args)


@bp.route(f"/jobs/<{JOB_ID}:job_id>", methods=["GET"])
@bp.response(200, JobSchema)
def job(job_id: str):
    """A job's progress: status, done of total, failures, and the download address once done."""
    return load_own_job(current_user, job_id)


@bp.route(f"/jobs/<{JOB_ID}:job_id>/download", methods=["GET"])
@bp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream")
def download(job_id: str):
    """The finished job's file (PDF, XLSX or ZIP)."""
    found = load_own_job(current_user, job_id)
    path = services.job_file_path(found)
    if path is None:
        raise errors.not_found()
    response = send_file(path, as_attachment=True, download_name=found.result_name or path.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
