"""Monthly activities (kegiatan bulanan): per month and SKP indicator, the planned action (rencana aksi) and its
realisation, submitted to the appraiser with the month.

An item may realise an IKI of the plan in force in its month (kinerja.core.plans; optional, as on daily
activities): its unit is then the IKI's, and its realisation that IKI's approved output of the month in that unit,
as the SKP page and the monthly report show it (kinerja.core.output). An item without an IKI (no plan in force, or
none chosen) is realised by the month's approved daily output without an IKI in its own unit. Units are compared
without regard to case or repeated spaces, alike on every database. The realisation is stored in `quantity` when
the item is saved or refreshed; `adjustment` corrects it with a mandatory reason. Every action takes the acting
user, ends with one commit and refuses bad input with a DomainError naming the field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from kinerja import clock
from kinerja.activities import services
from kinerja.activities.evidence import check_link
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.core.output import Outputs, outputs_of, realise, unit_key
from kinerja.core.periods import month_closed
from kinerja.core.plans import PlanIndicator, indicators_by_id, indicators_in_force
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import ActivityStatus, Assignment, Employee, Iki, MonthlyActivity, User
from kinerja.workcalendar import month_days

CENT = Decimal("0.01")
# Numeric(10, 2): anything from here on does not fit the column.
QUANTITY_LIMIT = Decimal("100000000")
EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
REVIEWED = (ActivityStatus.APPROVED, ActivityStatus.RETURNED)


@dataclass
class MonthlyInput:
    """What the form gives to create or change a monthly activity."""

    planned_action: str
    unit: str
    adjustment: Decimal | None = None
    adjustment_reason: str = ""
    evidence_url: str = ""
    note: str = ""
    indicator_id: int | None = None


def month_label(first: date) -> str:
    return format_date(first, "MMMM y")


def month_filter(employee_id: int, first: date) -> list:
    return [
        MonthlyActivity.employee_id == employee_id,
        MonthlyActivity.year == first.year,
        MonthlyActivity.month == first.month,
    ]


# An item's IKI with its RHK, loaded with the items rather than one by one.
WITH_INDICATOR = selectinload(MonthlyActivity.indicator).selectinload(Iki.rhk)


def month_items(employee_id: int, first: date) -> list[MonthlyActivity]:
    """The employee's monthly activities of the month, in the order they were added, with their IKI (one query,
    two more when some have an IKI)."""
    return list(db.session.scalars(
        select(MonthlyActivity).where(*month_filter(employee_id, first)).options(WITH_INDICATOR)
        .order_by(MonthlyActivity.id)
    ))


def realisation(outputs: Outputs, indicator_id: int | None, unit: str) -> Decimal:
    """The monthly activity's realisation: the approved output for its indicator in its unit."""
    return realise(outputs, indicator_id, unit).quantity


def realised_unit(item: MonthlyActivity) -> str:
    """The unit an item is realised in: its IKI's, else its own (load the IKI with the items: WITH_INDICATOR)."""
    return item.indicator.unit if item.indicator is not None else item.unit


def current_realisation(outputs: Outputs, item: MonthlyActivity) -> Decimal:
    """What the item's realisation is now, from the month's approved output."""
    return realisation(outputs, item.indicator_id, realised_unit(item))


def month_indicators(employee_id: int, first: date) -> list[PlanIndicator]:
    """The IKI a monthly activity of the month may realise: those of the plan in force (two queries)."""
    return indicators_in_force([employee_id], first)[employee_id]


def linked_indicator(employee_id: int, first: date, indicator_id: int | None,
                     kept: int | None = None) -> PlanIndicator | None:
    """The chosen IKI, which must belong to the employee's plan in force in the month; an item being changed may
    also keep the IKI it has (chosen when it was in force, e.g. before the plan was revised)."""
    if indicator_id is None:
        return None
    choices = month_indicators(employee_id, first)
    found = next((choice for choice in choices if choice.id == indicator_id), None)
    if found is None and indicator_id == kept:
        found = indicators_by_id([kept]).get(kept)
    if found is not None:
        return found
    if not choices:
        raise ValidationFailed(_("Belum ada SKP yang disetujui yang berlaku pada %(month)s, sehingga kegiatan "
                                 "bulanan disimpan tanpa indikator (IKI).", month=month_label(first)),
                               field="indicator_id")
    raise ValidationFailed(_("Indikator (IKI) yang dipilih bukan bagian dari SKP Anda yang berlaku pada "
                             "%(month)s.", month=month_label(first)), field="indicator_id")


def follow_indicator(clean: MonthlyInput, indicator: PlanIndicator | None) -> MonthlyInput:
    """An item with an IKI takes the IKI's unit (an empty unit or the same one in other letters); without one, a
    unit is required."""
    if indicator is None:
        if not clean.unit:
            raise ValidationFailed(_("Satuan output wajib diisi."), field="unit")
        return clean
    if clean.unit and unit_key(clean.unit) != unit_key(indicator.unit):
        raise ValidationFailed(_("Satuan mengikuti indikator (IKI) yang dipilih: %(unit)s.", unit=indicator.unit),
                               field="unit")
    return replace(clean, unit=indicator.unit)


