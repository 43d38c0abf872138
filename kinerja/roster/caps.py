"""WFO caps per agency (the share of staff allowed in the office on a day) and the essential marks of units and
positions, whose staff work on site whatever the cap."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from kinerja import audit
from kinerja.database import finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, CapReason, Position, Unit, User, WfoCap
from kinerja.permissions import admin_agency_ids, is_global_admin


def can_manage(user: User, agency_id: int) -> bool:
    """Caps, rosters and unit essential marks of an agency: its agency admins and BKD."""
    return is_global_admin(user) or agency_id in admin_agency_ids(user)


def lock_agency(agency_id: int) -> None:
    """Serialise roster and cap changes of one agency until commit (SQLite: the write lock is already held)."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())


def in_force(agency_id: int, start: date, end: date | None) -> Select:
    """Caps of the agency whose period meets [start, end] (end None: open)."""
    query = select(WfoCap).where(WfoCap.agency_id == agency_id,
                                 or_(WfoCap.valid_to.is_(None), WfoCap.valid_to >= start))
    return query if end is None else query.where(WfoCap.valid_from <= end)


def cap_on(agency_id: int, day: date) -> WfoCap | None:
    """The cap in force that day (the latest to start, should periods ever meet)."""
    return db.session.scalar(in_force(agency_id, day, day).order_by(WfoCap.valid_from.desc()).limit(1))


def cap_percents(agency_id: int, days: list[date]) -> dict[date, int | None]:
    """The percentage in force on each day (None: no cap), in one query."""
    if not days:
        return {}
    caps = list(db.session.scalars(in_force(agency_id, min(days), max(days)).order_by(WfoCap.valid_from)))
    percents: dict[date, int | None] = {}
    for day in days:
        covering = [c for c in caps if c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)]
        percents[day] = covering[-1].percent if covering else None
    return percents


def agency_caps(agency_id: int) -> list[WfoCap]:
    """The agency's caps, newest first."""
    return list(db.session.scalars(select(WfoCap).where(WfoCap.agency_id == agency_id)
                                   .order_by(WfoCap.valid_from.desc(), WfoCap.id.desc())))


def period_text(cap: WfoCap) -> str:
    end = f"{cap.valid_to:%d-%m-%Y}" if cap.valid_to else _("seterusnya")
    return f"{cap.valid_from:%d-%m-%Y} – {end}"


def require_manager(actor: User, agency_id: int) -> None:
    if not can_manage(actor, agency_id):
        raise NotAllowed(_("Anda tidak berwenang mengatur batas WFO dan jadwal piket OPD ini."))


def checked_percent(percent: int | None, reason_kind: CapReason, reason: str) -> int:
    if reason_kind.preset is None:
        if percent is None:
            raise ValidationFailed(_("Persentase WFO wajib diisi untuk alasan ini."), field="percent")
        if not reason:
            raise ValidationFailed(_("Uraikan alasan batas WFO ini."), field="reason")
    percent = reason_kind.preset if percent is None else percent
    if not 0 <= percent <= 100:
        raise ValidationFailed(_("Persentase WFO harus antara 0 dan 100."), field="percent")
    return percent


def make_room(agency_id: int, valid_from: date, valid_to: date | None) -> list[WfoCap]:
    """End the open-ended cap running into the new period; refuse any other overlap. Returns the ended caps."""
    overlapping = list(db.session.scalars(in_force(agency_id, valid_from, valid_to).order_by(WfoCap.valid_from)))
    for cap in overlapping:
        if cap.valid_to is not None or cap.valid_from >= valid_from:
            raise ValidationFailed(
                _("Periode ini bertumpang tindih dengan batas WFO %(percent)s%% (%(period)s). Ubah tanggalnya atau "
                  "akhiri batas itu terlebih dahulu.", percent=cap.percent, period=period_text(cap)),
                field="valid_from")
    for cap in overlapping:
        cap.valid_to = valid_from - timedelta(days=1)
    return overlapping


def set_cap(actor: User, agency: Agency, *, percent: int | None, valid_from: date, valid_to: date | None,
            reason_kind: CapReason, reason: str) -> WfoCap:
    """Put a WFO cap in force from `valid_from` (to `valid_to` or open); a running open-ended cap ends the day
    before."""
    require_manager(actor, agency.id)
    reason = (reason or "").strip()
    percent = checked_percent(percent, reason_kind, reason)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(_("Tanggal akhir harus sama dengan atau setelah tanggal mulai."), field="valid_to")
    lock_agency(agency.id)
    ended = make_room(agency.id, valid_from, valid_to)
    cap = WfoCap(agency_id=agency.id, percent=percent, valid_from=valid_from, valid_to=valid_to,
                 reason_kind=reason_kind, reason=reason[:500], set_by_id=actor.id)
    db.session.add(cap)
    db.session.flush()
    changes = [audit.Change("wfo_cap", old.id, "end_wfo_cap", None, old.valid_to.isoformat(), agency.id,
                            reason=f"{old.percent}% {period_text(old)}") for old in ended]
    changes.append(audit.Change("wfo_cap", cap.id, "set_wfo_cap", None, f"{percent}%", agency.id,
                                reason=f"{reason_kind.label}, {period_text(cap)}. {reason}".strip()))
    audit.record_many(actor, changes)
    finish()
    return cap


def end_cap(actor: User, cap: WfoCap, last_day: date) -> None:
    """End a cap earlier: its last day becomes `last_day`."""
    require_manager(actor, cap.agency_id)
    if last_day < cap.valid_from:
        raise ValidationFailed(_("Hari terakhir tidak boleh sebelum tanggal mulai batas WFO."), field="last_day")
    if cap.valid_to is not None and last_day > cap.valid_to:
        raise ValidationFailed(_("Batas WFO ini sudah berakhir pada %(day)s; hari terakhir hanya dapat dimajukan.",
                                 day=f"{cap.valid_to:%d-%m-%Y}"), field="last_day")
    before = cap.valid_to.isoformat() if cap.valid_to else None
    cap.valid_to = last_day
    audit.record(actor, audit.Change("wfo_cap", cap.id, "end_wfo_cap", before, last_day.isoformat(), cap.agency_id,
                                     reason=f"{cap.percent}% {period_text(cap)}"))
    finish()


def set_unit_essential(actor: User, unit: Unit, essential: bool) -> None:
    """Mark a unit as an essential public service (its staff work on site) or clear the mark."""
    if not can_manage(actor, unit.agency_id):
        raise NotAllowed(_("Anda tidak berwenang menandai unit kerja OPD ini."))
    if unit.essential == essential:
        return
    unit.essential = essential
    audit.record(actor, audit.Change("unit", unit.id, "set_unit_essential", str(not essential).lower(),
                                     str(essential).lower(), unit.agency_id, reason=unit.name))
    finish()


def set_position_essential(actor: User, position: Position, essential: bool) -> None:
    """Mark a position of the regency-wide catalogue as essential (on site) or clear the mark; BKD only."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat menandai jabatan esensial."))
    if position.essential == essential:
        return
    position.essential = essential
    audit.record(actor, audit.Change("position", position.id, "set_position_essential", str(not essential).lower(),
                                     str(essential).lower(), None, reason=position.name))
    finish()
