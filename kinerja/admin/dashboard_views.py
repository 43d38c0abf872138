"""The BKD dashboard: the regency (one line per agency, BKD only), an agency's units and a unit's staff (BKD, and
the agency's own admins and head), each with server-drawn charts; the regency and an agency as XLSX.

Another agency's page answers 404 (kinerja.permissions.load_agency); the regency page is BKD's (403 for others).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from kinerja import clock
from kinerja.admin import bp, dashboard, dashboard_xlsx
from kinerja.admin.charts import Item, Series, bar_chart, stacked_chart
from kinerja.admin.dashboard import MODES, PREDIKATS, Dashboard, Line
from kinerja.admin.master_data import Sort, parse_sort
from kinerja.exports import XLSX_MIMETYPE
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Agency, Predikat, Unit
from kinerja.permissions import GLOBAL_ROLES, is_global_admin, load_agency, roles_required, subordinates_select
from kinerja.reports.data import regency_info

FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MODE_COLOURS = {"WFO": Series("WFO", "#0d6efd"), "WFH": Series("WFH", "#6f42c1"),
                "DL": Series("DL", "#fd7e14", "#212529")}
PREDIKAT_COLOURS = {
    Predikat.VERY_GOOD: ("#146c43", "#ffffff"), Predikat.GOOD: ("#20c997", "#212529"),
    Predikat.NEEDS_IMPROVEMENT: ("#ffc107", "#212529"), Predikat.POOR: ("#fd7e14", "#212529"),
    Predikat.VERY_POOR: ("#dc3545", "#ffffff"),
}


def chosen_month(today: date) -> date:
    """?bulan=YYYY-MM, else (or when it lies ahead) the current month."""
    current = today.replace(day=1)
    try:
        month = date.fromisoformat(request.args.get("bulan", "") + "-01")
    except ValueError:
        return current
    return min(month, current)


def wants_fresh() -> bool:
    """?segarkan=1: read the figures again instead of those kept a moment ago."""
    return request.args.get("segarkan") == "1"


def chosen_sort() -> Sort:
    return parse_sort(request.args.get("urut"), dashboard.SORTS, "kode")


def charts(board: Dashboard, level: str) -> list[tuple[str, Markup]]:
    """Filing and minutes, work modes and predikat over the lines with staff (a unit's predikat: its total)."""
    lines = [line for line in board.lines if line.figures.staff]
    if not lines:
        return []

    def label(line: Line) -> str:
        return line.detail if level == "regency" and line.detail else line.name

    rated = [Line(0, "", _("Jumlah"), board.total)] if level == "unit" else lines
    titles = (_("Pengisian dan menit terhadap target"), _("Hari kegiatan menurut lokasi kerja"),
              _("Sebaran predikat"))
    return list(zip(titles, (
        bar_chart("chart-filing", titles[0],
                  [Series(_("Hari mengisi"), "#0d6efd"), Series(_("Menit disetujui"), "#198754")],
                  [Item(label(line), (line.figures.filed_percent, line.figures.minutes_percent)) for line in lines]),
        stacked_chart("chart-modes", titles[1], [MODE_COLOURS[mode] for mode in MODES],
                      [Item(label(line), [line.figures.mode_days[mode] for mode in MODES]) for line in lines],
                      _("Belum ada kegiatan diajukan"), _("hari")),
        stacked_chart("chart-predikat", titles[2], [Series(item.label, *PREDIKAT_COLOURS[item]) for item in PREDIKATS],
                      [Item(label(line), [line.figures.predikat[item.value] for item in PREDIKATS]) for line in rated],
                      _("Belum ada penilaian"), _("pegawai")),
    ), strict=True))


def initials(label: str) -> str:
    """'Butuh Perbaikan' → 'BP': a column header short enough for a phone (the full label in its title)."""
    return "".join(word[0] for word in label.split()).upper()


def render(level: str, board: Dashboard, sort: Sort, **context):
    return render_template(
        "admin/dashboard.html", level=level, board=board, sort=sort, charts=charts(board, level),
        predikats=PREDIKATS, predikat_labels={item.value: item.label for item in PREDIKATS},
        predikat_abbreviations={item.value: initials(item.label) for item in PREDIKATS}, modes=MODES,
        global_admin=is_global_admin(current_user), today=clock.today(),
        previous=(board.month - timedelta(days=1)).replace(day=1),
        following=(board.month + timedelta(days=32)).replace(day=1), regency=regency_info().name,
        refresh_url=url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(),
                                                                               "segarkan": "1"}), **context)


@bp.route("/dasbor", endpoint="dashboard")
@roles_required(*GLOBAL_ROLES)
def regency_page():
    today = clock.today()
    sort = chosen_sort()
    board = dashboard.regency_dashboard(chosen_month(today), today, sort, kept=True, fresh=wants_fresh())
    return render("regency", board, sort)


@bp.route("/dasbor/opd/<int:agency_id>", endpoint="dashboard_agency")
@login_required
def agency_page(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today()
    sort = chosen_sort()
    board, _staff = dashboard.agency_dashboards(agency, chosen_month(today), today, sort, kept=True,
                                                fresh=wants_fresh())
    return render("agency", board, sort, agency=agency)


@bp.route("/dasbor/unit/<int:unit_id>", endpoint="dashboard_unit")
@login_required
def unit_page(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    agency = load_agency(current_user, unit.agency_id)
    today = clock.today()
    sort = chosen_sort()
    board = dashboard.unit_dashboard(unit, chosen_month(today), today, sort, kept=True, fresh=wants_fresh())
    reviewed = (set(db.session.scalars(subordinates_select(current_user.employee_id, today)))
                if current_user.employee_id is not None else set())
    return render("unit", board, sort, agency=agency, unit=unit, reviewed=reviewed)


def xlsx_response(content: bytes, name: str) -> Response:
    return Response(content, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/dasbor.xlsx", endpoint="dashboard_xlsx")
@roles_required(*GLOBAL_ROLES)
def regency_xlsx():
    today = clock.today()
    month = chosen_month(today)
    board = dashboard.regency_dashboard(month, today, chosen_sort())
    heading = _("Dasbor kinerja %(name)s", name=regency_info().name)
    content = dashboard_xlsx.regency_workbook(board, heading, period_text(board))
    return xlsx_response(content, f"dasbor-{month:%Y-%m}.xlsx")


@bp.route("/dasbor/opd/<int:agency_id>.xlsx", endpoint="dashboard_agency_xlsx")
@login_required
def agency_xlsx(agency_id: int):
    agency: Agency = load_agency(current_user, agency_id)
    today = clock.today()
    month = chosen_month(today)
    units, staff = dashboard.agency_dashboards(agency, month, today, chosen_sort())
    heading = _("Dasbor kinerja %(name)s", name=agency.name)
    content = dashboard_xlsx.agency_workbook(units, staff, heading, period_text(units))
    return xlsx_response(content, f"dasbor-{FILE_NAME_UNSAFE.sub('_', agency.code)}-{month:%Y-%m}.xlsx")


def period_text(board: Dashboard) -> str:
    period = _("Periode: %(period)s", period=format_date(board.month, "MMMM y"))
    if board.complete:
        return period
    return f"{period} ({_('sampai %(day)s', day=format_date(board.until))})"
