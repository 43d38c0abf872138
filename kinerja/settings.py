"""Regency settings: the configuration gives the defaults, BKD's settings screen overrides them in the database.

Each setting is declared once in SETTINGS with its kind and bounds; `setting(name)` returns the typed value
(an override if BKD saved one, else the configuration's). Overrides are read in one query per app context
(a request, a job, a command) and that cache is dropped when they change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kinerja import audit, reference
from kinerja.database import finish, read_only_transactions
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import RegencySetting, User
from kinerja.permissions import is_global_admin

INTEGER, CLOCK, DAY = "integer", "clock", "day"


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    label: object  # lazy string
    group: object
    low: int = 0
    high: int = 0
    unit: object = ""
    optional: bool = False


WORK = _l("Kegiatan dan penilaian")
HOURS = _l("Jam kerja (Perpres 21/2023)")
RAMADAN = _l("Jam kerja bulan Ramadan")
ATTENDANCE = _l("Presensi")
RETENTION = _l("Masa simpan")
MESSAGES = _l("Pesan WhatsApp/Telegram")
MINUTES, DAYS, HOURS_UNIT, METRES = _l("menit"), _l("hari"), _l("jam"), _l("meter")

SETTINGS: dict[str, Spec] = {spec.name: spec for spec in (
    Spec("EFFECTIVE_MINUTES_PER_DAY", INTEGER, _l("Menit efektif per hari"), WORK, 60, 600, MINUTES),
    Spec("BACKDATE_WORKING_DAYS", INTEGER, _l("Batas pengisian mundur"), WORK, 0, 30, _l("hari kerja")),
    Spec("MAX_HOURS_PER_DAY", INTEGER, _l("Maksimum jam kegiatan per hari"), WORK, 1, 24, HOURS_UNIT),
    Spec("FILING_LOCK_DAY", INTEGER, _l("Pengisian bulan lalu ditutup setelah tanggal"), WORK, 1, 28),
    Spec("REVIEW_LOCK_DAY", INTEGER, _l("Penilaian bulan lalu ditutup setelah tanggal"), WORK, 1, 28),
    Spec("WORK_START", CLOCK, _l("Jam masuk"), HOURS),
    Spec("WORK_WEEK_MINUTES", INTEGER, _l("Jam kerja per minggu"), HOURS, 600, 3600, MINUTES),
    Spec("BREAK_MINUTES", INTEGER, _l("Istirahat Senin–Kamis"), HOURS, 0, 180, MINUTES),
    Spec("FRIDAY_BREAK_MINUTES", INTEGER, _l("Istirahat hari Jumat"), HOURS, 0, 180, MINUTES),
    Spec("RAMADAN_START", DAY, _l("Awal Ramadan"), RAMADAN, optional=True),
    Spec("RAMADAN_END", DAY, _l("Akhir Ramadan"), RAMADAN, optional=True),
    Spec("RAMADAN_WORK_START", CLOCK, _l("Jam masuk Ramadan"), RAMADAN),
    Spec("RAMADAN_WEEK_MINUTES", INTEGER, _l("Jam kerja per minggu saat Ramadan"), RAMADAN, 600, 3600, MINUTES),
    Spec("RAMADAN_BREAK_MINUTES", INTEGER, _l("Istirahat Senin–Kamis saat Ramadan"), RAMADAN, 0, 180, MINUTES),
    Spec("RAMADAN_FRIDAY_BREAK_MINUTES", INTEGER, _l("Istirahat Jumat saat Ramadan"), RAMADAN, 0, 180, MINUTES),
    Spec("ATTENDANCE_MAX_ACCURACY_M", INTEGER, _l("Batas akurasi GPS"), ATTENDANCE, 10, 1000, METRES),
    Spec("CORRECTION_WORKING_DAYS", INTEGER, _l("Batas pengajuan koreksi presensi"), ATTENDANCE, 0, 30,
         _l("hari kerja")),
    Spec("DEVICE_REPEAT_MINUTES", INTEGER, _l("Pindaian mesin berulang setelah jam masuk diabaikan selama"),
         ATTENDANCE, 0, 240, MINUTES),
    Spec("MESSAGES_PER_PERSON_DAY", INTEGER, _l("Pesan per orang per hari (per saluran)"), MESSAGES, 1, 50,
         _l("pesan")),
    Spec("MESSAGE_MAX_ATTEMPTS", INTEGER, _l("Percobaan kirim sebelum pesan dinyatakan gagal"), MESSAGES, 1, 30,
         _l("kali")),
    Spec("SELFIE_RETENTION_DAYS", INTEGER, _l("Masa simpan swafoto"), RETENTION, 7, 3650, DAYS),
    Spec("REPORT_RETENTION_DAYS", INTEGER, _l("Masa simpan berkas ekspor"), RETENTION, 1, 365, DAYS),
    Spec("DEVICE_LOG_RETENTION_DAYS", INTEGER, _l("Masa simpan log mesin presensi"), RETENTION, 30, 3650, DAYS),
)}
_CACHE = "_kinerja_settings"


def _read_overrides() -> dict[str, str]:
    query = select(RegencySetting.name, RegencySetting.value)
    if db.session().in_transaction():
        return dict(db.session.execute(query).all())
    # do not open a transaction the caller did not ask for (on SQLite it would hold the write lock)
    with read_only_transactions(), db.engine.connect() as connection:
        return dict(connection.execute(query).all())


def _overrides() -> dict[str, str]:
    """BKD's values, read once per context and kept between requests while unchanged (kinerja.reference)."""
    cached = g.get(_CACHE)
    if cached is None:
        cached = reference.kept("settings", _read_overrides)
        setattr(g, _CACHE, cached)
    return cached


