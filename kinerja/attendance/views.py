"""The attendance page (check-in / check-out, today's status, the month's history), the review list of flags,
and selfies served only after a scoped load."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.attendance import bp, queries, selfie, services
from kinerja.attendance.access import can_review, load_flag, load_record_for_selfie
from kinerja.attendance.forms import CheckForm, DecisionForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import AttendanceKind, AttendanceRecord, WorkMode
from kinerja.roster.queries import scheduled_mode
from kinerja.settings import setting

SELFIE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


def chosen_month() -> date:
    try:
        return date.fromisoformat(f"{request.args.get('bulan', '')}-01")
    except ValueError:
        return clock.today().replace(day=1)


@bp.app_template_filter("attendance_time")
def attendance_time(record: AttendanceRecord) -> str:
    """'07.21 WIB': the time of record in the agency's time zone."""
    local = record.at.astimezone(queries.agency_zone(record.agency_id))
    return f"{local:%H.%M} {local.tzname()}"


def saved_message(record: AttendanceRecord) -> str:
    if record.kind is AttendanceKind.IN:
        return _("Presensi masuk tercatat pukul %(time)s.", time=attendance_time(record))
    if record.kind.is_session:
        return _("Presensi %(session)s tercatat pukul %(time)s.", session=record.kind.label.lower(),
                 time=attendance_time(record))
    return _("Presensi pulang tercatat pukul %(time)s.", time=attendance_time(record))


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    employee = current_user.employee
    if employee is None:
        abort(404)
    form = CheckForm()
    # The page's script sends the form with fetch, so a refused check-in keeps the chosen selfie on the page;
    # it gets JSON back. Without the script (no position either) the page is rendered again as before.
    by_script = request.headers.get("X-Requested-With") == "fetch"
    offer_modes = False
    if form.validate_on_submit():
        try:
            record = services.check(current_user, form.to_input(request.user_agent.string or ""))
        except DomainError as error:
            offer_modes = offers_other_modes(form, error)
            if by_script:
                db.session.rollback()
                return jsonify(ok=False, message=error.message, field=error.field, offer_modes=offer_modes), 422
            show_error(form, error, fields=("assignment_letter", "selfie"))
        else:
            flash(saved_message(record), "success")
            if by_script:
                return jsonify(ok=True, redirect=url_for("attendance.index"))
            return redirect(url_for("attendance.index"))
    elif request.method == "POST":
        message = _("Presensi tidak dapat dikirim. Muat ulang halaman lalu coba lagi.")
        if by_script:
            return jsonify(ok=False, message=message, field=None, offer_modes=False), 400
        flash(message, "danger")
    today, status = queries.today_status(employee.id)
    form.kind.data = status.next_kind.value if status.next_kind else ""
    scheduled = scheduled_mode(employee.id, today)
    if status.check_in is not None and request.method == "GET":
        form.mode.data = status.check_in.mode.value
        form.assignment_letter.data = status.check_in.assignment_letter
    elif scheduled is not None and request.method == "GET":
        form.mode.data = scheduled.value
    month = chosen_month()
    history = queries.month_history(employee.id, month, request.args.get("page", 1, type=int), setting("PER_PAGE"))
    return render_template("attendance/index.html", form=form, status=status, history=history, month=month,
                           today=today, scheduled=scheduled, max_accuracy=setting("ATTENDANCE_MAX_ACCURACY_M"),
                           offer_modes=offer_modes)


def offers_other_modes(form: CheckForm, error: DomainError) -> bool:
    """A check-in (or check-out) at the office refused for the position: the page offers WFH or DL instead."""
    return (error.field == "mode" and form.mode.data == WorkMode.WFO.value
            and form.kind.data in (AttendanceKind.IN.value, AttendanceKind.OUT.value))


@bp.route("/tinjauan")
@login_required
def review():
    if not can_review(current_user):
        abort(403)
    page = queries.open_flags(current_user, request.args.get("page", 1, type=int), setting("PER_PAGE"))
    return render_template("attendance/review.html", page=page, form=DecisionForm(formdata=None))


@bp.route("/tinjauan/<int:flag_id>", methods=["POST"])
@login_required
def decide(flag_id: int):
    flag = load_flag(current_user, flag_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.decide_flag(current_user, flag, form.decision.data == "confirm", form.note.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Keputusan atas tanda dicatat."), "success")
    return redirect(url_for("attendance.review", page=request.args.get("page", 1, type=int)))


@bp.route("/swafoto/<int:record_id>")
@login_required
def selfie_image(record_id: int):
    record = load_record_for_selfie(current_user, record_id)
    path = selfie.path_of(record.selfie_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=False)
    response.headers.update(SELFIE_HEADERS)
    return response
