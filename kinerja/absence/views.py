"""Leave and backdating-exception pages of an agency, for its admins and BKD."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.absence import bp, services
from kinerja.absence.forms import ActingForm, BackdateGrantForm, LeaveForm
from kinerja.activities.forms import ActionForm
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.models import ActingAssignment, ActingKind, Assignment, BackdateGrant, Leave, LeaveKind
from kinerja.permissions import load_agency


def in_agency(agency_id: int):
    """Leave and grants of people currently assigned to the agency."""
    return select(Assignment.employee_id).where(Assignment.agency_id == agency_id,
                                                Assignment.active_on(clock.today()))


@bp.route("/cuti", methods=["GET", "POST"])
@login_required
def leave(agency_id: int):
    agency = load_agency(current_user, agency_id)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            services.record_leave(current_user, agency, form.id_number.data, LeaveKind(form.kind.data),
                                  form.start_date.data, form.end_date.data, form.document_number.data or "",
                                  clock.today(agency.timezone))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Cuti/izin dicatat."), "success")
            return redirect(url_for("absence.leave", agency_id=agency.id))
    query = (select(Leave).where(Leave.employee_id.in_(in_agency(agency.id)))
             .options(joinedload(Leave.employee)).order_by(Leave.start_date.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("absence/leave.html", agency=agency, form=form, page=page, action_form=ActionForm())


@bp.route("/cuti/<int:leave_id>/hapus", methods=["POST"])
@login_required
def delete_leave(agency_id: int, leave_id: int):
    agency = load_agency(current_user, agency_id)
    record = db.session.scalar(select(Leave).where(Leave.id == leave_id,
                                                   Leave.employee_id.in_(in_agency(agency.id))))
    if record is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_leave(current_user, agency, record)
    flash(_("Catatan cuti/izin dihapus."), "success")
    return redirect(url_for("absence.leave", agency_id=agency.id))


@bp.route("/pengecualian", methods=["GET", "POST"])
@login_required
def grants(agency_id: int):
    agency = load_agency(current_user, agency_id)
    form = BackdateGrantForm()
    if form.validate_on_submit():
        try:
            services.grant_backdating(current_user, agency, form.id_number.data, form.start_date.data,
                                      form.end_date.data, form.valid_until.data, form.reason.data,
                                      clock.today(agency.timezone))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Pengecualian batas pengisian diberikan."), "success")
            return redirect(url_for("absence.grants", agency_id=agency.id))
    query = (select(BackdateGrant).where(BackdateGrant.employee_id.in_(in_agency(agency.id)))
             .options(joinedload(BackdateGrant.employee)).order_by(BackdateGrant.created_at.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("absence/grants.html", agency=agency, form=form, page=page)


@bp.route("/plh", methods=["GET", "POST"])
@login_required
def acting(agency_id: int):
    """Acting appraisers (Plh/Plt) of the agency: who stands in for whom, when, under which decree."""
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    form = ActingForm()
    if form.validate_on_submit():
        try:
            services.assign_acting(current_user, agency, form.acting_number.data, form.absent_number.data,
                                   ActingKind(form.kind.data), form.start_date.data, form.end_date.data,
                                   form.decree_number.data, today)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Penugasan Plh/Plt dicatat."), "success")
            return redirect(url_for("absence.acting", agency_id=agency.id))
    query = (select(ActingAssignment).where(ActingAssignment.absent_id.in_(in_agency(agency.id)))
             .options(joinedload(ActingAssignment.acting), joinedload(ActingAssignment.absent))
             .order_by(ActingAssignment.valid_to.desc()))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("absence/acting.html", agency=agency, form=form, page=page, today=today,
                           action_form=ActionForm())


@bp.route("/plh/<int:acting_id>/akhiri", methods=["POST"])
@login_required
def end_acting(agency_id: int, acting_id: int):
    agency = load_agency(current_user, agency_id)
    record = db.session.scalar(select(ActingAssignment).where(
        ActingAssignment.id == acting_id, ActingAssignment.absent_id.in_(in_agency(agency.id))))
    if record is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.end_acting(current_user, agency, record, clock.today(agency.timezone))
    flash(_("Penugasan Plh/Plt diakhiri."), "success")
    return redirect(url_for("absence.acting", agency_id=agency.id))
