"""Oversight: BKD's month locks, monitoring for heads of agencies, and the audit trail export."""

from flask import Blueprint

bp = Blueprint("oversight", __name__)

from kinerja.oversight import views  # noqa: E402,F401
