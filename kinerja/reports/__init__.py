"""Monthly reports: the employee's laporan kinerja bulanan, the agency recap and BKD's regency exports, as PDF
and XLSX, rendered ahead into a store and packed by background jobs."""

from flask import Blueprint

# cli_group=None puts the blueprint's `report` group at the top level: `flask --app wsgi report ...`.
bp = Blueprint("reports", __name__, url_prefix="/laporan", cli_group=None)

from kinerja.reports import commands, store, tasks, views  # noqa: E402,F401

bp.before_app_request(store.remember_served_address)
