"""Rules and actions on daily activities. Every action takes the acting user, ends with one commit, and
refuses bad input with a ValidationFailed naming the field, leaving nothing half-saved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock, notify
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.core.periods import Closure, month_closed, month_closure
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import (
    ActingAssignment,
    Activity,
    ActivityCategory,
    ActivityStatus,
    Assignment,
    BackdateGrant,
    Employee,
    User,
    WorkMode,
)
from kinerja.settings import setting
from kinerja.workcalendar import earliest_backdate, holidays_between, is_weekend


@dataclass
class ActivityInput:
    """What a form, an import row or an API call gives to create or change an activity."""

    activity_date: date
    start_time: time
    end_time: time
    description: str
    quantity: Decimal
    unit: str
    work_mode: WorkMode
    category: ActivityCategory
    assignment_letter: str | None = None
    indicator_id: int | None = None
    client_token: str | None = None
    links: list[str] = field(default_factory=list)

    @property
    def duration_minutes(self) -> int:
        start = datetime.combine(self.activity_date, self.start_time)
        return int((datetime.combine(self.activity_date, self.end_time) - start).total_seconds() // 60)


def has_backdate_grant(employee_id: int, day: date, today: date) -> bool:
    return (
        db.session.scalar(
            select(BackdateGrant.id).where(
                BackdateGrant.employee_id == employee_id,
                BackdateGrant.date_from <= day,
                BackdateGrant.date_to >= day,
                BackdateGrant.valid_until >= today,
            )
        )
        is not None
    )


def check_activity(employee: Employee, data: ActivityInput, *, exclude_id: int | None = None) -> Assignment:
    """Apply every rule to the input; raise ValidationFailed with the first broken one."""
    if not data.description.strip():
        raise ValidationFailed(_("Uraian kegiatan wajib diisi."), field="description")
    if data.end_time <= data.start_time:
        raise ValidationFailed(_("Jam selesai harus setelah jam mulai (tidak boleh melewati tengah malam)."),
                               field="end_time")
    if data.quantity is None or data.quantity <= 0:
        raise ValidationFailed(_("Kuantitas output harus lebih dari 0."), field="quantity")
    if not data.unit.strip():
        raise ValidationFailed(_("Satuan output wajib diisi."), field="unit")
    if data.work_mode is WorkMode.DL and not (data.assignment_letter or "").strip():
        raise ValidationFailed(_("Dinas luar memerlukan nomor surat tugas."), field="assignment_letter")

    assignment = assignment_on(employee.id, data.activity_date)
    if assignment is None:
        raise ValidationFailed(_("Anda tidak memiliki penugasan aktif pada tanggal tersebut."),
                               field="activity_date")
    now = clock.now(assignment.agency.timezone)
    today = now.date()
    if data.activity_date > today or (
        data.activity_date == today and data.end_time > now.time().replace(second=0, microsecond=0)
    ):
        raise ValidationFailed(_("Kegiatan tidak boleh di masa depan: isi setelah kegiatan selesai."),
                               field="end_time" if data.activity_date == today else "activity_date")
    if month_closed(assignment.agency_id, data.activity_date, today):
        raise ValidationFailed(_("Bulan %(month)s sudah ditutup untuk pengisian.",
                                 month=format_date(data.activity_date, "MMMM y")), field="activity_date")
    earliest = earliest_backdate(today, setting("BACKDATE_WORKING_DAYS"), assignment.agency.work_week)
    if data.activity_date < earliest and not has_backdate_grant(employee.id, data.activity_date, today):
        raise ValidationFailed(
            _("Kegiatan hanya dapat diisi paling lambat %(n)d hari kerja ke belakang (sejak %(day)s). "
              "Minta pengecualian kepada admin OPD.", n=setting("BACKDATE_WORKING_DAYS"),
              day=format_date(earliest)),
            field="activity_date",
        )

    same_day = [Activity.employee_id == employee.id, Activity.activity_date == data.activity_date]
    if exclude_id is not None:
        same_day.append(Activity.id != exclude_id)
    others = db.session.execute(  # the day's other activities, a handful: one statement for both checks
        select(Activity.start_time, Activity.end_time, Activity.duration_minutes, Activity.description)
        .where(*same_day).order_by(Activity.start_time)
    ).all()
    clash = next((other for other in others
                  if other.start_time < data.end_time and other.end_time > data.start_time), None)
    if clash is not None:
        raise ValidationFailed(
            _("Waktu bertabrakan dengan kegiatan %(start)s–%(end)s \"%(text)s\".",
              start=clash.start_time.strftime("%H.%M"), end=clash.end_time.strftime("%H.%M"),
              text=clash.description[:60]),
            field="start_time",
        )
    other_minutes = sum(other.duration_minutes for other in others)
    limit = setting("MAX_HOURS_PER_DAY") * 60
    if other_minutes + data.duration_minutes > limit:
        raise ValidationFailed(
            _("Total kegiatan sehari paling banyak %(hours)d jam; hari ini sudah %(used)d menit.",
              hours=setting("MAX_HOURS_PER_DAY"), used=other_minutes),
            field="end_time",
        )
    from kinerja.skp.services import check_indicator  # here: the SKP services build on these activity rules
    check_indicator(employee.id, data.activity_date, data.indicator_id)
    return assignment


def is_off_day(day: date, work_week: int) -> bool:
    return is_weekend(day, work_week) or day in holidays_between(day, day)


def apply_input(activity: Activity, data: ActivityInput, work_week: int) -> None:
    activity.activity_date = data.activity_date
    activity.start_time = data.start_time
    activity.end_time = data.end_time
    activity.duration_minutes = data.duration_minutes
    activity.description = data.description.strip()
    activity.quantity = data.quantity
    activity.unit = data.unit.strip()
    activity.work_mode = data.work_mode
    letter = (data.assignment_letter or "").strip()
    activity.assignment_letter = letter if data.work_mode is WorkMode.DL and letter else None
    activity.category = data.category
    activity.indicator_id = data.indicator_id
    activity.off_day = is_off_day(data.activity_date, work_week)


def require_owner(actor: User, activity: Activity) -> None:
    """Staff act on their own activities only (loading already answered 404 for others)."""
    if actor.employee_id != activity.employee_id:
        raise NotAllowed(_("Hanya pemilik kegiatan yang dapat mengubahnya."))


def require_editable(activity: Activity) -> None:
    if not activity.status.editable:
        raise NotAllowed(_("Kegiatan berstatus %(status)s tidak dapat diubah.", status=activity.status.label))


def existing_for_token(employee_id: int, token: str | None) -> Activity | None:
    if not token:
        return None
    return db.session.scalar(
        select(Activity).where(Activity.employee_id == employee_id, Activity.client_token == token)
    )


def create_activity(actor: User, data: ActivityInput, evidence_files: Iterable = ()) -> Activity:
    """Record a draft activity for the acting staff member, with its evidence; once per client token."""
    from kinerja.activities import evidence

    employee = actor.employee
    if employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    lock_employee(employee.id)
    duplicate = existing_for_token(employee.id, data.client_token)
    if duplicate is not None:
        db.session.rollback()
        return duplicate
    assignment = check_activity(employee, data)
    activity = Activity(employee_id=employee.id, client_token=data.client_token or None)
    apply_input(activity, data, assignment.agency.work_week)
    db.session.add(activity)
    try:
        with evidence.saving(activity, evidence_files, data.links):
            finish()
    except IntegrityError:
        # The same form was saved by a concurrent request after our check: that save stands.
        duplicate = existing_for_token(employee.id, data.client_token)
        if duplicate is None:
            raise
        return duplicate
    return activity


def update_activity(actor: User, activity: Activity, data: ActivityInput, evidence_files: Iterable = ()) -> None:
    """Change a draft or returned activity (a returned one keeps its reason until it is submitted again)."""
    from kinerja.activities import evidence

    require_owner(actor, activity)
    lock_employee(activity.employee_id)
    require_editable(activity)
    assignment = check_activity(activity.employee, data, exclude_id=activity.id)
    apply_input(activity, data, assignment.agency.work_week)
    with evidence.saving(activity, evidence_files, data.links):
        finish()


def filing_closure(employee_id: int, day: date) -> Closure | None:
    """How the month of `day` is closed for filing in the employee's agency then (None while it is open)."""
    assignment = assignment_on(employee_id, day)
    if assignment is None:
        return None
    return month_closure(assignment.agency_id, day, clock.today(assignment.agency.timezone))


