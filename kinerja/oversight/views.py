"""Month locks (BKD), monitoring (heads, admins, BKD) and the audit trail (BKD, agency admins)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from kinerja import clock
from kinerja.audit import action_label
from kinerja.core import signatory
from kinerja.database import LIKE_ESCAPE, contains_pattern
from kinerja.errors import DomainError
from kinerja.exports import XLSX_MIMETYPE, csv_bytes, xlsx_bytes
from kinerja.extensions import db
from kinerja.models import Agency, AuditEntry, Employee, User
from kinerja.oversight import bp, locks, monitoring
from kinerja.oversight.forms import LockForm
from kinerja.permissions import GLOBAL_ROLES, admin_agency_ids, is_global_admin, load_agency, roles_required


def month_arg(default: date) -> date:
    try:
        return date.fromisoformat(request.args.get("bulan", "") + "-01")
    except ValueError:
        return default.replace(day=1)


@bp.route("/bkd/kunci-bulan", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def month_locks():
    today = clock.today()
    month = month_arg(today.replace(day=1) - timedelta(days=1))
    form = LockForm()
    if request.method == "POST" and not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("oversight.month_locks", bulan=month.strftime("%Y-%m")))
    if form.validate_on_submit():
        agency = load_agency(current_user, form.agency_id.data)
        try:
            locks.set_lock(current_user, agency, month, form.action.data == "close", form.reason.data, today)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Status bulan untuk %(agency)s disimpan.", agency=agency.short_name), "success")
        return redirect(url_for("oversight.month_locks", bulan=month.strftime("%Y-%m")))
    return render_template("oversight/locks.html", month=month, rows=locks.month_status(month, today),
                           form=LockForm(formdata=None))


@bp.route("/opd/<int:agency_id>/pemantauan")
@login_required
def monitoring_page(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    month = month_arg(today)
    sort = request.args.get("sort") if request.args.get("sort") in monitoring.SORT_KEYS else "name"
    rows = monitoring.agency_progress(agency, month, today, sort)
    return render_template("oversight/monitoring.html", agency=agency, month=month, rows=rows, sort=sort,
                           units=monitoring.unit_totals(rows), today=today)


@bp.route("/opd/<int:agency_id>/pemantauan.xlsx")
@login_required
def monitoring_xlsx(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    month = month_arg(today)
    rows = monitoring.agency_progress(agency, month, today, request.args.get("sort", "name"))
    headers = [_("Unit kerja"), _("Nama"), _("NIP"), _("Jabatan"), _("Hari kerja efektif"), _("Hari diajukan"),
               _("Persentase diajukan"), _("Menunggu"), _("Tertua menunggu sejak"), _("Dikembalikan"), _("Disetujui")]
    data = xlsx_bytes(
        f"{agency.short_name} {month:%Y-%m}", headers,
        ([row.assignment.unit.name, row.assignment.employee.full_name, row.assignment.employee.id_number,
          row.assignment.position.name, row.working_days, row.days_filed, round(row.filed_percent, 1),
          row.waiting, row.oldest_waiting, row.returned, row.approved] for row in rows),
        widths=(30, 32, 22, 30, 10, 10, 10, 10, 18, 10, 10),
    )
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="pemantauan-{agency.code}-{month:%Y-%m}.xlsx"'})


def audit_query():
    """Entries the user may read (BKD: all; agency admins: their agencies), filtered by the query string."""
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    if not is_global_admin(current_user):
        agencies = admin_agency_ids(current_user)
        if not agencies:
            abort(404)
        query = query.where(AuditEntry.agency_id.in_(agencies))
    args = request.args
    if args.get("aksi"):
        query = query.where(AuditEntry.action == args["aksi"])
    if args.get("objek"):
        query = query.where(AuditEntry.object_type == args["objek"])
    if args.get("id", "").isdigit():
        query = query.where(AuditEntry.object_id == int(args["id"]))
    if args.get("pelaku"):
        actor = contains_pattern(args["pelaku"].strip())
        query = query.where(AuditEntry.actor_id.in_(
            select(User.id).outerjoin(User.employee).where(or_(
                User.username.ilike(actor, escape=LIKE_ESCAPE), Employee.id_number.like(actor, escape=LIKE_ESCAPE),
                Employee.name.ilike(actor, escape=LIKE_ESCAPE)))))
    zone = clock.zone()
    for key, bound in (("dari", time.min), ("sampai", time.max)):
        try:
            day = date.fromisoformat(args.get(key, ""))
        except ValueError:
            continue
        moment = datetime.combine(day, bound, tzinfo=zone)
        query = query.where(AuditEntry.occurred_at >= moment if key == "dari" else AuditEntry.occurred_at <= moment)
    return query


@bp.route("/audit")
@login_required
def audit_log():
    page = db.paginate(audit_query(), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    agencies = {agency.id: agency.short_name for agency in db.session.scalars(select(Agency))}
    query_args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("oversight/audit.html", page=page, agencies=agencies, query_args=query_args,
                           actors=signatory.entry_names(page.items))


AUDIT_EXPORT_LIMIT = 200_000


@bp.route("/audit.<any(csv, xlsx):kind>")
@login_required
def audit_export(kind: str):
    entries = list(db.session.scalars(audit_query().limit(AUDIT_EXPORT_LIMIT)))
    actors = signatory.entry_names(entries)
    agencies = {agency.id: agency.short_name for agency in db.session.scalars(select(Agency))}
    headers = [_("Waktu"), _("Pelaku"), _("Sebagai Plh/Plt untuk"), _("OPD"), _("Objek"), _("ID"), _("Aksi"),
               _("Dari"), _("Menjadi"), _("Alasan"), _("Alamat IP")]
    acting = {employee.id: employee.full_name for employee in db.session.scalars(
        select(Employee).where(Employee.id.in_(select(AuditEntry.acting_for_id).where(
            AuditEntry.acting_for_id.is_not(None)))))}
    zone = clock.zone()
    rows = ([entry.occurred_at.astimezone(zone).replace(tzinfo=None),
             actors.get(entry.id, ""), acting.get(entry.acting_for_id, ""),
             agencies.get(entry.agency_id, ""), entry.object_type, entry.object_id, action_label(entry.action),
             entry.from_state or "", entry.to_state or "", entry.reason or "", entry.ip_address or ""]
            for entry in entries)
    stamp = clock.today().isoformat()
    if kind == "csv":
        return Response(csv_bytes(headers, rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'})
    return Response(xlsx_bytes(_("Jejak audit"), headers, rows, widths=(18, 28, 28, 14, 12, 8, 22, 12, 12, 40, 16)),
                    mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.xlsx"'})
