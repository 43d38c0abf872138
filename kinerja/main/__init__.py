"""Home pages by role, profile, and the scoped employee and agency pages."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from kinerja.main import notification_views, views  # noqa: E402,F401
