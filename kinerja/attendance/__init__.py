"""Attendance (presensi): check-in and check-out with GPS and selfie, anti-spoofing flags and their review."""

from flask import Blueprint

# cli_group=None puts the blueprint's commands at the top level: `flask --app wsgi purge-selfies`.
bp = Blueprint("attendance", __name__, url_prefix="/presensi", cli_group=None)

from kinerja.attendance import commands, correction_views, dashboard_views, session_views, views  # noqa: E402,F401