def forget() -> None:
    """Drop this context's cache and what the process keeps (after a change, or when a test changes the table
    behind our back)."""
    g.pop(_CACHE, None)
    reference.forget()


def raw(name: str) -> str | None:
    """The setting as text: BKD's value, else the configuration's (None when neither has one)."""
    if name in SETTINGS:
        value = _overrides().get(name)
        if value is not None:
            return value or None
    value = current_app.config.get(name)
    return None if value is None or value == "" else str(value)


def setting(name: str) -> int:
    """A numeric setting such as BACKDATE_WORKING_DAYS or MAX_HOURS_PER_DAY."""
    value = raw(name)
    if value is None:
        raise KeyError(name)
    return int(value)


def clock_setting(name: str) -> time:
    return time.fromisoformat(raw(name) or "00:00")


def day_setting(name: str) -> date | None:
    value = raw(name)
    return date.fromisoformat(value) if value else None


def parse(spec: Spec, text: str) -> str:
    """The value BKD typed, checked and normalised; raises ValidationFailed naming the field."""
    text = (text or "").strip()
    if not text:
        if spec.optional:
            return ""
        raise ValidationFailed(_("Wajib diisi."), field=spec.name)
    try:
        if spec.kind == INTEGER:
            number = int(text)
            if not spec.low <= number <= spec.high:
                raise ValidationFailed(_("Isi antara %(low)d dan %(high)d.", low=spec.low, high=spec.high),
                                       field=spec.name)
            return str(number)
        if spec.kind == CLOCK:
            moment = time.fromisoformat(text.replace(".", ":"))
            if not time(5, 0) <= moment <= time(12, 0):
                raise ValidationFailed(_("Jam masuk harus antara 05.00 dan 12.00."), field=spec.name)
            return moment.strftime("%H:%M")
        return date.fromisoformat(text).isoformat()
    except ValueError:
        message = {INTEGER: _("Isi dengan bilangan bulat."), CLOCK: _("Isi jam dengan format JJ:MM, misalnya 07:30."),
                   DAY: _("Isi tanggal dengan format TTTT-BB-HH.")}[spec.kind]
        raise ValidationFailed(message, field=spec.name) from None


def save_settings(actor: User, values: dict[str, str]) -> list[str]:
    """Check every value, refuse all if one is wrong, store those that changed with an audit entry each;
    returns the names changed."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengubah pengaturan."))
    cleaned = {name: parse(SETTINGS[name], text) for name, text in values.items() if name in SETTINGS}
    start, end = cleaned.get("RAMADAN_START", raw("RAMADAN_START")), cleaned.get("RAMADAN_END", raw("RAMADAN_END"))
    if bool(start) != bool(end):
        raise ValidationFailed(_("Isi awal dan akhir Ramadan, atau kosongkan keduanya."), field="RAMADAN_END")
    if start and end and end <= start:
        raise ValidationFailed(_("Akhir Ramadan harus sesudah awalnya."), field="RAMADAN_END")
    if start and end and not 20 <= (date.fromisoformat(end) - date.fromisoformat(start)).days <= 31:
        raise ValidationFailed(_("Ramadan berlangsung 29 atau 30 hari: periksa tanggal akhirnya."),
                               field="RAMADAN_END")
    stored = {row.name: row for row in db.session.scalars(select(RegencySetting))}
    changed = []
    for name, value in cleaned.items():
        before = raw(name) or ""
        if value == before:
            continue
        row = stored.get(name)
        if row is None:
            db.session.add(RegencySetting(name=name, value=value, updated_by_id=actor.id))
        else:
            row.value, row.updated_by_id = value, actor.id
        # The states hold the values (at most 20 characters: numbers, times, dates); the reason names the setting.
        audit.record(actor, audit.Change("setting", None, "change_setting", before or None, value or None,
                                         reason=f"{name}: {before or '-'} → {value or '-'}"))
        changed.append(name)
    try:
        finish()
    except IntegrityError as error:  # another admin stored the same setting first
        db.session.rollback()
        forget()
        raise Conflict(_("Pengaturan baru saja diubah admin lain. Muat ulang halaman dan coba lagi.")) from error
    forget()
    return changed
