"""Office-duty rosters: generate a draft from staff, leave, holidays and the WFO cap, adjust it by hand, publish
it to the staff, or throw a draft away. Each action takes the acting user and ends with one commit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

from kinerja import audit, clock, notify
from kinerja.core.assignments import serving
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, Employee, Roster, RosterEntry, RosterStatus, Unit, User, WorkMode
from kinerja.roster.caps import can_manage, cap_percents, lock_agency
from kinerja.roster.plan import Plan, capacity, plan
from kinerja.roster.queries import roster_days, staff_between

__all__ = ["delete_roster", "generate_roster", "publish", "regenerate", "roster_days", "set_entry"]

MAX_DAYS = 62
SCHEDULE_LINK = "/presensi/jadwal-saya"


def require_manager(actor: User, agency_id: int) -> None:
    if not can_manage(actor, agency_id):
        raise NotAllowed(_("Anda tidak berwenang mengatur jadwal piket OPD ini."))


def period(start: date, end: date) -> str:
    return f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"


def check_range(agency: Agency, start: date, end: date) -> None:
    if start > end:
        raise ValidationFailed(_("Tanggal akhir harus sama dengan atau setelah tanggal mulai."), field="end_date")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(_("Satu jadwal piket paling panjang %(days)s hari.", days=MAX_DAYS), field="end_date")
    other = db.session.scalar(select(Roster).where(
        Roster.agency_id == agency.id, Roster.start_date <= end, Roster.end_date >= start).limit(1))
    if other is not None:
        raise ValidationFailed(
            _("Rentang ini bertumpang tindih dengan jadwal piket %(period)s (%(status)s). Pilih tanggal lain atau "
              "ubah jadwal itu.", period=period(other.start_date, other.end_date), status=other.status.label.lower()),
            field="start_date")


def previous_wfo(agency_id: int, start: date) -> dict[int, int]:
    """WFO days per employee in the agency's roster just before `start`, so the rotation carries on."""
    previous = select(Roster.id).where(Roster.agency_id == agency_id, Roster.end_date < start) \
        .order_by(Roster.end_date.desc()).limit(1).scalar_subquery()
    rows = db.session.execute(
        select(RosterEntry.employee_id, func.count()).where(RosterEntry.roster_id == previous,
                                                            RosterEntry.mode == WorkMode.WFO)
        .group_by(RosterEntry.employee_id)).all()
    return dict(rows)


def compute(roster: Roster, overrides: dict[tuple[int, date], WorkMode]) -> tuple[Plan, dict[int, bool]]:
    """The plan of the roster's period from current staff, leave, holidays and caps; refused without a cap."""
    days = roster_days(roster.agency, roster.start_date, roster.end_date)
    if not days:
        raise ValidationFailed(_("Tidak ada hari kerja pada rentang tanggal tersebut."), field="start_date")
    percents = cap_percents(roster.agency_id, days)
    missing = [day for day in days if percents[day] is None]
    if missing:
        raise ValidationFailed(
            _("Belum ada batas WFO yang berlaku pada %(day)s. Tetapkan batas WFO OPD terlebih dahulu.",
              day=f"{missing[0]:%d-%m-%Y}"), field="start_date")
    staff = staff_between(roster.agency_id, days)
    if not staff.members:
        raise ValidationFailed(_("Tidak ada pegawai dengan penugasan aktif di OPD ini pada rentang tersebut."),
                               field="start_date")
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == roster.agency_id)).all())
    members = sorted(staff.members.values(), key=lambda m: m.employee_id)
    result = plan(members, days, percents, staff.away, overrides, previous_wfo(roster.agency_id, roster.start_date),
                  unit_names=names)
    return result, {m.employee_id: m.essential for m in members}


def store(roster: Roster, result: Plan, essential: dict[int, bool],
          overrides: dict[tuple[int, date], WorkMode]) -> None:
    rows = [{"roster_id": roster.id, "employee_id": employee_id, "day": day, "mode": mode,
             "essential": essential[employee_id], "manual": overrides.get((employee_id, day)) is mode}
            for (employee_id, day), mode in sorted(result.modes.items())]
    if rows:
        db.session.execute(insert(RosterEntry), rows)


