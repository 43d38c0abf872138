"""BKD's check-in sessions (/presensi/sesi): apel pagi and the check-ins before and after the break."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kinerja import clock
from kinerja.attendance import bp
from kinerja.attendance import sessions as session_rules
from kinerja.attendance.session_forms import SessionForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import AttendanceSession
from kinerja.permissions import GLOBAL_ROLES, roles_required


def load_session(session_id: int) -> AttendanceSession:
    session = db.session.get(AttendanceSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/sesi", methods=["GET", "POST"])
@bp.route("/sesi/<int:session_id>", methods=["GET", "POST"])
@roles_required(*GLOBAL_ROLES)
def sessions(session_id: int | None = None):
    current = load_session(session_id) if session_id is not None else None
    today = clock.today()
    form = SessionForm()
    if request.method == "GET":
        if current is not None:
            form.fill(current)
        else:
            form.weekdays.data = list("12345")
            form.wfo.data = True
    if form.validate_on_submit():
        try:
            session_rules.save_session(current_user, form.to_input(), today, current, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Sesi presensi disimpan."), "success")
            return redirect(url_for("attendance.sessions"))
    elif request.method == "POST":
        flash(_("Periksa isian yang ditandai."), "danger")
    listed = list(db.session.scalars(select(AttendanceSession).order_by(
        AttendanceSession.valid_from.desc(), AttendanceSession.opens)))
    return render_template("attendance/sessions.html", form=form, current=current, listed=listed, today=today,
                           rules=session_rules)


@bp.route("/sesi/<int:session_id>/hapus", methods=["POST"])
@roles_required(*GLOBAL_ROLES)
def delete_session(session_id: int):
    session = load_session(session_id)  # the form's CSRF token is checked app-wide (CSRFProtect)
    try:
        session_rules.delete_session(current_user, session, clock.today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Sesi presensi dihapus."), "success")
    return redirect(url_for("attendance.sessions"))
