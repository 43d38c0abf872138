"""Employees for BKD and agency admins: the list, an employee's history, transfers and retirement."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kinerja import clock
from kinerja.admin import bp, staffing
from kinerja.admin.staffing import EmployeeFilter, SeparationReason, TransferInput
from kinerja.admin.staffing_forms import BankAccountForm, RetireForm, TransferForm, int_or_none
from kinerja.core.assignments import assignment_history, assignment_on
from kinerja.core.forms import show_error
from kinerja.errors import DomainError
from kinerja.i18n import format_date
from kinerja.models import Employee, Role
from kinerja.permissions import GLOBAL_ROLES, is_global_admin, roles_required

ADMINS = (Role.AGENCY_ADMIN, *GLOBAL_ROLES)


def chosen_day(today: date) -> date:
    """?tanggal=YYYY-MM-DD: see the staff as they were (or will be) placed on that day; else today."""
    try:
        return date.fromisoformat(request.args.get("tanggal", ""))
    except ValueError:
        return today


def load_employee(employee_id: int, today: date) -> Employee:
    """An employee the user administers today (or on the chosen day), else 404."""
    employee = staffing.load_administered_employee(current_user, employee_id, today)
    if employee is None and chosen_day(today) != today:
        employee = staffing.load_administered_employee(current_user, employee_id, chosen_day(today))
    if employee is None:
        abort(404)
    return employee


@bp.route("/pegawai")
@roles_required(*ADMINS)
def employees():
    today = clock.today()
    day = chosen_day(today)
    filters = EmployeeFilter(
        search=request.args.get("q", "").strip()[:60],
        agency_id=request.args.get("opd", type=int),
        unit_id=request.args.get("unit", type=int),
        status=request.args.get("status", "aktif"),
        sort=request.args.get("urut", "nama"),
    )
    agencies = staffing.administered_agencies(current_user)
    if len(agencies) == 1:
        filters = EmployeeFilter(**{**filters.__dict__, "agency_id": agencies[0].id})
    rows = staffing.employees_page(current_user, day, filters, request.args.get("page", 1, type=int),
                                   current_app.config["PER_PAGE"])
    units = staffing.agency_units(filters.agency_id) if filters.agency_id else []
    return render_template("admin/employees.html", rows=rows, filters=filters, agencies=agencies, units=units,
                           day=day, today=today)


def target_agency_id(employee: Employee, today: date, form: TransferForm | None = None) -> int | None:
    """The agency the transfer form is for: the one posted, chosen (?opd=), or the employee's current one."""
    allowed = {agency.id for agency in staffing.administered_agencies(current_user)}
    for candidate in (form.agency_id.data if form else None, request.args.get("opd")):
        value = int_or_none(candidate)
        if value in allowed:
            return value
    placement = staffing.latest_assignment(employee.id)
    if placement is not None and placement.agency_id in allowed:
        return placement.agency_id
    return min(allowed) if allowed else None


def render_detail(employee: Employee, today: date, transfer_form: TransferForm | None = None,
                  retire_form: RetireForm | None = None, bank_form: BankAccountForm | None = None):
    placement = staffing.latest_assignment(employee.id)
    agency_id = target_agency_id(employee, today, transfer_form)
    if transfer_form is None:
        transfer_form = TransferForm(formdata=None, agency_id=agency_id, effective_date=today,
                                     unit_id=placement.unit_id if placement else None,
                                     position_id=placement.position_id if placement else None,
                                     appraiser_number=placement.appraiser.id_number
                                     if placement and placement.appraiser else "")
    transfer_form.agency_id.data = agency_id
    transfer_form.set_choices(staffing.agency_units(agency_id) if agency_id else [], staffing.positions())
    return render_template(
        "admin/employee.html",
        employee=employee,
        assignment=assignment_on(employee.id, today, details=True),
        placement=placement,
        history=assignment_history(employee.id),
        subordinates=staffing.subordinates_from(employee.id, today),
        agencies=staffing.administered_agencies(current_user),
        target_agency_id=agency_id,
        transfer_form=transfer_form,
        retire_form=retire_form or RetireForm(formdata=None, retire_date=today),
        bank_form=bank_form or BankAccountForm(formdata=None, bank_name=employee.bank_name,
                                               bank_account=employee.bank_account),
        account=staffing.account_of(employee),
        today=today,
        global_admin=is_global_admin(current_user),
    )