def generate_roster(actor: User, agency: Agency, start: date, end: date) -> Roster:
    """A draft roster of the agency for the dates, under the WFO caps in force."""
    require_manager(actor, agency.id)
    lock_agency(agency.id)
    check_range(agency, start, end)
    roster = Roster(agency_id=agency.id, agency=agency, start_date=start, end_date=end, status=RosterStatus.DRAFT,
                    created_by_id=actor.id)
    result, essential = compute(roster, {})
    db.session.add(roster)
    db.session.flush()
    store(roster, result, essential, {})
    audit.record(actor, audit.Change("roster", roster.id, "generate_roster", None, RosterStatus.DRAFT.value,
                                     agency.id, reason=period(start, end)))
    finish()
    return roster


def claim_draft(roster: Roster, message: str) -> None:
    """Lock the roster row while it is still a draft (a conditional update); refuse it otherwise."""
    result = db.session.execute(
        update(Roster).where(Roster.id == roster.id, Roster.status == RosterStatus.DRAFT)
        .values(updated_at=clock.utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(message)


def regenerate(actor: User, roster: Roster) -> Roster:
    """Compute a draft again from current staff, leave and caps, keeping the manual entries."""
    require_manager(actor, roster.agency_id)
    claim_draft(roster, _("Jadwal yang sudah diterbitkan tidak dapat disusun ulang; ubah per pegawai."))
    overrides = {(e.employee_id, e.day): e.mode for e in roster.entries if e.manual}
    result, essential = compute(roster, overrides)
    db.session.execute(delete(RosterEntry).where(RosterEntry.roster_id == roster.id))
    store(roster, result, essential, overrides)
    audit.record(actor, audit.Change("roster", roster.id, "regenerate_roster", None, None, roster.agency_id,
                                     reason=period(roster.start_date, roster.end_date)))
    finish()
    db.session.refresh(roster)
    return roster


def over_cap(roster: Roster, day: date) -> tuple[int, int, int] | None:
    """(percent, office places, WFO already) when one more WFO that day would exceed the agency's cap, else
    None. Counts the entries of people serving the agency that day."""
    percent = cap_percents(roster.agency_id, [day])[day]
    if percent is None:
        return None
    modes = list(db.session.scalars(select(RosterEntry.mode).join(Roster, Roster.id == RosterEntry.roster_id).where(
        RosterEntry.roster_id == roster.id, RosterEntry.day == day,
        serving(RosterEntry.employee_id, Roster.agency_id, RosterEntry.day))))
    wfo, places = modes.count(WorkMode.WFO), capacity(len(modes), percent)
    return (percent, places, wfo) if wfo + 1 > places else None


def set_entry(actor: User, roster: Roster, employee_id: int, day: date, mode: WorkMode, *,
              override_reason: str | None = None) -> RosterEntry:
    """Set one employee's mode on one day by hand; a published roster's change is told to the employee.

    A published roster is what staff follow, so a change to WFO that would put the day over the agency's cap
    is refused unless the admin overrides it with a reason (`override_reason`), which the audit trail keeps.
    """
    require_manager(actor, roster.agency_id)
    if mode not in (WorkMode.WFO, WorkMode.WFH):
        raise ValidationFailed(_("Jadwal piket hanya mengenal WFO dan WFH."), field="mode")
    lock_agency(roster.agency_id)
    entry = db.session.scalar(select(RosterEntry).where(
        RosterEntry.roster_id == roster.id, RosterEntry.employee_id == employee_id, RosterEntry.day == day))
    if entry is None:
        raise ValidationFailed(_("Pegawai ini tidak dijadwalkan pada %(day)s (cuti, bukan hari kerja, atau di luar "
                                 "jadwal).", day=f"{day:%d-%m-%Y}"), field="day")
    if entry.essential and mode is WorkMode.WFH:
        raise ValidationFailed(_("Pegawai esensial (unit atau jabatan pelayanan publik) selalu WFO; tidak dapat "
                                 "dijadwalkan WFH."), field="mode")
    before = entry.mode
    employee = db.session.get(Employee, employee_id)
    note = f"{employee.full_name}: {day:%d-%m-%Y}"
    changes = [audit.Change("roster_entry", entry.id, "edit_roster_entry", before.value, mode.value,
                            roster.agency_id, reason=note)]
    over = over_cap(roster, day) if roster.status is RosterStatus.PUBLISHED and before is not mode \
        and mode is WorkMode.WFO else None
    if over is not None:
        percent, places, wfo = over
        reason = (override_reason or "").strip()
        if override_reason is None:
            raise ValidationFailed(
                _("Batas WFO %(percent)s%%: pada %(day)s paling banyak %(places)s pegawai di kantor, dan %(wfo)s "
                  "sudah dijadwalkan WFO. Ubah pegawai lain ke WFH lebih dulu, atau lampaui batas dengan "
                  "alasan yang dicatat.", percent=percent, day=f"{day:%d-%m-%Y}", places=places, wfo=wfo),
                field="override")
        if not reason:
            raise ValidationFailed(_("Tulis alasan melampaui batas WFO."), field="override_reason")
        changes.append(audit.Change("roster", roster.id, "override_wfo_cap", f"{wfo}/{places}",
                                    f"{wfo + 1}/{places}", roster.agency_id,
                                    reason=f"{note}; {percent}%. {reason}"[:1000]))
    entry.mode, entry.manual = mode, True
    audit.record_many(actor, changes)
    if roster.status is RosterStatus.PUBLISHED and before is not mode:
        users = db.session.scalars(select(User.id).where(User.employee_id == employee_id))
        notify.send(notify.Notice(user_id, "roster_changed", {"day": f"{day:%d-%m-%Y}", "mode": mode.value},
                                  link=SCHEDULE_LINK) for user_id in users)
    finish()
    return entry


def publish(actor: User, roster: Roster) -> int:
    """Publish a draft: check-in follows it from now on, and each employee in it is told once."""
    require_manager(actor, roster.agency_id)
    result = db.session.execute(
        update(Roster).where(Roster.id == roster.id, Roster.status == RosterStatus.DRAFT)
        .values(status=RosterStatus.PUBLISHED, published_at=clock.utcnow(), published_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("Jadwal piket ini sudah diterbitkan."))
    users = db.session.scalars(select(User.id).where(User.employee_id.in_(
        select(RosterEntry.employee_id).where(RosterEntry.roster_id == roster.id)))).all()
    params = {"agency": roster.agency.short_name, "start": f"{roster.start_date:%d-%m-%Y}",
              "end": f"{roster.end_date:%d-%m-%Y}"}
    sent = notify.send(notify.Notice(user_id, "roster_published", params, link=SCHEDULE_LINK) for user_id in users)
    audit.record(actor, audit.Change("roster", roster.id, "publish_roster", RosterStatus.DRAFT.value,
                                     RosterStatus.PUBLISHED.value, roster.agency_id,
                                     reason=period(roster.start_date, roster.end_date)))
    finish()
    db.session.refresh(roster)
    return sent


def delete_roster(actor: User, roster: Roster) -> None:
    """Throw away a draft roster; a published one stays."""
    require_manager(actor, roster.agency_id)
    claim_draft(roster, _("Jadwal piket yang sudah diterbitkan tidak dapat dihapus."))
    audit.record(actor, audit.Change("roster", roster.id, "delete_roster", RosterStatus.DRAFT.value, None,
                                     roster.agency_id, reason=period(roster.start_date, roster.end_date)))
    db.session.execute(delete(RosterEntry).where(RosterEntry.roster_id == roster.id))
    db.session.execute(delete(Roster).where(Roster.id == roster.id))
    finish()
