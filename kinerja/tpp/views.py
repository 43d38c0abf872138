"""TPP pages: the staff's own month, an agency's list, the regency's recap, the rules, penalties, locking."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.jobs import create_job, dispatch
from kinerja.models import Agency, Assignment, Criterion, Employee, TppPenalty, TppPeriod, TppRuleSet
from kinerja.permissions import (
    GLOBAL_ROLES,
    admin_agency_ids,
    is_global_admin,
    load_agency,
    overseen_agency_ids,
    roles_required,
)
from kinerja.tpp import bp, services
from kinerja.tpp.engine import totals
from kinerja.tpp.explain import cut_dates, describe, percent, rupiah
from kinerja.tpp.forms import (
    BRACKET_ROWS,
    LockForm,
    PenaltyForm,
    ReopenForm,
    RuleSetForm,
    agency_score_entries,
    fill_form,
    grid_values,
    position_rows,
    rule_set_input,
)
from kinerja.tpp.month import months_after
from kinerja.tpp.rules import (
    CLASSES,
    format_percent,
    period_label,
    position_choices,
    rule_set_for,
    save_rule_set,
    scores_third,
)

bp.add_app_template_filter(rupiah, "rupiah")
bp.add_app_template_filter(percent, "percent_bp")


@bp.route("/tpp")
@login_required
def index():
    if is_global_admin(current_user):
        return redirect(url_for("tpp.regency", first=clock.today().replace(day=1)))
    if current_user.employee_id is None:
        agencies = sorted(overseen_agency_ids(current_user))
        if not agencies:
            abort(404)
        return redirect(url_for("tpp.agency", first=clock.today().replace(day=1), agency_id=agencies[0]))
    return redirect(url_for("tpp.employee", first=clock.today().replace(day=1), employee_id=current_user.employee_id))


@bp.route("/tpp/<month:first>")
@roles_required(*GLOBAL_ROLES)
def regency(first: date):
    months = services.agencies_month(first, clock.today())
    rows = []
    for agency in db.session.scalars(select(Agency).order_by(Agency.code)):
        items, period = months.get(agency.id, ([], None))
        rows.append((agency, len(items), totals(item.result for item in items), period))
    grand = {key: sum(row[2][key] for row in rows) for key in ("base", "gross", "discipline_cuts", "penalty", "net")}
    rule_set = rule_set_for(first)
    scores = services.scores_of(first) if scores_third(rule_set) else None
    return render_template("tpp/regency.html", first=first, rows=rows, grand=grand, rule_set=rule_set,
                           exports=REGENCY_EXPORTS, export_form=LockForm(formdata=None),
                           previous=months_after(first, -1), following=months_after(first, 1),
                           period_label=period_label, scores=scores,
                           missing=[row[0] for row in rows if scores is not None and row[0].id not in scores
                                    and row[3] is None])


@bp.route("/tpp/<month:first>/opd/<int:agency_id>", methods=["GET", "POST"])
@login_required
def agency(first: date, agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    if request.method == "POST":
        return change_lock(agency, first, today)
    rows, period = services.agency_month(agency, first, today)
    rule_set = period.rule_set if period is not None else rule_set_for(first)
    staff = db.session.execute(
        select(Employee.id, Employee.name, Employee.id_number).join(Assignment, Assignment.employee_id == Employee.id)
        .where(Assignment.agency_id == agency.id, Assignment.active_on(today)).order_by(Employee.name)).all()
    can_name_treasurer = is_global_admin(current_user) or agency.id in admin_agency_ids(current_user)
    return render_template("tpp/agency.html", agency=agency, first=first, rows=rows, period=period,
                           exports=AGENCY_EXPORTS, staff=staff, can_name_treasurer=can_name_treasurer,
                           total=totals(item.result for item in rows), rule_set=rule_set,
                           can_lock=is_global_admin(current_user), month_over=first < today.replace(day=1),
                           lock_form=LockForm(formdata=None), reopen_form=ReopenForm(formdata=None),
                           previous=months_after(first, -1), following=months_after(first, 1),
                           period_label=period_label,
                           score=services.scores_of(first).get(agency.id) if scores_third(rule_set) else None,
                           measured=scores_third(rule_set))


def change_lock(agency: Agency, first: date, today: date):
    if not is_global_admin(current_user):
        abort(403)
    back = redirect(url_for("tpp.agency", first=first, agency_id=agency.id))
    period = services.period_of(agency.id, first)
    try:
        if request.form.get("action") == "reopen":
            form = ReopenForm()
            if not form.validate_on_submit():
                for errors in form.errors.values():
                    for error in errors:
                        flash(error, "danger")
                return back
            if period is None:
                flash(_("TPP bulan ini belum dikunci."), "warning")
                return back
            services.reopen_month(current_user, period, form.reason.data)
            flash(_("TPP dibuka kembali dan dihitung ulang."), "success")
        else:
            form = LockForm()
            if not form.validate_on_submit():
                flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
                return back
            services.lock_month(current_user, agency, first, today, form.reason.data or "")
            flash(_("TPP %(agency)s bulan %(month)s dikunci.", agency=agency.short_name,
                    month=first.strftime("%Y-%m")), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    return back


AGENCY_EXPORTS = {"nominative_pdf": ("tpp_nominative", {"format": "pdf"}, _l("Daftar nominatif (PDF)")),
                  "nominative_xlsx": ("tpp_nominative", {"format": "xlsx"}, _l("Daftar nominatif (Excel)")),
                  "payroll_xlsx": ("tpp_payroll", {"format": "xlsx"}, _l("Berkas gaji (Excel)")),
                  "payroll_csv": ("tpp_payroll", {"format": "csv"}, _l("Berkas gaji (CSV)")),
                  "slips_pdf": ("tpp_slip", {}, _l("Slip TPP seluruh pegawai (PDF)"))}
REGENCY_EXPORTS = {"recap_xlsx": ("tpp_recap", {}, _l("Rekap TPP per OPD (Excel)")),
                   "payroll_xlsx": ("tpp_payroll", {"format": "xlsx"}, _l("Berkas gaji seluruh OPD (Excel)")),
                   "payroll_csv": ("tpp_payroll", {"format": "csv"}, _l("Berkas gaji seluruh OPD (CSV)"))}


@bp.route("/tpp/<month:first>/opd/<int:agency_id>/ekspor", methods=["POST"])
@login_required
def agency_export(first: date, agency_id: int):
    """Start the agency's nominative list or payroll file as a background job and show its progress."""
    agency = load_agency(current_user, agency_id)
    return start_export(AGENCY_EXPORTS, first, url_for("tpp.agency", first=first, agency_id=agency.id), agency)


