"""Check-in, check-out and the review of their flags. Each action takes the acting user, ends with one commit,
and refuses with a DomainError naming the field; the server's clock is the time of record."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock
from kinerja.attendance import flags, hours, selfie, sessions
from kinerja.attendance.geo import nearest_office
from kinerja.core.assignments import assignment_on
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_number
from kinerja.models import (
    Assignment,
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    Employee,
    FlagStatus,
    Leave,
    LeaveKind,
    Office,
    User,
    WorkMode,
)
from kinerja.roster.queries import scheduled_mode
from kinerja.settings import setting
from kinerja.workcalendar import holidays_between, is_weekend

DEVICE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@dataclass
class CheckInput:
    """What the attendance page sends: the chosen mode, the phone's position claim and the selfie."""

    kind: AttendanceKind
    mode: WorkMode
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    selfie: object = None
    assignment_letter: str | None = None
    device_id: str = ""
    user_agent: str = ""


def record_of(employee_id: int, day: date, kind: AttendanceKind) -> AttendanceRecord | None:
    return db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.employee_id == employee_id, AttendanceRecord.day == day, AttendanceRecord.kind == kind))


def already_message(existing: AttendanceRecord | None, kind: AttendanceKind, tz_name: str) -> str:
    when = existing.at.astimezone(clock.zone(tz_name)).strftime("%H.%M") if existing else None
    if kind is AttendanceKind.IN:
        return _("Anda sudah presensi masuk hari ini pukul %(time)s.", time=when) if when else \
            _("Anda sudah presensi masuk hari ini.")
    if kind.is_session:
        return _("Anda sudah presensi %(session)s hari ini pukul %(time)s.", session=kind.label.lower(),
                 time=when) if when else _("Anda sudah presensi %(session)s hari ini.", session=kind.label.lower())
    return _("Anda sudah presensi pulang hari ini pukul %(time)s.", time=when) if when else \
        _("Anda sudah presensi pulang hari ini.")


def leave_on(employee_id: int, day: date) -> Leave | None:
    return db.session.scalar(select(Leave).where(
        Leave.employee_id == employee_id, Leave.start_date <= day, Leave.end_date >= day).limit(1))


def check_position(data: CheckInput) -> None:
    if data.latitude is None or data.longitude is None or data.accuracy_m is None:
        raise ValidationFailed(_("Lokasi belum diketahui. Izinkan akses lokasi di peramban lalu coba lagi."),
                               field="latitude")
    if not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180) or data.accuracy_m < 0:
        raise ValidationFailed(_("Lokasi yang dikirim tidak sah. Muat ulang halaman lalu coba lagi."),
                               field="latitude")
    limit = setting("ATTENDANCE_MAX_ACCURACY_M")
    if data.accuracy_m > limit:
        raise ValidationFailed(
            _("Akurasi lokasi ±%(accuracy)s m, sedangkan yang diterima paling buruk %(limit)s m. Aktifkan GPS "
              "(mode akurasi tinggi), pindah ke luar ruangan atau dekat jendela, lalu coba lagi.",
              accuracy=format_number(data.accuracy_m, 0), limit=limit),
            field="accuracy",
        )


def check_session(employee: Employee, local: datetime, data: CheckInput, work_week: int) -> None:
    """A session between check-in and check-out: held today, open now, required for the day's work mode, after
    today's check-in and before its check-out. It takes the check-in's mode and surat tugas."""
    day = local.date()
    session = sessions.session_of(data.kind, day)
    if session is None or is_weekend(day, work_week) or day in holidays_between(day, day):
        raise ValidationFailed(_("Tidak ada sesi %(session)s hari ini.", session=data.kind.label.lower()),
                               field="kind")
    check_in = record_of(employee.id, day, AttendanceKind.IN)
    if check_in is None:
        raise ValidationFailed(_("Presensi %(session)s memerlukan presensi masuk hari ini.",
                                 session=data.kind.label.lower()), field="kind")
    if record_of(employee.id, day, AttendanceKind.OUT) is not None:
        raise ValidationFailed(_("Anda sudah presensi pulang hari ini; sesi %(session)s tidak dapat dicatat lagi.",
                                 session=data.kind.label.lower()), field="kind")
    if not session.required_of(check_in.mode):
        raise ValidationFailed(_("Sesi %(session)s tidak diwajibkan untuk %(mode)s.",
                                 session=data.kind.label.lower(), mode=check_in.mode.value), field="kind")
    if not session.opens <= local.time().replace(tzinfo=None) <= session.closes:
        raise ValidationFailed(_("Presensi %(session)s hanya dibuka pukul %(window)s.",
                                 session=data.kind.label.lower(), window=sessions.window_label(session)),
                               field="kind")
    data.mode, data.assignment_letter = check_in.mode, check_in.assignment_letter


def check_day(employee: Employee, day: date, data: CheckInput, tz_name: str) -> None:
    """Rules of the day: leave, for check-out an earlier check-in, and the published roster's WFO day."""
    leave = leave_on(employee.id, day)
    if leave is not None and not (leave.kind is LeaveKind.DINAS_LUAR and data.mode is WorkMode.DL):
        raise ValidationFailed(
            _("Anda tercatat %(kind)s hari ini; presensi tidak diperlukan. Jika keliru, hubungi admin OPD.",
              kind=leave.kind.label.lower()), field="mode")
    if data.kind is AttendanceKind.OUT and record_of(employee.id, day, AttendanceKind.IN) is None:
        raise ValidationFailed(_("Presensi pulang memerlukan presensi masuk hari ini."), field="kind")
    existing = record_of(employee.id, day, data.kind)
    if existing is not None:
        raise Conflict(already_message(existing, data.kind, tz_name))
    if data.kind is AttendanceKind.IN and data.mode is WorkMode.WFH and \
            scheduled_mode(employee.id, day) is WorkMode.WFO:
        raise ValidationFailed(
            _("Jadwal Anda hari ini WFO: presensi harus dari kantor, di dalam radius kantor. Jika Anda dinas luar, "
              "pilih DL dan isi nomor surat tugas."), field="mode")