def closed_message(closure: Closure, day: date) -> str:
    """'Bulan November 2026 sudah ditutup untuk pengisian sejak …': the notice of the day page and the refusals."""
    month = format_date(day, "MMMM y")
    if closure.by_bkd:
        return _("Bulan %(month)s ditutup oleh BKD pada %(day)s: kegiatan bulan ini tidak dapat ditambah, diubah, "
                 "dihapus, atau diajukan.", month=month, day=format_date(closure.day))
    return _("Bulan %(month)s sudah ditutup untuk pengisian (batas pengisian %(day)s): kegiatan bulan ini tidak "
             "dapat ditambah, diubah, dihapus, atau diajukan.", month=month, day=format_date(closure.day))


def delete_activity(actor: User, activity: Activity) -> None:
    """Delete a draft or returned activity of an open month, with its evidence files."""
    from kinerja.activities import evidence

    require_owner(actor, activity)
    require_editable(activity)
    closure = filing_closure(activity.employee_id, activity.activity_date)
    if closure is not None:
        raise ValidationFailed(closed_message(closure, activity.activity_date))
    stored = evidence.stored_paths(activity)
    db.session.delete(activity)
    finish()
    evidence.remove_files(stored)


def submit_activities(actor: User, activities: Iterable[Activity]) -> int:
    """Submit the drafts and returned items among the activities to the appraiser; returns how many."""
    now = clock.utcnow()
    submitted: list[tuple[Activity, Assignment, str]] = []
    # A day's or a week's items share their assignment and month: look each up once, not once per item.
    assignments: dict[tuple[int, date], Assignment | None] = {}
    closed: dict[tuple[int, int, int], bool] = {}
    for activity in activities:
        require_owner(actor, activity)
        if not activity.status.editable:
            continue
        key = (activity.employee_id, activity.activity_date)
        if key not in assignments:
            assignments[key] = assignment_on(*key)
        assignment = assignments[key]
        today = clock.today(assignment.agency.timezone if assignment else None)
        month = (assignment.agency_id, activity.activity_date.year, activity.activity_date.month) \
            if assignment else None
        if month is not None and month not in closed:
            closed[month] = month_closed(assignment.agency_id, activity.activity_date, today)
        if assignment is None or closed[month]:
            raise ValidationFailed(_("Bulan %(month)s sudah ditutup untuk pengisian.",
                                     month=format_date(activity.activity_date, "MMMM y")))
        submitted.append((activity, assignment, activity.status.value))
        activity.status = ActivityStatus.SUBMITTED
        activity.submitted_at = now
        activity.return_reason = None  # the reason stays in the audit trail and the conversation
    if submitted:
        audit.record_many(actor, (
            audit.Change("activity", activity.id, "submit", previous, "submitted", assignment.agency_id)
            for activity, assignment, previous in submitted
        ))
        notify_appraiser(actor, submitted[-1][1], len(submitted))
    finish()
    return len(submitted)


