"""Background jobs: long work (exports, packs of PDFs) run outside the request, with a progress page.

Public API for features that define jobs:

    @job_kind("agency_pack")
    def agency_pack(ctx: JobContext, params: dict) -> None: ...

    job = create_job("agency_pack", {...}, title=..., requested_by=user.id)
    dispatch(job)
"""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/tugas")

from kinerja.jobs import views  # noqa: E402,F401
from kinerja.jobs.context import JobContext, job_kind  # noqa: E402
from kinerja.jobs.launcher import dispatch  # noqa: E402
from kinerja.jobs.pool import map_in_processes  # noqa: E402
from kinerja.jobs.runner import run_job  # noqa: E402
from kinerja.jobs.services import create_job, job_file_path  # noqa: E402

__all__ = ["JobContext", "bp", "create_job", "dispatch", "job_file_path", "job_kind", "map_in_processes", "run_job"]
