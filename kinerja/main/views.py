"""Home pages by role, profile, and the scoped employee and agency pages."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from kinerja import clock
from kinerja.auth.services import safe_next_url
from kinerja.core.assignments import assignment_history, assignment_on
from kinerja.extensions import db
from kinerja.main import bp, services
from kinerja.main.forms import LanguageForm
from kinerja.main.today import today_card
from kinerja.permissions import (
    GLOBAL_ROLES,
    admin_agency_ids,
    is_appraiser,
    is_global_admin,
    load_agency,
    load_employee,
    roles_required,
)


@bp.route("/")
@login_required
def home():
    today = clock.today()
    user = current_user
    context = {"today": today}
    if user.employee_id is not None:
        context["assignment"] = assignment_on(user.employee_id, today, details=True)
        context["acting"] = services.acting_roles(user.employee_id, today)
        # whether there are any is known already (the user's standing, loaded with the account)
        context["team"] = (services.first_subordinates(user.employee_id, today, current_app.config["PER_PAGE"])
                           if is_appraiser(user, today) else None)
        context["card"] = today_card(user.employee_id)
    agency_ids = admin_agency_ids(user)
    if agency_ids:
        context["admin_agencies"] = [
            (row, services.unit_staff_counts(row.agency.id, today))
            for row in services.agency_staff_counts(today, agency_ids)
        ]
    if is_global_admin(user):
        context["regency_agencies"] = services.agency_staff_counts(today)
    return render_template("main/home.html", **context)


@bp.route("/profil")
@login_required
def profile():
    employee = current_user.employee
    history = assignment_history(employee.id) if employee else []
    assignment = assignment_on(employee.id, clock.today(), details=True) if employee else None
    return render_template("main/profile.html", employee=employee, history=history, assignment=assignment)


@bp.route("/pegawai/<int:employee_id>")
@login_required
def employee_detail(employee_id: int):
    employee = load_employee(current_user, employee_id)
    return render_template(
        "main/employee.html",
        employee=employee,
        history=assignment_history(employee.id),
        assignment=assignment_on(employee.id, clock.today(), details=True),
    )


@bp.route("/opd")
@roles_required(*GLOBAL_ROLES)
def agencies():
    search = request.args.get("q", "").strip()[:60]
    page = request.args.get("page", 1, type=int)
    rows = services.agencies_page(clock.today(), page, current_app.config["PER_PAGE"], search)
    return render_template("main/agencies.html", rows=rows, search=search)


@bp.route("/opd/<int:agency_id>")
@login_required
def agency_detail(agency_id: int):
    agency = load_agency(current_user, agency_id)
    today = clock.today(agency.timezone)
    search = request.args.get("q", "").strip()[:60]
    page = request.args.get("page", 1, type=int)
    staff = services.employees_page(agency.id, today, page, current_app.config["PER_PAGE"], search)
    return render_template(
        "main/agency.html",
        agency=agency,
        units=services.unit_staff_counts(agency.id, today),
        staff=staff,
        search=search,
    )


@bp.route("/bahasa", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_next_url(form.next.data) or url_for("main.home"))
