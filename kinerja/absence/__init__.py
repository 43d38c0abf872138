"""Agency admins record leave and absence (cuti, sakit, DL, tugas belajar) and backdating exceptions."""

from flask import Blueprint

bp = Blueprint("absence", __name__, url_prefix="/opd/<int:agency_id>")

from kinerja.absence import views  # noqa: E402,F401