@bp.route("/tpp/<month:first>/ekspor", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def regency_export(first: date):
    return start_export(REGENCY_EXPORTS, first, url_for("tpp.regency", first=first))


def start_export(exports: dict, first: date, back: str, agency: Agency | None = None):
    spec = exports.get(request.form.get("export", ""))
    if spec is None or not LockForm().validate_on_submit():
        flash(_("Permintaan ekspor tidak valid. Muat ulang halaman lalu coba lagi."), "danger")
        return redirect(back)
    kind, extra, label = spec
    params = {"month": f"{first:%Y-%m}", **({"agency_id": agency.id} if agency else {}), **extra}
    scope = f" · {agency.short_name}" if agency else ""
    job = create_job(kind, params, title=f"{label}{scope} · {first:%Y-%m}", requested_by=current_user.id)
    dispatch(job)
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/tpp/opd/<int:agency_id>/bendahara", methods=["POST"])
@login_required
def treasurer(agency_id: int):
    agency = load_agency(current_user, agency_id)
    back = redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/tpp/")
                    else url_for("tpp.index"))
    if not LockForm().validate_on_submit():
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
        return back
    text = request.form.get("treasurer_id", "").strip()
    if text and not (text.isascii() and text.isdigit() and len(text) <= 12):
        flash(_("Bendahara harus pegawai OPD ini."), "danger")
        return back
    try:
        services.set_treasurer(current_user, agency, int(text) if text else None, clock.today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Bendahara OPD disimpan."), "success")
    return back


def visible_month(employee_id: int, first: date, today: date) -> services.PersonMonth:
    """The person's month if the user may see it: their own, BKD, or their agency's admins and head; else 404."""
    found = services.person_month(employee_id, first, today)
    visible = employee_id == current_user.employee_id or is_global_admin(current_user) or (
        found.row is not None and found.row.person.agency_id in overseen_agency_ids(current_user))
    if not visible:
        abort(404)
    return found


@bp.route("/tpp/<month:first>/pegawai/<int:employee_id>")
@login_required
def employee(first: date, employee_id: int):
    today = clock.today()
    found = visible_month(employee_id, first, today)
    person = db.session.get(Employee, employee_id)
    if person is None:
        abort(404)
    month_open = first >= today.replace(day=1)
    return render_template("tpp/employee.html", employee=person, first=first, row=found.row, period=found.period,
                           rule_set=found.rule_set, own=employee_id == current_user.employee_id,
                           month_open=month_open, describe=describe, cut_dates=cut_dates,
                           previous=months_after(first, -1), following=months_after(first, 1), today=today)


@bp.route("/tpp/<month:first>/pegawai/<int:employee_id>/slip", methods=["POST"])
@login_required
def employee_slip(first: date, employee_id: int):
    """Start the employee's slip (PDF) as a background job; the same scope as their month's page."""
    found = visible_month(employee_id, first, clock.today())
    back = url_for("tpp.employee", first=first, employee_id=employee_id)
    if found.row is None or found.rule_set is None or not LockForm().validate_on_submit():
        flash(_("Permintaan slip tidak valid. Muat ulang halaman lalu coba lagi."), "danger")
        return redirect(back)
    job = create_job("tpp_slip", {"month": f"{first:%Y-%m}", "employee_id": employee_id},
                     title=f"{_('Slip TPP')} · {found.row.person.name} · {first:%Y-%m}",
                     requested_by=current_user.id)
    dispatch(job)
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/tpp/saya")
@login_required
def mine():
    if current_user.employee_id is None:
        abort(404)
    return redirect(url_for("tpp.employee", first=clock.today().replace(day=1), employee_id=current_user.employee_id))


# --- Rules --------------------------------------------------------------------------------------------------


@bp.route("/tpp/aturan")
@roles_required(*GLOBAL_ROLES)
def rules():
    rule_sets = list(db.session.scalars(select(TppRuleSet).order_by(TppRuleSet.valid_from.desc())))
    return render_template("tpp/rules.html", rule_sets=rule_sets, period_label=period_label)


@bp.route("/tpp/aturan/baru", methods=["GET", "POST"])
@bp.route("/tpp/aturan/<int:rule_set_id>", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def rule_set(rule_set_id: int | None = None):
    current = None
    if rule_set_id is not None:
        current = db.session.scalar(select(TppRuleSet).where(TppRuleSet.id == rule_set_id).options(
            joinedload(TppRuleSet.ceilings), joinedload(TppRuleSet.brackets),
            joinedload(TppRuleSet.predikat_rates), joinedload(TppRuleSet.leave_rules)))
        if current is None:
            abort(404)
    form = RuleSetForm()
    template = current or db.session.scalar(select(TppRuleSet).order_by(TppRuleSet.valid_from.desc()).limit(1))
    values = request.form if request.method == "POST" else grid_values(template)
    if request.method == "GET" and template is not None:
        fill_form(form, template, next_period=current is None)
    if form.validate_on_submit():
        try:
            saved = save_rule_set(current_user, rule_set_input(form, request.form), current, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Aturan TPP disimpan."), "success")
            return redirect(url_for("tpp.rule_set", rule_set_id=saved.id))
    elif request.method == "POST":
        flash(_("Periksa isian yang ditandai."), "danger")
    return render_template("tpp/rule_set.html", form=form, current=current, values=values, classes=CLASSES,
                           bracket_rows=BRACKET_ROWS, period_label=period_label,
                           positions=position_choices(clock.today()), position_rows=position_rows(values),
                           criteria=list(Criterion))


# --- Agency scores of a measured third share ------------------------------------------------------------------


@bp.route("/tpp/<month:first>/nilai-opd", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def agency_scores(first: date):
    """BKD enters each agency's score of the month (e.g. realisasi anggaran) for a measured third share."""
    form = LockForm()
    error = None
    if form.validate_on_submit():
        try:
            changed = services.set_agency_scores(
                current_user, first, agency_score_entries(request.form, list(db.session.scalars(select(Agency.id)))))
        except DomainError as failure:
            db.session.rollback()
            error = failure
            flash(failure.message, "danger")
        else:
            flash(_("Nilai OPD disimpan (%(n)s berubah).", n=changed), "success")
            return redirect(url_for("tpp.agency_scores", first=first))
    elif request.method == "POST":
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.code)))
    locked = set(db.session.scalars(select(TppPeriod.agency_id).where(
        TppPeriod.year == first.year, TppPeriod.month == first.month)))
    scores = services.scores_of(first)
    if request.method == "POST":
        values = request.form
    else:
        values = {f"score_{agency_id}": format_percent(row.score) for agency_id, row in scores.items()} | {
            f"note_{agency_id}": row.note for agency_id, row in scores.items()}
    return render_template("tpp/agency_scores.html", first=first, agencies=agencies, locked=locked, values=values,
                           scores=scores, rule_set=rule_set_for(first), error=error, measured=scores_third,
                           previous=months_after(first, -1), following=months_after(first, 1))


# --- Penalties ----------------------------------------------------------------------------------------------


@bp.route("/tpp/hukuman", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def penalties():
    form = PenaltyForm()
    if form.validate_on_submit():
        try:
            services.add_penalty(current_user, form.employee_id_number.data, form.decree_number.data,
                                 form.first_month.data, int(form.months.data), form.rate.data, form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Hukuman disiplin dicatat."), "success")
            return redirect(url_for("tpp.penalties"))
    page = db.paginate(select(TppPenalty).options(joinedload(TppPenalty.employee))
                       .order_by(TppPenalty.first_month.desc(), TppPenalty.id.desc()), per_page=50)
    return render_template("tpp/penalties.html", form=form, page=page, months_after=months_after,
                           last_day=lambda first: first - timedelta(days=1))


@bp.route("/tpp/hukuman/<int:penalty_id>/hapus", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def delete_penalty(penalty_id: int):
    penalty = db.session.get(TppPenalty, penalty_id)
    if penalty is None:
        abort(404)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Sebutkan alasan menghapus."), "danger")
        return redirect(url_for("tpp.penalties"))
    try:
        services.delete_penalty(current_user, penalty, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Hukuman disiplin dihapus."), "success")
    return redirect(url_for("tpp.penalties"))
