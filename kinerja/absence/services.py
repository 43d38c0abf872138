"""Recording leave and backdating exceptions for the staff of an agency."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import normalize_identity
from kinerja.models import Agency, Assignment, BackdateGrant, Employee, Leave, LeaveKind, User


def agency_employee(agency: Agency, id_number: str, on: date) -> Employee:
    """The employee with this NIP/NIK currently assigned to the agency; refused otherwise."""
    employee = db.session.scalar(
        select(Employee)
        .join(Assignment, Assignment.employee_id == Employee.id)
        .where(Employee.id_number == normalize_identity(id_number), Assignment.agency_id == agency.id,
               Assignment.active_on(on))
    )
    if employee is None:
        raise ValidationFailed(_("Pegawai dengan NIP tersebut tidak ditemukan di OPD ini."), field="id_number")
    return employee


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(_("Tanggal selesai harus sama dengan atau setelah tanggal mulai."), field="end_date")
    if (end - start).days > 366 * 4:
        raise ValidationFailed(_("Rentang tanggal terlalu panjang."), field="end_date")


def record_leave(actor: User, agency: Agency, id_number: str, kind: LeaveKind, start: date, end: date,
                 document_number: str, today: date) -> Leave:
    """Record leave; overlapping leave of the same person is refused."""
    employee = agency_employee(agency, id_number, today)
    check_period(start, end)
    overlapping = db.session.scalar(
        select(Leave.id).where(Leave.employee_id == employee.id, Leave.start_date <= end, Leave.end_date >= start)
    )
    if overlapping is not None:
        raise ValidationFailed(_("Pegawai ini sudah memiliki cuti/izin pada rentang tanggal tersebut."),
                               field="start_date")
    leave = Leave(employee_id=employee.id, kind=kind, start_date=start, end_date=end,
                  document_number=document_number.strip(), recorded_by_id=actor.id)
    db.session.add(leave)
    db.session.commit()
    return leave


def delete_leave(leave: Leave) -> None:
    db.session.delete(leave)
    db.session.commit()


def grant_backdating(actor: User, agency: Agency, id_number: str, start: date, end: date, valid_until: date,
                     reason: str, today: date) -> BackdateGrant:
    """Let an employee file activities for older days until `valid_until`."""
    employee = agency_employee(agency, id_number, today)
    check_period(start, end)
    if end > today:
        raise ValidationFailed(_("Pengecualian hanya untuk hari yang sudah lewat."), field="end_date")
    if valid_until < today:
        raise ValidationFailed(_("Batas berlaku tidak boleh di masa lalu."), field="valid_until")
    if not reason.strip():
        raise ValidationFailed(_("Alasan wajib diisi."), field="reason")
    grant = BackdateGrant(employee_id=employee.id, date_from=start, date_to=end, valid_until=valid_until,
                          reason=reason.strip(), granted_by_id=actor.id)
    db.session.add(grant)
    db.session.commit()
    return grant
