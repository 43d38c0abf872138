"""Check-in sessions between check-in and check-out (apel pagi, before and after the break), as BKD sets them.

A regency that requires only check-in and check-out sets none. A session is held in its window (the agency's
local time) on its weekdays while it is in force, on the agency's working days only; who must attend it follows
the day's work mode (WFO, WFH, DL), as the regency chooses. A session already in force keeps its window and
requirements, so past days keep the rules they were held under: BKD ends it and adds a new one from a later day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from kinerja import audit, reference
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import SESSION_KINDS, AttendanceKind, AttendanceSession, User, WorkMode
from kinerja.permissions import is_global_admin

WEEKDAYS = "1234567"
RULES = ("opens", "closes", "weekdays", "wfo", "wfh", "dl", "kind", "valid_from")


@dataclass
class SessionInput:
    kind: AttendanceKind
    opens: time
    closes: time
    weekdays: str
    wfo: bool
    wfh: bool
    dl: bool
    valid_from: date
    valid_to: date | None = None


def in_force_between(first: date, last: date, *what) -> Select:
    """A SELECT of `what` (the sessions themselves by default) in force on any day from `first` to `last`, by
    window."""
    return (select(*(what or (AttendanceSession,)))
            .where(AttendanceSession.valid_from <= last,
                   or_(AttendanceSession.valid_to.is_(None), AttendanceSession.valid_to >= first))
            .order_by(AttendanceSession.opens, AttendanceSession.kind))


def sessions_between(first: date, last: date) -> list[AttendanceSession]:
    """The sessions in force on any day from `first` to `last`, in one query."""
    return list(db.session.scalars(in_force_between(first, last)))


def kept_sessions_on(day: date) -> list[AttendanceSession]:
    """The sessions in force on `day`, to read only (the attendance and home pages show them on every view): kept
    per process under the reference data's stamp (kinerja.reference) as copies that belong to no database session,
    so one request can never change or expire what another reads."""
    def read() -> list[AttendanceSession]:
        rows = db.session.execute(in_force_between(day, day, *AttendanceSession.__table__.c))
        return [AttendanceSession(**row._mapping) for row in rows]

    return reference.kept(("attendance-sessions", day), read)


def held_on(sessions: Iterable[AttendanceSession], day: date) -> list[AttendanceSession]:
    return [session for session in sessions if session.held_on(day)]


def session_of(kind: AttendanceKind, day: date) -> AttendanceSession | None:
    return next((session for session in held_on(sessions_between(day, day), day) if session.kind is kind), None)


def required_kinds(sessions: Iterable[AttendanceSession], day: date, mode: WorkMode) -> list[AttendanceKind]:
    """The sessions someone working in `mode` must attend on a working day."""
    return [session.kind for session in sessions if session.held_on(day) and session.required_of(mode)]


def window_label(session: AttendanceSession) -> str:
    return f"{session.opens:%H.%M}–{session.closes:%H.%M}"


def weekday_name(number: int) -> str:
    """The ISO weekday's name in the reader's language (1 January 2024 was a Monday)."""
    return format_date(date(2024, 1, number), "EEEE")


def weekday_names(session: AttendanceSession) -> str:
    if session.weekdays == "12345":
        return _("Senin–Jumat")
    if session.weekdays == "123456":
        return _("Senin–Sabtu")
    return ", ".join(weekday_name(int(number)) for number in session.weekdays)


def modes_label(session: AttendanceSession) -> str:
    modes = [mode.value for mode in WorkMode if session.required_of(mode)]
    return ", ".join(modes) if modes else _("tidak wajib")


def check(data: SessionInput, current: AttendanceSession | None, today: date) -> None:
    if data.kind not in SESSION_KINDS:
        raise ValidationFailed(_("Pilih jenis sesi: apel pagi, upacara, sebelum istirahat atau setelah istirahat."),
                               field="kind")
    if data.closes <= data.opens:
        raise ValidationFailed(_("Jam tutup harus sesudah jam buka."), field="closes")
    if not data.weekdays or any(day not in WEEKDAYS for day in data.weekdays) or \
            len(set(data.weekdays)) != len(data.weekdays):
        raise ValidationFailed(_("Pilih paling sedikit satu hari."), field="weekdays")
    if not (data.wfo or data.wfh or data.dl):
        raise ValidationFailed(_("Pilih paling sedikit satu mode kerja yang wajib mengikuti sesi ini."),
                               field="wfo")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise ValidationFailed(_("Tanggal akhir tidak boleh sebelum tanggal mulai."), field="valid_to")
    if current is not None and current.valid_from <= today:
        changed = [name for name in RULES if getattr(current, name) != getattr(data, name)]
        if changed:
            raise ValidationFailed(
                _("Sesi ini berlaku sejak %(day)s: jam dan ketentuannya tidak dapat diubah agar hari-hari yang "
                  "sudah lewat tetap dinilai dengan aturan saat itu. Isi tanggal akhir sesi ini, lalu tambahkan "
                  "sesi baru mulai hari berikutnya.", day=format_date(current.valid_from)), field=changed[0])
        if data.valid_to is not None and data.valid_to < today:
            raise ValidationFailed(_("Tanggal akhir sesi yang sudah berlaku tidak boleh sebelum hari ini."),
                                   field="valid_to")
    elif data.valid_from <= today:
        raise ValidationFailed(_("Sesi baru berlaku paling cepat besok, agar tidak ada yang tertinggal sesi "
                                 "yang belum diumumkan."), field="valid_from")
    end = data.valid_to or date.max
    overlapping = db.session.scalar(
        select(AttendanceSession).where(
            AttendanceSession.kind == data.kind, AttendanceSession.id != (current.id if current else 0),
            AttendanceSession.valid_from <= end,
            or_(AttendanceSession.valid_to.is_(None), AttendanceSession.valid_to >= data.valid_from)).limit(1))
    if overlapping is not None:
        raise ValidationFailed(
            _("Sesi %(kind)s lain berlaku pada masa yang sama (mulai %(day)s). Isi tanggal akhir sesi itu dahulu.",
              kind=data.kind.label.lower(), day=format_date(overlapping.valid_from)), field="valid_from")


def describe(session: AttendanceSession) -> str:
    """A session's rules in one line, for the audit trail."""
    until = session.valid_to.isoformat() if session.valid_to else "-"
    return (f"{session.kind.value} {session.opens:%H:%M}-{session.closes:%H:%M} hari {session.weekdays} "
            f"wajib {modes_label(session)} {session.valid_from.isoformat()}..{until}")


