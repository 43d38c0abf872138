"""Daily and monthly activities: filing, evidence, calendar and summaries."""

from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/kegiatan")

from kinerja.activities import (  # noqa: E402,F401
    calendar_views,
    import_views,
    monthly_views,
    queue_views,
    template_views,
    views,
)
