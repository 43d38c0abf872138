"""Attendance corrections: staff ask (/presensi/koreksi), deciders answer (/presensi/koreksi/masuk)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.attendance import bp
from kinerja.attendance import corrections as services
from kinerja.attendance.correction_forms import CorrectionForm, DecisionForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import AttendanceCorrection, CorrectionKind, CorrectionStatus


@bp.route("/koreksi", methods=["GET", "POST"])
@login_required
def corrections():
    if current_user.employee_id is None:
        abort(404)
    today = clock.today()
    form = CorrectionForm()
    if request.method == "GET":
        form.day.data = today
    if form.validate_on_submit():
        data = services.CorrectionInput(day=form.day.data, kind=CorrectionKind(form.kind.data),
                                        check_in=form.check_in.data, check_out=form.check_out.data,
                                        reason=form.reason.data or "", evidence=form.evidence.data or "")
        try:
            services.request_correction(current_user, data, today)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Koreksi presensi diajukan; atasan Anda akan memutuskannya."), "success")
            return redirect(url_for("attendance.corrections"))
    page = db.paginate(select(AttendanceCorrection).where(AttendanceCorrection.employee_id == current_user.employee_id)
                       .order_by(AttendanceCorrection.day.desc(), AttendanceCorrection.id.desc()), per_page=25)
    return render_template("attendance/corrections.html", form=form, page=page,
                           deadline=services.setting("CORRECTION_WORKING_DAYS"))


@bp.route("/koreksi/masuk")
@login_required
def correction_inbox():
    status = request.args.get("status", CorrectionStatus.PENDING.value)
    if status not in {item.value for item in CorrectionStatus}:
        status = CorrectionStatus.PENDING.value
    query = services.decidable(current_user).where(AttendanceCorrection.status == status).options(
        joinedload(AttendanceCorrection.employee))
    order = (AttendanceCorrection.day, AttendanceCorrection.id) if status == CorrectionStatus.PENDING else (
        AttendanceCorrection.decided_at.desc(), AttendanceCorrection.id.desc())
    page = db.paginate(query.order_by(*order), per_page=25)
    return render_template("attendance/correction_inbox.html", page=page, status=status,
                           statuses=list(CorrectionStatus), form=DecisionForm(formdata=None))


@bp.route("/koreksi/<int:correction_id>/putuskan", methods=["POST"])
@login_required
def decide_correction(correction_id: int):
    correction = services.load_decidable(current_user, correction_id)
    if correction is None:
        abort(404)
    form = DecisionForm()
    back = redirect(url_for("attendance.correction_inbox"))
    if not form.validate_on_submit():
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
        return back
    approve = request.form.get("decision") == "approve"
    try:
        services.decide(current_user, correction, approve, form.reason.data or "", clock.today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Koreksi disetujui.") if approve else _("Koreksi ditolak."), "success")
    return back


@bp.route("/koreksi/<int:correction_id>/tarik", methods=["POST"])
@login_required
def withdraw_correction(correction_id: int):
    """The employee takes back their own request while it waits for a decision."""
    correction = services.load_own(current_user, correction_id)
    if correction is None:
        abort(404)
    if not DecisionForm().validate_on_submit():
        flash(_("Formulir kedaluwarsa. Muat ulang halaman dan coba lagi."), "danger")
    else:
        try:
            services.withdraw_correction(current_user, correction)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(_("Koreksi presensi ditarik."), "success")
    return redirect(url_for("attendance.corrections"))
