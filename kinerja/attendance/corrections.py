"""Attendance corrections: staff forgot to check in or out, a phone or the network failed, or they were in the
field. They ask within CORRECTION_WORKING_DAYS working days with a reason (and, for field duty, the letter);
their appraiser, the Plh/Plt standing in, the head or an admin of their agency approves or rejects it with a
reason. An approved correction counts for TPP as the day the employee described (kinerja/tpp/month.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, select, update

from kinerja import audit, clock, notify
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.core.periods import month_closed
from kinerja.database import finish, retry_on_deadlock
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import (
    ActingAssignment,
    Agency,
    AttendanceCorrection,
    CorrectionKind,
    CorrectionStatus,
    Employee,
    User,
)
from kinerja.permissions import BOUND_SCOPE, ScopeShape, employee_scope, scope_condition, scope_of
from kinerja.settings import setting
from kinerja.workcalendar import earliest_backdate, holidays_between, is_weekend

# A request rejected or withdrawn leaves its day free for a new one.
CLOSED_WITHOUT_EFFECT = (CorrectionStatus.REJECTED, CorrectionStatus.WITHDRAWN)


@dataclass(frozen=True)
class CorrectionInput:
    day: date
    kind: CorrectionKind
    check_in: time | None = None
    check_out: time | None = None
    reason: str = ""
    evidence: str = ""


def earliest_day(today: date, work_week: int) -> date:
    return earliest_backdate(today, setting("CORRECTION_WORKING_DAYS"), work_week)


def check_request(data: CorrectionInput, agency: Agency, today: date) -> None:
    if data.day > today:
        raise ValidationFailed(_("Koreksi hanya untuk hari yang sudah berlalu atau hari ini."), field="day")
    earliest = earliest_day(today, agency.work_week)
    if data.day < earliest:
        raise ValidationFailed(_("Batas pengajuan koreksi sudah lewat: paling awal %(day)s (%(n)s hari kerja).",
                                 day=format_date(earliest), n=setting("CORRECTION_WORKING_DAYS")), field="day")
    if is_weekend(data.day, agency.work_week) or data.day in holidays_between(data.day, data.day):
        raise ValidationFailed(_("%(day)s bukan hari kerja.", day=format_date(data.day)), field="day")
    if month_closed(agency.id, data.day, today):
        raise ValidationFailed(_("Bulan %(month)s sudah ditutup.", month=format_date(data.day, "MMMM y")),
                               field="day")
    if not data.reason.strip():
        raise ValidationFailed(_("Tuliskan alasannya."), field="reason")
    if data.kind is CorrectionKind.FORGOT_IN and data.check_in is None:
        raise ValidationFailed(_("Isi jam Anda sebenarnya masuk."), field="check_in")
    if data.kind is CorrectionKind.FORGOT_OUT and data.check_out is None:
        raise ValidationFailed(_("Isi jam Anda sebenarnya pulang."), field="check_out")
    if data.kind is CorrectionKind.DEVICE and data.check_in is None and data.check_out is None:
        raise ValidationFailed(_("Isi jam masuk, jam pulang, atau keduanya."), field="check_in")
    if data.kind is CorrectionKind.FIELD_DUTY and not data.evidence.strip():
        raise ValidationFailed(_("Sebutkan nomor surat tugas atau tautan buktinya."), field="evidence")
    if data.check_in and data.check_out and data.check_out <= data.check_in:
        raise ValidationFailed(_("Jam pulang harus sesudah jam masuk."), field="check_out")


def request_correction(actor: User, data: CorrectionInput, today: date) -> AttendanceCorrection:
    """The employee's own request; one open or approved request per day."""
    if actor.employee_id is None:
        raise NotAllowed(_("Hanya pegawai yang dapat mengajukan koreksi presensi."))
    assignment = assignment_on(actor.employee_id, data.day, details=True)
    if assignment is None:
        raise ValidationFailed(_("Anda tidak bertugas pada %(day)s.", day=format_date(data.day)), field="day")
    check_request(data, assignment.agency, today)
    lock_employee(actor.employee_id)
    taken = db.session.scalar(select(AttendanceCorrection.status).where(
        AttendanceCorrection.employee_id == actor.employee_id, AttendanceCorrection.day == data.day,
        AttendanceCorrection.status.not_in(CLOSED_WITHOUT_EFFECT)).limit(1))
    if taken is not None:
        raise Conflict(_("Sudah ada koreksi %(status)s untuk %(day)s.", status=taken.label.lower(),
                         day=format_date(data.day)), field="day")
    correction = AttendanceCorrection(
        employee_id=actor.employee_id, agency_id=assignment.agency_id, day=data.day, kind=data.kind,
        check_in=data.check_in if data.kind is not CorrectionKind.FIELD_DUTY else None,
        check_out=data.check_out if data.kind is not CorrectionKind.FIELD_DUTY else None,
        reason=data.reason.strip()[:1000], evidence=data.evidence.strip()[:500])
    db.session.add(correction)
    db.session.flush()
    audit.record(actor, audit.Change("attendance_correction", correction.id, "request_correction", None,
                                     CorrectionStatus.PENDING.value, agency_id=assignment.agency_id,
                                     reason=f"{data.day} {data.kind.value}: {correction.reason}"))
    deciders = decider_accounts(assignment.appraiser_id, today)
    notify.send(notify.Notice(user_id, "correction_requested", {
        "name": assignment.employee.full_name, "day": format_date(data.day)}, link="/presensi/koreksi/masuk")
        for user_id in deciders)
    finish()
    return correction


