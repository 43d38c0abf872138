"""The agency's attendance dashboards: today (per unit) and the month (per employee, also as XLSX)."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.attendance import bp, dashboard
from kinerja.exports import XLSX_MIMETYPE, xlsx_bytes
from kinerja.models import WorkMode
from kinerja.permissions import load_agency
from kinerja.roster.caps import can_manage


def month_arg(default: date) -> date:
    try:
        return date.fromisoformat(request.args.get("bulan", "") + "-01")
    except ValueError:
        return default.replace(day=1)


def sort_arg() -> str:
    sort = request.args.get("sort", "name")
    return sort if sort in dashboard.MONTH_SORT_KEYS else "name"


@bp.route("/opd/<int:agency_id>/hari-ini")
@login_required
def agency_today(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    return render_template("attendance/agency_today.html", agency=agency,
                           summary=dashboard.agency_today(agency, today),
                           manages=can_manage(current_user, agency.id))


@bp.route("/opd/<int:agency_id>/bulan")
@login_required
def agency_month(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    month, sort = month_arg(today), sort_arg()
    rows = dashboard.agency_month(agency, month, today, sort)
    return render_template("attendance/agency_month.html", agency=agency, month=month, sort=sort, rows=rows,
                           modes=list(WorkMode))


@bp.route("/opd/<int:agency_id>/bulan.xlsx")
@login_required
def agency_month_xlsx(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    month, sort = month_arg(today), sort_arg()
    rows = dashboard.agency_month(agency, month, today, sort)
    headers = [_("Unit kerja"), _("Nama"), _("NIP"), _("Jabatan"), _("Hari kerja efektif"), _("Hadir WFO"),
               _("Hadir WFH"), _("Hadir DL"), _("Jumlah hari hadir"), _("Hari terlambat"),
               _("Menit terlambat"), _("Menit pulang cepat"), _("Hari tanpa presensi")]
    data = xlsx_bytes(
        f"{_('Presensi')} {agency.short_name} {month:%Y-%m}", headers,
        ([row.assignment.unit.name, row.assignment.employee.full_name, row.assignment.employee.id_number,
          row.assignment.position.name, row.working_days, row.days[WorkMode.WFO], row.days[WorkMode.WFH],
          row.days[WorkMode.DL], row.days_present, row.late_days, row.late_minutes, row.early_minutes,
          row.missing_days] for row in rows),
        widths=(30, 32, 22, 30, 10, 10, 10, 10, 10, 10, 10, 10, 10),
    )
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="presensi-{agency.code}-{month:%Y-%m}.xlsx"'})