def save_session(actor: User, data: SessionInput, today: date, current: AttendanceSession | None = None,
                 reason: str = "") -> AttendanceSession:
    """Add a session (from tomorrow at the earliest) or change one; audited with what it was and became."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengatur sesi presensi."))
    check(data, current, today)
    before = describe(current) if current is not None else None
    session = current or AttendanceSession()
    for name in (*RULES, "valid_to"):
        setattr(session, name, getattr(data, name))
    db.session.add(session)
    db.session.flush()
    # The rules go in the reason: the states hold 20 characters.
    change = f"{before} → {describe(session)}" if before else describe(session)
    audit.record(actor, audit.Change("attendance_session", session.id, "create" if current is None else "update",
                                     reason="; ".join(filter(None, (reason.strip(), change)))))
    finish()
    return session


def delete_session(actor: User, session: AttendanceSession, today: date) -> None:
    """Remove a session not yet in force (one in force is ended with a last day instead)."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengatur sesi presensi."))
    if session.valid_from <= today:
        raise ValidationFailed(_("Sesi yang sudah berlaku tidak dapat dihapus; isi tanggal akhirnya."),
                               field="valid_to")
    audit.record(actor, audit.Change("attendance_session", session.id, "delete", reason=describe(session)))
    db.session.delete(session)
    finish()
