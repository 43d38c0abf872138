"""Report pages: the reports index, one employee's report as PDF/XLSX/BKN, starting exports as jobs, and the
public verification page of a printed document.

Who may, by the assignments in force in the report's month: staff their own; appraisers their subordinates of
that month (a transferred subordinate's earlier months stay with the earlier appraiser, the new one sees the
months since); agency heads and admins those assigned to their agency that month; BKD everything.
Anything else is a 404.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from kinerja import clock
from kinerja.core import periods
from kinerja.errors import DomainError
from kinerja.exports import XLSX_MIMETYPE
from kinerja.extensions import db, limiter
from kinerja.models import Agency, Assignment, Employee, Job
from kinerja.permissions import is_global_admin, may_see_month, month_subordinates_select, overseen_agency_ids
from kinerja.reports import bp, data, documents, store, xlsx
from kinerja.reports.exports import AGENCY_EXPORTS, EXPORTS, REGENCY_EXPORTS, start_export
from kinerja.reports.tasks import evidence_url_pattern
from kinerja.signatures.services import checked_versions
from kinerja.workcalendar import month_days


class ExportForm(FlaskForm):
    export = SelectField(choices=[SelectChoice(name, spec[3]) for name, spec in EXPORTS.items()])
    month = HiddenField()
    agency_id = HiddenField()


def recent_months(today: date, count: int = 13) -> list[date]:
    months, first = [], today.replace(day=1)
    for _number in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def chosen_month(today: date) -> date:
    """?bulan=YYYY-MM, else the month whose reports are due: the previous one during the first ten days."""
    try:
        month = date.fromisoformat(request.args.get("bulan", "") + "-01")
    except ValueError:
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1) if today.day <= 10 else today.replace(day=1)
    return min(month, today.replace(day=1))


def reportable_agencies(user) -> list[Agency]:
    query = select(Agency).order_by(Agency.code)
    if not is_global_admin(user):
        ids = overseen_agency_ids(user)
        if not ids:
            return []
        query = query.where(Agency.id.in_(ids))
    return list(db.session.scalars(query))


def subordinates(user, month: date, today: date) -> list[Employee]:
    """The user's subordinates of the month: those whose assignment then named the user (or whom they stood in
    for) as appraiser."""
    if user.employee_id is None:
        return []
    last = month_days(month.year, month.month)[1]
    return list(db.session.scalars(select(Employee).where(
        Employee.id.in_(month_subordinates_select(user.employee_id, month, last, today))).order_by(Employee.name)))


@bp.route("/")
@login_required
def index():
    today = clock.today()
    month = chosen_month(today)
    jobs = list(db.session.scalars(select(Job).where(Job.requested_by == current_user.id)
                                   .order_by(Job.created_at.desc()).limit(5)))
    return render_template(
        "reports/index.html", month=month, months=recent_months(today), agencies=reportable_agencies(current_user),
        team=subordinates(current_user, month, today), global_admin=is_global_admin(current_user), jobs=jobs,
        agency_exports=[(name, EXPORTS[name][3]) for name in AGENCY_EXPORTS],
        regency_exports=[(name, EXPORTS[name][3]) for name in REGENCY_EXPORTS], form=ExportForm(formdata=None))


def report_subject(employee_id: int, month: date) -> None:
    """404 unless the user may see this employee's report of the month (and the month has begun): decided by
    the assignments in force in that month (kinerja.permissions.may_see_month)."""
    if not may_see_month(current_user, employee_id, month, clock.today()):
        abort(404)


def send_stored(employee_id: int, month: date, kind: str, suffix: str, mimetype: str):
    report_subject(employee_id, month)
    found = documents.employee_document(employee_id, month, clock.today(), kind)
    if found is None:
        abort(404)
    employee_month, served = found
    return send_file(served.path, mimetype=mimetype, as_attachment=True,
                     download_name=documents.file_name(employee_month, suffix), max_age=0)


@bp.route("/pegawai/<int:employee_id>/<month:month>.pdf")
@login_required
def employee_pdf(employee_id: int, month: date):
    return send_stored(employee_id, month, store.PDF, ".pdf", "application/pdf")


@bp.route("/pegawai/<int:employee_id>/<month:month>.xlsx")
@login_required
def employee_xlsx(employee_id: int, month: date):
    return send_stored(employee_id, month, store.XLSX, ".xlsx", XLSX_MIMETYPE)


@bp.route("/pegawai/<int:employee_id>/<month:month>/bkn.xlsx")
@login_required
def employee_bkn(employee_id: int, month: date):
    """One employee's month in BKN's daily-progress shape: small, so made in the request."""
    report_subject(employee_id, month)
    employee = db.session.get(Employee, employee_id) or abort(404)
    output = io.BytesIO()
    xlsx.bkn_xlsx(data.bkn_rows(month, [employee_id], evidence_url_pattern()), output)
    return send_file(io.BytesIO(output.getvalue()), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"Kegiatan Harian BKN {month:%Y-%m} {employee.id_number}.xlsx", max_age=0)


@bp.route("/ekspor", methods=["POST"])
@login_required
def export():
    """Start an export larger than one employee as a background job and show its progress."""
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Permintaan ekspor tidak valid. Muat ulang halaman lalu coba lagi."), "danger")
        return redirect(url_for("reports.index"))
    month = periods.parse_month(form.month.data or "")
    if month is None:
        flash(_("Bulan tidak valid."), "danger")
        return redirect(url_for("reports.index"))
    agency_id = int(form.agency_id.data) if (form.agency_id.data or "").isdigit() else None
    try:
        job = start_export(current_user, form.export.data, month, agency_id, clock.today())
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("reports.index"))
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/verifikasi", defaults={"code": None})
@bp.route("/verifikasi/<code>")
@limiter.limit("30 per minute")
def verify(code: str | None):
    """Public: anyone holding a printed report checks that it is genuine and current."""
    code = code or request.args.get("kode", "").strip()
    if not code:
        return render_template("reports/verify.html", document=None, code="")
    found = store.verification(code) if len(code) <= 16 else None
    if found is None:
        return render_template("reports/verify.html", document=None, code=code, unknown=True), 404
    document, current = found
    employee = db.session.get(Employee, document.employee_id) if document.employee_id is not None else None
    if document.agency_id is not None:
        agency = db.session.scalar(select(Agency.name).where(Agency.id == document.agency_id))
    else:
        agency = db.session.execute(
            select(Agency.name).join(Assignment, Assignment.agency_id == Agency.id)
            .where(Assignment.employee_id == document.employee_id,
                   Assignment.valid_from <= month_days(document.year, document.month)[1])
            .order_by(Assignment.valid_from.desc()).limit(1)).scalar()
    return render_template("reports/verify.html", document=document, current=current, employee=employee,
                           agency=agency, code=code, period=date(document.year, document.month, 1),
                           kinds=store.KIND_LABELS, signed_versions=checked_versions(document))