def filing_assignment(employee_id: int, first: date) -> Assignment | None:
    """The assignment whose agency's locks govern the month: on today's date within the month, else on
    its last day (a past month) or its first day (a month ahead)."""
    start, end = month_days(first.year, first.month)
    reference = min(max(clock.today(), start), end)
    return assignment_on(employee_id, reference)


def is_month_open(employee_id: int, first: date) -> bool:
    """Whether the month is still open for filing for the employee (for the page; two or three queries)."""
    assignment = filing_assignment(employee_id, first)
    if assignment is None:
        return False
    today = clock.today(assignment.agency.timezone)
    return not month_closed(assignment.agency_id, first, today)


def require_open(employee_id: int, first: date) -> None:
    assignment = filing_assignment(employee_id, first)
    if assignment is None:
        raise ValidationFailed(_("Anda tidak memiliki penugasan aktif pada bulan %(month)s.",
                                 month=month_label(first)))
    today = clock.today(assignment.agency.timezone)
    if month_closed(assignment.agency_id, first, today):
        raise ValidationFailed(_("Bulan %(month)s sudah ditutup untuk pengisian.", month=month_label(first)))


def require_employee(actor: User) -> Employee:
    if actor.employee is None:
        raise NotAllowed(_("Akun ini tidak terhubung dengan data pegawai."))
    return actor.employee


def clean_input(data: MonthlyInput) -> MonthlyInput:
    """Check the fields on their own; return them trimmed, the adjustment rounded to cents."""
    planned_action = (data.planned_action or "").strip()
    if not planned_action:
        raise ValidationFailed(_("Rencana aksi wajib diisi."), field="planned_action")
    unit = " ".join((data.unit or "").split())  # required without an IKI: follow_indicator
    if len(unit) > 40:
        raise ValidationFailed(_("Satuan output paling panjang 40 karakter."), field="unit")
    try:
        adjustment = Decimal(data.adjustment if data.adjustment is not None else 0).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Penyesuaian harus berupa angka."), field="adjustment") from None
    if abs(adjustment) >= QUANTITY_LIMIT:
        raise ValidationFailed(_("Penyesuaian terlalu besar."), field="adjustment")
    reason = (data.adjustment_reason or "").strip()
    if adjustment and not reason:
        raise ValidationFailed(_("Jelaskan alasan penyesuaian realisasi."), field="adjustment_reason")
    if len(reason) > 500:
        raise ValidationFailed(_("Alasan penyesuaian paling panjang 500 karakter."), field="adjustment_reason")
    link = (data.evidence_url or "").strip()
    if link:
        try:
            link = check_link(link)
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field="evidence_url") from None
    return MonthlyInput(
        planned_action=planned_action, unit=unit, adjustment=adjustment,
        adjustment_reason=reason if adjustment else "", evidence_url=link, note=(data.note or "").strip(),
        indicator_id=data.indicator_id,
    )


def check_total(quantity: Decimal, adjustment: Decimal, unit: str) -> None:
    total = quantity + adjustment
    if total < 0:
        raise ValidationFailed(
            _("Penyesuaian tidak boleh membuat realisasi negatif: realisasi harian %(quantity)s %(unit)s.",
              quantity=f"{quantity.normalize():f}", unit=unit),
            field="adjustment",
        )
    if total >= QUANTITY_LIMIT:
        raise ValidationFailed(_("Penyesuaian terlalu besar."), field="adjustment")


def apply_input(item: MonthlyActivity, data: MonthlyInput, quantity: Decimal) -> None:
    item.planned_action = data.planned_action
    item.unit = data.unit
    item.indicator_id = data.indicator_id
    item.quantity = quantity
    item.adjustment = data.adjustment
    item.adjustment_reason = data.adjustment_reason
    item.evidence_url = data.evidence_url
    item.note = data.note


def reload_editable(actor: User, item: MonthlyActivity) -> None:
    """Own item, re-read under the employee's lock so a concurrent submit cannot slip in, still editable."""
    services.require_owner(actor, item)
    lock_employee(item.employee_id)
    db.session.refresh(item, with_for_update=True)  # a locking read: the latest status, also on MariaDB
    services.require_editable(item)


def create_monthly_activity(actor: User, first: date, data: MonthlyInput) -> MonthlyActivity:
    """Add a draft monthly activity, its realisation taken from the month's approved daily output."""
    employee = require_employee(actor)
    clean = clean_input(data)
    lock_employee(employee.id)
    require_open(employee.id, first)
    clean = follow_indicator(clean, linked_indicator(employee.id, first, clean.indicator_id))
    quantity = realisation(outputs_of(employee.id, first), clean.indicator_id, clean.unit)
    check_total(quantity, clean.adjustment, clean.unit)
    item = MonthlyActivity(employee_id=employee.id, year=first.year, month=first.month,
                           status=ActivityStatus.DRAFT)
    apply_input(item, clean, quantity)
    db.session.add(item)
    finish()
    return item