def own_corrections(user: User) -> Select:
    """The user's own requests (none for an account without an employee)."""
    return select(AttendanceCorrection).where(AttendanceCorrection.employee_id == user.employee_id,
                                              AttendanceCorrection.employee_id.is_not(None))


def load_own(user: User, correction_id: int) -> AttendanceCorrection | None:
    return db.session.scalar(own_corrections(user).where(AttendanceCorrection.id == correction_id))


def withdraw_correction(actor: User, correction: AttendanceCorrection) -> None:
    """The employee takes back their own request while it still waits for a decision; audited. A decision made
    in the same instant wins: the withdrawal then answers that it was decided."""
    if actor.employee_id is None or correction.employee_id != actor.employee_id:
        raise NotAllowed(_("Hanya pengaju yang dapat menarik koreksinya."))
    changed = db.session.execute(
        update(AttendanceCorrection)
        .where(AttendanceCorrection.id == correction.id, AttendanceCorrection.status == CorrectionStatus.PENDING)
        .values(status=CorrectionStatus.WITHDRAWN).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(correction)
    if not changed and correction.status is CorrectionStatus.WITHDRAWN:
        raise Conflict(_("Koreksi ini sudah ditarik."))
    if not changed:
        raise Conflict(_("Koreksi ini sudah diputuskan (%(status)s).", status=correction.status.label.lower()))
    audit.record(actor, audit.Change("attendance_correction", correction.id, "withdraw_correction",
                                     CorrectionStatus.PENDING.value, CorrectionStatus.WITHDRAWN.value,
                                     agency_id=correction.agency_id))
    finish()


def decider_accounts(appraiser_id: int | None, today: date) -> list[int]:
    """The accounts told of a new request: the appraiser's, or the Plh/Plt's standing in today."""
    if appraiser_id is None:
        return []
    acting = db.session.scalar(select(ActingAssignment.acting_id).where(
        ActingAssignment.absent_id == appraiser_id, ActingAssignment.active_on(today)).limit(1))
    return list(db.session.scalars(select(User.id).where(User.employee_id == (acting or appraiser_id),
                                                          User.is_enabled.is_(True))))


def restrict_to_decider(query: Select, scope: ColumnElement[bool], own) -> Select:
    """Requests of the employees in `scope`, never the decider's own (`own`: their employee id, or None)."""
    query = query.join(Employee, Employee.id == AttendanceCorrection.employee_id).where(scope)
    return query.where(AttendanceCorrection.employee_id != own) if own is not None else query


def decidable(user: User) -> Select:
    """Requests the user may decide: of the employees in their scope (subordinates, also through a Plh/Plt;
    their agency as its admin or head; everyone for BKD), never their own."""
    return restrict_to_decider(select(AttendanceCorrection), employee_scope(user), user.employee_id)


@cache
def pending_count_statement(shape: ScopeShape, has_own: bool) -> Select:
    """Built once per shape with bound parameters: the inbox shows the count on every view, and composing the
    scope's subqueries cost more than running them."""
    waiting = (select(func.count()).select_from(AttendanceCorrection)
               .where(AttendanceCorrection.status == CorrectionStatus.PENDING))
    return restrict_to_decider(waiting, scope_condition(shape, **BOUND_SCOPE),
                               bindparam("own", type_=Integer) if has_own else None)


def pending_count(user: User) -> int:
    """How many of the requests `decidable` gives wait for a decision."""
    shape, values = scope_of(user)
    statement = pending_count_statement(shape, user.employee_id is not None)
    return db.session.scalar(statement, {**values, "own": user.employee_id}) or 0


def load_decidable(user: User, correction_id: int) -> AttendanceCorrection | None:
    return db.session.scalar(decidable(user).where(AttendanceCorrection.id == correction_id))


@retry_on_deadlock
def decide(actor: User, correction: AttendanceCorrection, approve: bool, reason: str, today: date) -> None:
    """Approve or reject a pending request; exactly one decision stands when two deciders answer at once."""
    if correction.status is not CorrectionStatus.PENDING:
        raise Conflict(_("Koreksi ini sudah diputuskan (%(status)s).", status=correction.status.label.lower()))
    if not approve and not reason.strip():
        raise ValidationFailed(_("Tuliskan alasan penolakan."), field="reason")
    if approve and month_closed(correction.agency_id, correction.day, today, "REVIEW_LOCK_DAY"):
        raise ValidationFailed(_("Bulan %(month)s sudah ditutup.", month=format_date(correction.day, "MMMM y")))
    before = correction.status
    changed = db.session.execute(
        update(AttendanceCorrection)
        .where(AttendanceCorrection.id == correction.id, AttendanceCorrection.status == CorrectionStatus.PENDING)
        .values(status=CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED, decided_by_id=actor.id,
                decided_at=clock.utcnow(), decision_reason=reason.strip()[:500])
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(correction)
    if not changed:  # decided (or withdrawn) by someone else a moment ago: that stands
        db.session.rollback()
        raise Conflict(_("Koreksi ini sudah diputuskan (%(status)s).", status=correction.status.label.lower()))
    audit.record(actor, audit.Change("attendance_correction", correction.id,
                                     "approve_correction" if approve else "reject_correction", before.value,
                                     correction.status.value, agency_id=correction.agency_id,
                                     reason=correction.decision_reason or None))
    owner = db.session.scalar(select(User.id).where(User.employee_id == correction.employee_id))
    if owner is not None:
        notify.send([notify.Notice(owner, "correction_approved" if approve else "correction_rejected",
                                   {"day": format_date(correction.day), "reason": correction.decision_reason},
                                   link="/presensi/koreksi")])
    finish()


def approved_between(scope, first: date, last: date) -> dict[int, dict[date, AttendanceCorrection]]:
    """Approved corrections of the employees in `scope` (a select of ids) between the dates, per employee and day."""
    found: dict[int, dict[date, AttendanceCorrection]] = {}
    for correction in db.session.scalars(select(AttendanceCorrection).where(and_(
            AttendanceCorrection.employee_id.in_(scope), AttendanceCorrection.day.between(first, last),
            AttendanceCorrection.status == CorrectionStatus.APPROVED))):
        found.setdefault(correction.employee_id, {})[correction.day] = correction
    return found
