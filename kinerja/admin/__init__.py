"""Administration for BKD and agency admins: master data, staff import, transfers, calendars and settings."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from kinerja.admin import (  # noqa: E402,F401
    account_views,
    calendar_views,
    dashboard_views,
    master_views,
    settings_views,
    staff_import_views,
    transfer_views,
)
