"""Appraisers review their subordinates' activities: inbox, decisions, guarded bulk approval, threads."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/pemeriksaan")

from kinerja.review import views  # noqa: E402,F401
