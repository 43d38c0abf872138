"""Recording leave and backdating exceptions for the staff of an agency."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from kinerja import audit
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import normalize_identity
from kinerja.models import (
    ActingAssignment,
    ActingKind,
    Agency,
    Assignment,
    BackdateGrant,
    Employee,
    Leave,
    LeaveKind,
    User,
)


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
    db.session.flush()
    audit.record(actor, audit.Change("leave", leave.id, "record_leave", None, kind.value, agency.id,
                                     reason=f"{employee.full_name}: {start.isoformat()}–{end.isoformat()} "
                                            f"{leave.document_number}".strip()))
    finish()
    return leave


def delete_leave(actor: User, agency: Agency, leave: Leave) -> None:
    audit.record(actor, audit.Change("leave", leave.id, "delete_leave", leave.kind.value, None, agency.id,
                                     reason=f"{leave.start_date.isoformat()}–{leave.end_date.isoformat()}"))
    db.session.delete(leave)
    finish()


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
    db.session.flush()
    audit.record(actor, audit.Change("backdate_grant", grant.id, "grant_backdate", None, None, agency.id,
                                     reason=f"{employee.full_name}: {start.isoformat()}–{end.isoformat()}, "
                                            f"{grant.reason}"))
    finish()
    return grant


def assign_acting(actor: User, agency: Agency, acting_number: str, absent_number: str, kind: ActingKind,
                  start: date, end: date, decree_number: str, today: date) -> ActingAssignment:
    """Record that one employee stands in (Plh/Plt) for another, both of this agency, between two dates."""
    acting = agency_employee(agency, acting_number, today)
    try:
        absent = agency_employee(agency, absent_number, today)
    except ValidationFailed:
        raise ValidationFailed(_("Pejabat yang digantikan tidak ditemukan di OPD ini."),
                               field="absent_number") from None
    if acting.id == absent.id:
        raise ValidationFailed(_("Seseorang tidak dapat menjadi Plh/Plt bagi dirinya sendiri."), field="acting_number")
    check_period(start, end)
    if not decree_number.strip():
        raise ValidationFailed(_("Nomor surat perintah wajib diisi."), field="decree_number")
    overlapping = db.session.scalar(select(ActingAssignment.id).where(
        ActingAssignment.absent_id == absent.id, ActingAssignment.valid_from <= end,
        ActingAssignment.valid_to >= start))
    if overlapping is not None:
        raise ValidationFailed(_("Sudah ada Plh/Plt untuk pejabat ini pada rentang tanggal tersebut."),
                               field="start_date")
    record = ActingAssignment(kind=kind, acting_id=acting.id, absent_id=absent.id, valid_from=start, valid_to=end,
                              decree_number=decree_number.strip())
    db.session.add(record)
    db.session.flush()
    audit.record(actor, audit.Change("acting_assignment", record.id, "assign_acting", None, None, agency.id,
                                     reason=f"{kind.label} {acting.full_name} → {absent.full_name}, "
                                            f"{start.isoformat()}–{end.isoformat()}, {record.decree_number}"))
    finish()
    return record


def end_acting(actor: User, agency: Agency, record: ActingAssignment, today: date) -> None:
    """End an acting assignment early (yesterday becomes its last day), or drop one not yet started."""
    if record.valid_from >= today:
        db.session.delete(record)
        action = "delete_acting"
    else:
        record.valid_to = min(record.valid_to, today - timedelta(days=1))
        action = "end_acting"
    audit.record(actor, audit.Change("acting_assignment", record.id, action, None, None, agency.id))
    finish()
