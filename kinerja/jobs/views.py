"""The job pages: my jobs, a job's progress (polled as JSON by static/js/jobs.js), cancel, retry, download."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.i18n import format_number
from kinerja.jobs import bp, services
from kinerja.jobs.access import load_own_job, own_jobs_select, settle_lost
from kinerja.jobs.display import SHOWN_FAILURES, error_text
from kinerja.jobs.forms import JobActionForm
from kinerja.jobs.launcher import dispatch
from kinerja.models import Job, JobStatus
from kinerja.settings import setting

STATUS_STYLES = {
    JobStatus.QUEUED: "text-bg-secondary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.DONE: "text-bg-success",
    JobStatus.FAILED: "text-bg-danger",
    JobStatus.CANCELLED: "text-bg-warning",
}


bp.add_app_template_filter(error_text, "job_error")


@bp.app_template_filter("file_size")
def file_size(size: int | None) -> str:
    """'12,5 KB' or '3,2 MB' in the reader's number format."""
    size = size or 0
    if size < 1024 * 1024:
        return f"{format_number(max(size / 1024, 0.1))} KB"
    return f"{format_number(size / 1024 / 1024)} MB"


@bp.app_context_processor
def job_styles() -> dict:
    return {"job_status_styles": STATUS_STYLES}


def download_url(job: Job) -> str | None:
    return url_for("jobs.download", job_id=job.id) if services.job_file_path(job) else None


@bp.route("/")
@login_required
def index():
    def my_jobs():
        return db.paginate(own_jobs_select(current_user), page=request.args.get("page", 1, type=int),
                           per_page=setting("PER_PAGE"), error_out=False)

    page = my_jobs()
    if settle_lost(page.items):
        page = my_jobs()
    return render_template("jobs/list.html", page=page, download_url=download_url)


@bp.route("/<string(length=32):job_id>")
@login_required
def progress(job_id: str):
    job = load_own_job(current_user, job_id)
    return render_template("jobs/progress.html", job=job, form=JobActionForm(formdata=None),
                           download_url=download_url(job), shown_failures=SHOWN_FAILURES,
                           waiting=services.waiting_text(job))


@bp.route("/<string(length=32):job_id>.json")
@login_required
def progress_json(job_id: str):
    job = load_own_job(current_user, job_id)
    url = download_url(job)
    return jsonify(
        status=job.status.value, status_label=job.status.label, done=job.done, total=job.total,
        percent=job.percent, failures=(job.failures or [])[:SHOWN_FAILURES], failure_count=len(job.failures or []),
        error=error_text(job.error),
        download_url=url, size_label=file_size(job.result_size) if url else None, finished=job.status.finished,
        waiting=services.waiting_text(job),
    )


@bp.route("/<string(length=32):job_id>/batal", methods=["POST"])
@login_required
def cancel(job_id: str):
    job = load_own_job(current_user, job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_job(current_user, job)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        flash(_("Pembatalan diminta."), "info")
    return redirect(url_for("jobs.progress", job_id=job_id))


@bp.route("/<string(length=32):job_id>/ulangi", methods=["POST"])
@login_required
def retry(job_id: str):
    job = load_own_job(current_user, job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    try:
        new_job = services.retry_job(current_user, job)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url_for("jobs.progress", job_id=job_id))
    dispatch(new_job)
    flash(_("Tugas diulangi."), "success")
    return redirect(url_for("jobs.progress", job_id=new_job.id))


@bp.route("/<string(length=32):job_id>/unduh")
@login_required
def download(job_id: str):
    job = load_own_job(current_user, job_id)
    path = services.job_file_path(job)
    if path is None:
        abort(404)
    response = send_file(path, as_attachment=True, download_name=job.result_name or path.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"  # reports hold personal data
    return response