def place(record: AttendanceRecord, data: CheckInput, offices: list[Office]) -> None:
    """Nearest office and distance; an office (WFO) check-in must fall within an office's radius."""
    nearest = nearest_office(data.latitude, data.longitude, offices)
    if nearest is not None:
        record.office_id = nearest.office.id
        record.distance_m = round(nearest.distance_m, 1)
        record.within_radius = nearest.within_radius
    if data.mode is not WorkMode.WFO:
        return
    if nearest is None:
        raise ValidationFailed(_("OPD Anda belum memiliki data kantor untuk presensi WFO. Hubungi admin OPD."),
                               field="mode")
    if not nearest.within_radius:
        raise ValidationFailed(
            _("Anda berada %(distance)s m dari kantor terdekat (%(office)s, radius %(radius)s m). Presensi WFO "
              "hanya dapat dilakukan di dalam radius kantor.",
              distance=format_number(nearest.distance_m, 0), office=nearest.office.name,
              radius=nearest.office.radius_m),
            field="mode",
        )


def build_record(employee: Employee, assignment: Assignment, data: CheckInput, local: datetime) -> AttendanceRecord:
    day = local.date()
    letter = (data.assignment_letter or "").strip()
    if data.mode is WorkMode.DL and not letter:
        raise ValidationFailed(_("Dinas luar memerlukan nomor surat tugas."), field="assignment_letter")
    work_week = assignment.agency.work_week
    record = AttendanceRecord(
        employee_id=employee.id, agency_id=assignment.agency_id, day=day, kind=data.kind,
        at=local.astimezone(UTC), mode=data.mode, latitude=data.latitude, longitude=data.longitude,
        accuracy_m=data.accuracy_m, assignment_letter=letter[:80] if data.mode is WorkMode.DL else None,
        device_id=data.device_id if DEVICE_ID.match(data.device_id or "") else "",
        user_agent_hash=hashlib.sha256((data.user_agent or "").encode()).hexdigest(),
        off_day=is_weekend(day, work_week) or day in holidays_between(day, day),
        late_minutes=0, early_minutes=0, within_radius=False,
    )
    if not record.off_day:
        record.late_minutes, record.early_minutes = hours.lateness(
            data.kind, data.mode, local, hours.working_hours(day, work_week))
    place(record, data, assignment.agency.offices)
    return record


def check(actor: User, data: CheckInput) -> AttendanceRecord:
    """Record the acting user's check-in or check-out now, with its flags; refuse what breaks a rule."""
    employee = actor.employee
    if employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    assignment = assignment_on(employee.id, clock.today())
    if assignment is None:
        raise ValidationFailed(_("Anda tidak memiliki penugasan aktif hari ini."), field="mode")
    tz_name = assignment.agency.timezone
    local = clock.now(tz_name)
    check_position(data)
    if data.kind.is_session:
        check_session(employee, local, data, assignment.agency.work_week)
    check_day(employee, local.date(), data, tz_name)
    record = build_record(employee, assignment, data, local)
    photo = selfie.prepare(data.selfie)
    record.selfie_hash = photo.phash
    name, path = selfie.write(photo)
    record.selfie_name = name
    try:
        db.session.add(record)
        db.session.flush()
        record.flags.extend(flags.evaluate(record))
        finish()
    except IntegrityError:
        # A concurrent request of the same person recorded this check-in first: that one stands.
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise Conflict(already_message(record_of(employee.id, local.date(), data.kind), data.kind,
                                       tz_name)) from None
    except BaseException:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    return record


def check_in(actor: User, data: CheckInput) -> AttendanceRecord:
    data.kind = AttendanceKind.IN
    return check(actor, data)


def check_out(actor: User, data: CheckInput) -> AttendanceRecord:
    data.kind = AttendanceKind.OUT
    return check(actor, data)


def decide_flag(actor: User, flag: AttendanceFlag, confirm: bool, note: str) -> None:
    """Clear (a plausible explanation) or confirm (a violation) an open flag; the first decision stands."""
    note = (note or "").strip()
    if confirm and not note:
        raise ValidationFailed(_("Tuliskan catatan alasan konfirmasi pelanggaran."), field="note")
    status = FlagStatus.CONFIRMED if confirm else FlagStatus.CLEARED
    result = db.session.execute(
        update(AttendanceFlag).where(AttendanceFlag.id == flag.id, AttendanceFlag.status == FlagStatus.OPEN)
        .values(status=status, decided_by_id=actor.id, decided_at=clock.utcnow(), note=note[:500] or None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("Tanda ini sudah diputuskan peninjau lain."))
    audit.record(actor, audit.Change("attendance_flag", flag.id, f"{status.value}_flag", FlagStatus.OPEN.value,
                                     status.value, flag.record.agency_id, reason=note or None))
    finish()
    db.session.refresh(flag)