@bp.route("/pegawai/<int:employee_id>")
@roles_required(*ADMINS)
def employee(employee_id: int):
    today = clock.today()
    return render_detail(load_employee(employee_id, today), today)


def warn_about_subordinates(subordinates: list[Employee]) -> None:
    if subordinates:
        names = ", ".join(person.full_name for person in subordinates[:10])
        more = len(subordinates) - 10
        flash(_("Pegawai ini masih menjadi pejabat penilai bagi: %(names)s%(more)s. Pindahkan mereka ke penilai "
                "baru bila perlu.", names=names, more=_(" dan %(n)d lainnya", n=more) if more > 0 else ""),
              "warning")


@bp.route("/pegawai/<int:employee_id>/mutasi", methods=["POST"])
@roles_required(*ADMINS)
def transfer(employee_id: int):
    today = clock.today()
    employee = load_employee(employee_id, today)
    form = TransferForm()
    agency_id = int_or_none(form.agency_id.data)  # the service refuses an agency the user may not place in
    form.set_choices(staffing.agency_units(agency_id) if agency_id else [], staffing.positions())
    if form.validate_on_submit():
        data = TransferInput(effective_date=form.effective_date.data, agency_id=agency_id,
                             unit_id=form.unit_id.data, position_id=form.position_id.data,
                             appraiser_number=form.appraiser_number.data or "",
                             decree_number=form.decree_number.data or "")
        try:
            result = staffing.transfer(current_user, employee, data, today)
        except DomainError as error:
            show_error(form, error)
        else:
            if result.reactivated:
                flash(_("Pegawai diaktifkan kembali mulai %(day)s.", day=format_date(data.effective_date)), "success")
            else:
                flash(_("Penugasan baru berlaku mulai %(day)s.", day=format_date(data.effective_date)), "success")
            warn_about_subordinates(result.subordinates)
            return redirect(url_for("admin.employee", employee_id=employee.id))
    return render_detail(employee, today, transfer_form=form)


@bp.route("/pegawai/<int:employee_id>/berhenti", methods=["POST"])
@roles_required(*ADMINS)
def retire(employee_id: int):
    today = clock.today()
    employee = load_employee(employee_id, today)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            subordinates = staffing.retire(current_user, employee, form.retire_date.data,
                                           SeparationReason(form.reason.data), form.retire_decree_number.data or "",
                                           today)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Pegawai dinonaktifkan mulai %(day)s; akunnya tidak dapat dipakai lagi. Riwayat dan laporan "
                    "bulan-bulan sebelumnya tetap tersedia.", day=format_date(form.retire_date.data)), "success")
            warn_about_subordinates(subordinates)
            return redirect(url_for("admin.employee", employee_id=employee.id))
    return render_detail(employee, today, retire_form=form)


@bp.route("/pegawai/<int:employee_id>/rekening", methods=["POST"])
@roles_required(*ADMINS)
def bank_account(employee_id: int):
    """Where the employee's TPP is paid: the bank and account number of the payroll file."""
    today = clock.today()
    employee = load_employee(employee_id, today)
    form = BankAccountForm()
    if form.validate_on_submit():
        try:
            changed = staffing.set_bank_account(current_user, employee, form.bank_name.data,
                                                form.bank_account.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Rekening bank disimpan.") if changed else _("Rekening bank tidak berubah."), "success")
            return redirect(url_for("admin.employee", employee_id=employee.id) + "#bank")
    return render_detail(employee, today, bank_form=form)