def update_monthly_activity(actor: User, item: MonthlyActivity, data: MonthlyInput) -> None:
    """Change a draft or returned item; its realisation is recomputed for the (possibly new) IKI and unit."""
    clean = clean_input(data)
    reload_editable(actor, item)
    first = date(item.year, item.month, 1)
    require_open(item.employee_id, first)
    clean = follow_indicator(clean, linked_indicator(item.employee_id, first, clean.indicator_id,
                                                     kept=item.indicator_id))
    quantity = realisation(outputs_of(item.employee_id, first), clean.indicator_id, clean.unit)
    check_total(quantity, clean.adjustment, clean.unit)
    apply_input(item, clean, quantity)
    finish()


def delete_monthly_activity(actor: User, item: MonthlyActivity) -> None:
    reload_editable(actor, item)
    require_open(item.employee_id, date(item.year, item.month, 1))
    db.session.delete(item)
    finish()


def refresh_realisation(actor: User, first: date) -> int:
    """Recompute `quantity` of the month's draft and returned items from approved daily output; returns how
    many changed. Refused as a whole when an item's adjustment would then make its total negative."""
    employee = require_employee(actor)
    lock_employee(employee.id)
    require_open(employee.id, first)
    items = list(db.session.scalars(
        select(MonthlyActivity)
        .where(*month_filter(employee.id, first), MonthlyActivity.status.in_(EDITABLE))
        .options(selectinload(MonthlyActivity.indicator))
        .order_by(MonthlyActivity.id)
        .with_for_update()
    ))
    outputs = outputs_of(employee.id, first)
    changed = 0
    for item in items:
        quantity = current_realisation(outputs, item)
        if quantity + item.adjustment < 0:
            db.session.rollback()
            raise ValidationFailed(_(
                "Realisasi \"%(text)s\" menjadi negatif karena penyesuaiannya; ubah penyesuaiannya terlebih dulu.",
                text=item.planned_action[:60]))
        if quantity != item.quantity:
            item.quantity = quantity
            changed += 1
    finish()
    return changed


def submit_month(actor: User, first: date) -> int:
    """Submit every draft and returned monthly activity of the month to the appraiser; returns how many."""
    employee = require_employee(actor)
    lock_employee(employee.id)
    require_open(employee.id, first)
    counts = status_counts(employee.id, first)
    if not counts:
        raise ValidationFailed(_("Belum ada kegiatan bulanan pada %(month)s untuk diajukan. "
                                 "Tambahkan rencana aksi terlebih dulu.", month=month_label(first)))
    if not any(counts[status] for status in EDITABLE):
        raise ValidationFailed(_("Tidak ada kegiatan bulanan berstatus draf atau dikembalikan untuk diajukan."))
    result = db.session.execute(
        update(MonthlyActivity)
        .where(*month_filter(employee.id, first), MonthlyActivity.status.in_(EDITABLE))
        .values(status=ActivityStatus.SUBMITTED, submitted_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    finish()
    return result.rowcount


def withdraw_month(actor: User, first: date) -> int:
    """Take the month's submission back to draft while the appraiser has reviewed none of its items.

    The month's rows are locked and read first (a locking read sees the latest committed state, also under
    MariaDB's repeatable read; SQLite already holds the write lock), then only the submitted ones are changed;
    a review that slipped in between shows as a short row count: Conflict.
    """
    employee = require_employee(actor)
    lock_employee(employee.id)
    require_open(employee.id, first)
    counts = Counter(db.session.scalars(
        select(MonthlyActivity.status).where(*month_filter(employee.id, first)).with_for_update()
    ))
    reviewed = Conflict(_("Sebagian kegiatan bulanan ini sudah diperiksa atasan sehingga pengajuan "
                          "tidak dapat ditarik."))
    if any(counts[status] for status in REVIEWED):
        db.session.rollback()
        raise reviewed
    if not counts[ActivityStatus.SUBMITTED]:
        db.session.rollback()
        raise ValidationFailed(_("Tidak ada pengajuan kegiatan bulanan untuk ditarik."))
    result = db.session.execute(
        update(MonthlyActivity)
        .where(*month_filter(employee.id, first), MonthlyActivity.status == ActivityStatus.SUBMITTED)
        .values(status=ActivityStatus.DRAFT, submitted_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != counts[ActivityStatus.SUBMITTED]:
        db.session.rollback()
        raise reviewed
    finish()
    return result.rowcount


def status_counts(employee_id: int, first: date) -> Counter:
    rows = db.session.execute(
        select(MonthlyActivity.status, func.count())
        .where(*month_filter(employee_id, first))
        .group_by(MonthlyActivity.status)
    )
    return Counter({status: number for status, number in rows})