def notify_appraiser(actor: User, assignment: Assignment, count: int) -> None:
    """Tell the appraiser (and whoever stands in for them today) that items wait for them."""
    if assignment.appraiser_id is None:
        return
    today = clock.today(assignment.agency.timezone)
    reviewers = {assignment.appraiser_id} | set(db.session.scalars(
        select(ActingAssignment.acting_id).where(ActingAssignment.absent_id == assignment.appraiser_id,
                                                 ActingAssignment.active_on(today))
    ))
    users = db.session.scalars(select(User.id).where(User.employee_id.in_(reviewers)))
    notify.send(notify.Notice(user_id, "submitted", {"name": actor.display_name, "n": count},
                              link=f"/pemeriksaan/pegawai/{assignment.employee_id}") for user_id in users)


def withdraw_activity(actor: User, activity: Activity) -> None:
    """Take a submitted activity back to draft, unless an appraiser has decided it meanwhile or its month is
    closed (a draft there could never be submitted again)."""
    require_owner(actor, activity)
    closure = filing_closure(activity.employee_id, activity.activity_date)
    if closure is not None:
        raise ValidationFailed(closed_message(closure, activity.activity_date))
    result = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.status == ActivityStatus.SUBMITTED)
        .values(status=ActivityStatus.DRAFT, submitted_at=None, version=Activity.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("Kegiatan ini sudah diperiksa atasan sehingga tidak dapat ditarik."))
    assignment = assignment_on(activity.employee_id, activity.activity_date)
    audit.record(actor, audit.Change("activity", activity.id, "withdraw", "submitted", "draft",
                                     assignment.agency_id if assignment else None))
    finish()
    db.session.refresh(activity)


@dataclass
class CopyResult:
    copied: int
    skipped: list[str]


def copy_day(actor: User, source: date, target: date) -> CopyResult:
    """Copy the activities of one day to another as drafts; those that break a rule there are skipped."""
    employee = actor.employee
    if employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    if source == target:
        raise ValidationFailed(_("Pilih hari sumber yang berbeda."), field="source")
    originals = list(db.session.scalars(
        select(Activity).where(Activity.employee_id == employee.id, Activity.activity_date == source)
        .order_by(Activity.start_time)
    ))
    if not originals:
        raise ValidationFailed(_("Tidak ada kegiatan pada %(day)s untuk disalin.", day=format_date(source)),
                               field="source")
    lock_employee(employee.id)
    result = CopyResult(0, [])
    for original in originals:
        data = ActivityInput(
            activity_date=target, start_time=original.start_time, end_time=original.end_time,
            description=original.description, quantity=original.quantity, unit=original.unit,
            work_mode=original.work_mode, category=original.category,
            assignment_letter=original.assignment_letter, indicator_id=original.indicator_id,
        )
        try:
            assignment = check_activity(employee, data)
        except ValidationFailed as error:
            result.skipped.append(f"{original.start_time:%H.%M} {original.description[:40]}: {error.message}")
            continue
        copy = Activity(employee_id=employee.id)
        apply_input(copy, data, assignment.agency.work_week)
        db.session.add(copy)
        db.session.flush()
        result.copied += 1
    finish()
    return result
