"""Loading what the reports show, in bulk: a fixed number of queries per batch of employees, Core rows rather
than ORM entities (about 20 µs per ORM entity against 1.3 µs per row: docs/performance.md), labels in Indonesian.

- `employee_months(ids, first, today)`: the full monthly report of each employee (activities included);
- `agency_recaps(agency_ids, first, today)`: one aggregate line per employee, per agency (no activity rows);
- `bkn_rows(first, ...)`: the approved activities in the BKN daily-progress shape, streamed.

Whose month it is: an employee belongs, for a month, to the assignment in force on its last day (or the last
one that ended within it): its agency, unit and appraiser go on the report. Other appraisers of the month
(after a transfer) are named in a note. When the appraiser is away under an acting assignment (Plh/Plt) on
the signature date, the acting official signs as "Plh. <position of the appraiser>".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, tuple_

from kinerja.core.output import approved_outputs, realise
from kinerja.core.plans import plans_in_force
from kinerja.core.signatory import acting_title
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.identity import rank_label
from kinerja.models import (
    ActingAssignment,
    Activity,
    ActivityStatus,
    Agency,
    Assignment,
    AttendanceKind,
    AttendanceRecord,
    Employee,
    Evaluation,
    EvaluationIndicator,
    Evidence,
    EvidenceKind,
    Iki,
    Leave,
    MonthlyActivity,
    Position,
    Predikat,
    Rating,
    Regency,
    Rhk,
    RhkKind,
    Unit,
    WorkMode,
)
from kinerja.models.skp import IkiAspect
from kinerja.reports.model import (
    ActivityLine,
    AgencyRecap,
    BknRow,
    EmployeeMonth,
    IndicatorLine,
    Person,
    Rated,
    RecapRow,
)
from kinerja.settings import setting
from kinerja.workcalendar import holidays_between, is_weekend, month_days

MODES = tuple(mode.value for mode in WorkMode)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RegencyInfo:
    name: str
    city: str
    logo: str | None


def regency_info() -> RegencyInfo:
    row = db.session.execute(select(Regency.name, Regency.signature_city, Regency.logo_path).limit(1)).first()
    if row is None:
        return RegencyInfo("", "", None)
    return RegencyInfo(row.name, row.signature_city, row.logo_path)


def signature_date(first: date, today: date) -> date:
    """The date under the signatures: the month's last day once it is over, else today."""
    last = month_days(first.year, first.month)[1]
    return last if today > last else max(today, first)


@dataclass(frozen=True)
class Placement:
    """An assignment as plain values."""

    employee_id: int
    agency_id: int
    unit_id: int
    position_id: int
    appraiser_id: int | None
    valid_from: date
    valid_to: date | None


PLACEMENT_COLUMNS = (Assignment.employee_id, Assignment.agency_id, Assignment.unit_id, Assignment.position_id,
                     Assignment.appraiser_id, Assignment.valid_from, Assignment.valid_to)


def month_placements(first: date, last: date, *, employee_ids: Iterable[int] | None = None,
                     agency_ids: Iterable[int] | None = None) -> dict[int, list[Placement]]:
    """Assignments overlapping the month, per employee, oldest first."""
    query = select(*PLACEMENT_COLUMNS).where(
        Assignment.valid_from <= last, or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
    if employee_ids is not None:
        query = query.where(Assignment.employee_id.in_(list(employee_ids)))
    if agency_ids is not None:
        query = query.where(Assignment.agency_id.in_(list(agency_ids)))
    found: dict[int, list[Placement]] = defaultdict(list)
    for row in db.session.execute(query.order_by(Assignment.valid_from, Assignment.id)):
        found[row.employee_id].append(Placement(*row))
    return found


def reference_day(placement: Placement, day: date) -> date:
    """The signature date, or the assignment's last day when it ended before."""
    return min(day, placement.valid_to) if placement.valid_to else day


def acting_for(absent_ids: Iterable[int], days: dict[int, date]) -> dict[int, tuple[int, str]]:
    """Who stands in for each absent employee on their day: {absent_id: (acting_id, 'Plh.' / 'Plt.')}."""
    ids = list(absent_ids)
    if not ids:
        return {}
    earliest, latest = min(days.values()), max(days.values())
    found: dict[int, tuple[int, str]] = {}
    for acting_id, absent_id, kind, valid_from, valid_to in db.session.execute(
        select(ActingAssignment.acting_id, ActingAssignment.absent_id, ActingAssignment.kind,
               ActingAssignment.valid_from, ActingAssignment.valid_to)
        .where(ActingAssignment.absent_id.in_(ids), ActingAssignment.valid_from <= latest,
               ActingAssignment.valid_to >= earliest)
        .order_by(ActingAssignment.valid_from, ActingAssignment.id)
    ):
        if valid_from <= days[absent_id] <= valid_to:
            found[absent_id] = (acting_id, kind.label)
    return found


def people(days: dict[int, date]) -> dict[int, Person]:
    """Identity blocks of employees, each as assigned on their day (else in their last assignment before)."""
    ids = list(days)
    if not ids:
        return {}
    latest_day = max(days.values())
    employees = {row.id: row for row in db.session.execute(
        select(Employee.id, Employee.name, Employee.front_title, Employee.back_title, Employee.id_number,
               Employee.employment_type, Employee.grade).where(Employee.id.in_(ids)))}
    placed: dict[int, tuple] = {}
    for row in db.session.execute(
        select(Assignment.employee_id, Assignment.valid_from, Assignment.valid_to, Position.name.label("position"),
               Unit.name.label("unit"), Agency.name.label("agency"))
        .join(Position, Position.id == Assignment.position_id).join(Unit, Unit.id == Assignment.unit_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.employee_id.in_(ids), Assignment.valid_from <= latest_day)
        .order_by(Assignment.valid_from, Assignment.id)
    ):
        if row.valid_from <= days[row.employee_id]:
            placed[row.employee_id] = (row.position, row.unit, row.agency)
    result = {}
    for employee_id, row in employees.items():
        name = f"{row.front_title} {row.name}".strip()
        position, unit, agency = placed.get(employee_id, ("-", "-", "-"))
        result[employee_id] = Person(
            name=f"{name}, {row.back_title}" if row.back_title else name,
            id_label="NIP" if row.employment_type.is_asn else "NIK",
            id_number=row.id_number, rank=rank_label(row.grade) or "-", position=position, unit=unit, agency=agency)
    return result


def signers(appraisers: dict[int, int | None], days: dict[int, date]) -> dict[int, Person | None]:
    """Per employee, the person who signs as their appraiser on their day (the acting one when the appraiser is
    away), with the appraiser's position prefixed by Plh./Plt. in that case."""
    appraiser_days = {appraiser_id: days[employee_id]
                      for employee_id, appraiser_id in appraisers.items() if appraiser_id is not None}
    acting = acting_for(appraiser_days, appraiser_days)
    wanted = dict(appraiser_days)
    for absent_id, (acting_id, _label) in acting.items():
        wanted.setdefault(acting_id, appraiser_days[absent_id])
    known = people(wanted)
    result: dict[int, Person | None] = {}
    for employee_id, appraiser_id in appraisers.items():
        if appraiser_id is None or appraiser_id not in known:
            result[employee_id] = None
            continue
        appraiser = known[appraiser_id]
        stand_in = acting.get(appraiser_id)
        if stand_in is not None and stand_in[0] in known:
            person = known[stand_in[0]]
            appraiser = Person(name=person.name, id_label=person.id_label, id_number=person.id_number,
                               rank=person.rank, position=acting_title(stand_in[1], appraiser.position),
                               unit=appraiser.unit, agency=appraiser.agency, acting=stand_in[1])
        result[employee_id] = appraiser
    return result


def working_days(first: date, last: date, week: int, days_off: dict, leave: list[tuple[date, date]]) -> int:
    count = 0
    day = first
    while day <= last:
        if not is_weekend(day, week) and day not in days_off and not any(a <= day <= b for a, b in leave):
            count += 1
        day += timedelta(days=1)
    return count


def leave_periods(first: date, last: date, employee_ids: list[int] | None) -> dict[int, list[tuple[date, date]]]:
    query = select(Leave.employee_id, Leave.start_date, Leave.end_date).where(
        Leave.start_date <= last, Leave.end_date >= first)
    if employee_ids is not None:
        query = query.where(Leave.employee_id.in_(employee_ids))
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for employee_id, start, end in db.session.execute(query):
        found[employee_id].append((start, end))
    return found


def work_weeks(agency_ids: Iterable[int]) -> dict[int, int]:
    return dict(db.session.execute(select(Agency.id, Agency.work_week).where(Agency.id.in_(list(agency_ids)))).all())


def decimal(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


# --- The employee's month -------------------------------------------------------------------------------------


def employee_months(employee_ids: Iterable[int], first: date, today: date) -> dict[int, EmployeeMonth]:
    """The monthly report of each employee who had an assignment in the month (others are left out)."""
    with force_locale("id"):
        return _employee_months(list(employee_ids), first, today)


def _employee_months(requested: list[int], first: date, today: date) -> dict[int, EmployeeMonth]:
    last = month_days(first.year, first.month)[1]
    placements = month_placements(first, last, employee_ids=requested)
    ids = list(placements)
    if not ids:
        return {}
    regency = regency_info()
    signed = signature_date(first, today)
    latest = {employee_id: items[-1] for employee_id, items in placements.items()}
    days = {employee_id: reference_day(placement, signed) for employee_id, placement in latest.items()}
    persons = people(days)
    appraisers = signers({employee_id: placement.appraiser_id for employee_id, placement in latest.items()}, days)
    earlier_ids = {employee_id: {item.appraiser_id for item in items[:-1]
                                 if item.appraiser_id not in (None, latest[employee_id].appraiser_id)}
                   for employee_id, items in placements.items()}
    earlier_names = people({appraiser_id: first for names in earlier_ids.values() for appraiser_id in names})
    weeks = work_weeks({placement.agency_id for placement in latest.values()})
    agency_names = dict(db.session.execute(
        select(Agency.id, Agency.name).where(Agency.id.in_(list(weeks)))).all())
    days_off = holidays_between(first, last)
    leave = leave_periods(first, last, ids)
    effective = setting("EFFECTIVE_MINUTES_PER_DAY")

    activities: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Activity.employee_id, Activity.activity_date, Activity.start_time, Activity.end_time,
               Activity.duration_minutes, Activity.description, Activity.quantity, Activity.unit,
               Activity.work_mode, Activity.status, Activity.indicator_id)
        .where(Activity.employee_id.in_(ids), Activity.activity_date.between(first, last))
        .order_by(Activity.employee_id, Activity.activity_date, Activity.start_time, Activity.id)
    ):
        activities[row.employee_id].append(row)

    monthly: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(MonthlyActivity.employee_id, MonthlyActivity.indicator_id, MonthlyActivity.planned_action,
               MonthlyActivity.status)
        .where(MonthlyActivity.employee_id.in_(ids), MonthlyActivity.year == first.year,
               MonthlyActivity.month == first.month).order_by(MonthlyActivity.id)
    ):
        monthly[row.employee_id].append(row)

    attendance: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MODES, 0))
    late: dict[int, int] = defaultdict(int)
    for employee_id, mode, number, late_minutes in db.session.execute(
        select(AttendanceRecord.employee_id, AttendanceRecord.mode, func.count(),
               func.sum(AttendanceRecord.late_minutes))
        .where(AttendanceRecord.employee_id.in_(ids), AttendanceRecord.day.between(first, last),
               AttendanceRecord.kind == AttendanceKind.IN)
        .group_by(AttendanceRecord.employee_id, AttendanceRecord.mode)
    ):
        attendance[employee_id][mode.value] = number
        late[employee_id] += int(late_minutes or 0)

    outputs = approved_outputs(ids, first)
    plans = plans_in_force(ids, first)
    indicators: dict[int, list] = defaultdict(list)  # skp id -> rows
    if plans:
        for row in db.session.execute(
            select(Rhk.skp_id, Rhk.kind, Rhk.text.label("rhk"), Iki.id, Iki.text, Iki.target_value, Iki.unit,
                   Iki.aspect)
            .join(Iki, Iki.rhk_id == Rhk.id).where(Rhk.skp_id.in_(list(plans.values())))
            .order_by(Rhk.skp_id, Rhk.kind.desc(), Rhk.position, Rhk.id, Iki.id)
        ):
            indicators[row.skp_id].append(row)
    evaluations: dict[int, tuple] = {}
    evaluated: dict[int, dict[int, tuple]] = defaultdict(dict)
    if plans:
        for row in db.session.execute(
            select(Evaluation.id, Evaluation.employee_id, Evaluation.rating_result, Evaluation.rating_behaviour,
                   Evaluation.predikat)
            .where(Evaluation.skp_id.in_(list(plans.values())), Evaluation.year == first.year,
                   Evaluation.month == first.month)
        ):
            evaluations[row.id] = row
        if evaluations:
            for evaluation_id, iki_id, adjustment, note, feedback in db.session.execute(
                select(EvaluationIndicator.evaluation_id, EvaluationIndicator.iki_id, EvaluationIndicator.adjustment,
                       EvaluationIndicator.note, EvaluationIndicator.feedback)
                .where(EvaluationIndicator.evaluation_id.in_(list(evaluations)))
            ):
                evaluated[evaluations[evaluation_id].employee_id][iki_id] = (adjustment, note, feedback)
    by_employee_evaluation = {row.employee_id: row for row in evaluations.values()}
    iki_names = {row.id: row.text for rows in indicators.values() for row in rows}
    linked = {row.indicator_id for rows in activities.values() for row in rows if row.indicator_id} - set(iki_names)
    if linked:
        iki_names.update(db.session.execute(select(Iki.id, Iki.text).where(Iki.id.in_(linked))).all())

    status_labels = {status: status.label for status in ActivityStatus}  # translated once, not per row
    result = {}
    for employee_id in ids:
        placement = latest[employee_id]
        rows = activities.get(employee_id, [])
        counts: dict[str, int] = {}
        mode_days: dict[str, set[date]] = {mode: set() for mode in MODES}
        filed_days: set[date] = set()
        approved_minutes = filed_minutes = 0
        for row in rows:
            counts[row.status.value] = counts.get(row.status.value, 0) + 1
            if row.status is not ActivityStatus.DRAFT:
                filed_days.add(row.activity_date)
                mode_days[row.work_mode.value].add(row.activity_date)
                filed_minutes += row.duration_minutes
            if row.status is ActivityStatus.APPROVED:
                approved_minutes += row.duration_minutes
        planned = {}
        for item in monthly.get(employee_id, []):
            if item.indicator_id is not None:
                planned.setdefault(item.indicator_id, item.planned_action)
        lines = []
        for row in indicators.get(plans.get(employee_id), []):
            adjustment, note, feedback = evaluated[employee_id].get(row.id, (Decimal(0), "", ""))
            done = realise(outputs[employee_id], row.id, row.unit)
            others = tuple((output.quantity, output.unit) for output in done.other_units)
            lines.append(IndicatorLine(
                rhk=row.rhk, rhk_kind=RhkKind(row.kind).label, indicator=row.text, aspect=IkiAspect(row.aspect).label,
                target=decimal(row.target_value), unit=row.unit, realised=done.quantity,
                adjustment=decimal(adjustment), note=note or "", feedback=feedback or "",
                planned_action=planned.get(row.id, ""), other_units=others))
        evaluation = by_employee_evaluation.get(employee_id)
        rated = None
        if evaluation is not None and evaluation.predikat is not None:
            rated = Rated(Rating(evaluation.rating_result).label, Rating(evaluation.rating_behaviour).label,
                          Predikat(evaluation.predikat).label, Predikat(evaluation.predikat).value)
        working = working_days(first, last, weeks.get(placement.agency_id, 5), days_off, leave.get(employee_id, []))
        notes = ()
        if earlier_ids[employee_id]:
            names = ", ".join(sorted(earlier_names[i].name for i in earlier_ids[employee_id] if i in earlier_names))
            notes = (_("Pejabat penilai sebelumnya pada bulan ini: %(names)s.", names=names),)
        result[employee_id] = EmployeeMonth(
            employee_id=employee_id, year=first.year, month=first.month, period_label=format_date(first, "MMMM y"),
            regency=regency.name, city=regency.city, logo=regency.logo, agency_id=placement.agency_id,
            agency_name=agency_names.get(placement.agency_id, ""), employee=persons[employee_id],
            appraiser=appraisers.get(employee_id),
            earlier_appraisers=tuple(sorted(earlier_names[i].name for i in earlier_ids[employee_id]
                                            if i in earlier_names)),
            activities=tuple(ActivityLine(
                day=row.activity_date, start=row.start_time, end=row.end_time, minutes=row.duration_minutes,
                description=row.description, quantity=decimal(row.quantity), unit=row.unit,
                mode=row.work_mode.value, status=row.status.value, status_label=status_labels[row.status],
                indicator=iki_names.get(row.indicator_id, "") if row.indicator_id else "") for row in rows),
            working_days=working, days_filed=len(filed_days), target_minutes=working * effective,
            approved_minutes=approved_minutes, filed_minutes=filed_minutes,
            mode_days={mode: len(found) for mode, found in mode_days.items()},
            attendance_days=dict(attendance[employee_id]), late_minutes=late[employee_id], counts=counts,
            open_monthly_items=sum(1 for item in monthly.get(employee_id, [])
                                   if item.status is not ActivityStatus.APPROVED),
            indicators=tuple(lines), evaluation=rated, signature_date=signed,
            signature_date_label=format_date(signed), notes=notes,
        )
    return result


def employee_month(employee_id: int, first: date, today: date) -> EmployeeMonth | None:
    return employee_months([employee_id], first, today).get(employee_id)


# --- Agency recaps --------------------------------------------------------------------------------------------


def agency_recaps(agency_ids: list[int] | None, first: date, today: date) -> list[AgencyRecap]:
    """The recap of each agency (all agencies when None), ordered by agency code; each employee counted in the
    agency of their last assignment of the month. A fixed number of queries whatever the headcount."""
    with force_locale("id"):
        return _agency_recaps(agency_ids, first, today)


def _agency_recaps(agency_ids: list[int] | None, first: date, today: date) -> list[AgencyRecap]:
    last = month_days(first.year, first.month)[1]
    agency_query = select(Agency.id, Agency.code, Agency.name, Agency.short_name, Agency.work_week, Agency.head_id)
    if agency_ids is not None:
        agency_query = agency_query.where(Agency.id.in_(agency_ids))
    agencies = list(db.session.execute(agency_query.order_by(Agency.code)))
    wanted = {agency.id for agency in agencies}
    everyone = agency_ids is None
    placements = month_placements(first, last, agency_ids=None if everyone else wanted)
    if not everyone:  # the employees' other assignments of the month decide which one is last
        placements = month_placements(first, last, employee_ids=list(placements))
    latest = {employee_id: items[-1] for employee_id, items in placements.items()
              if items[-1].agency_id in wanted}
    ids = list(latest)
    scope = None if everyone else ids
    in_month = Activity.activity_date.between(first, last)
    if scope is not None:
        in_month = and_(in_month, Activity.employee_id.in_(scope))

    status_counts: dict[int, dict[str, int]] = defaultdict(dict)
    approved_minutes: dict[int, int] = defaultdict(int)
    filed: dict[int, int] = {}
    mode_days: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MODES, 0))
    if ids:
        for employee_id, status, number, minutes in db.session.execute(
            select(Activity.employee_id, Activity.status, func.count(), func.sum(Activity.duration_minutes))
            .where(in_month).group_by(Activity.employee_id, Activity.status)
        ):
            status_counts[employee_id][status.value] = number
            if status is ActivityStatus.APPROVED:
                approved_minutes[employee_id] = int(minutes or 0)
        filed = dict(db.session.execute(
            select(Activity.employee_id, func.count(func.distinct(Activity.activity_date)))
            .where(in_month, Activity.status != ActivityStatus.DRAFT).group_by(Activity.employee_id)).all())
        for employee_id, mode, number in db.session.execute(
            select(Activity.employee_id, Activity.work_mode, func.count(func.distinct(Activity.activity_date)))
            .where(in_month, Activity.status != ActivityStatus.DRAFT)
            .group_by(Activity.employee_id, Activity.work_mode)
        ):
            mode_days[employee_id][mode.value] = number
    predikats: dict[int, Predikat] = {}
    evaluation_query = select(Evaluation.employee_id, Evaluation.predikat).where(
        Evaluation.year == first.year, Evaluation.month == first.month, Evaluation.predikat.is_not(None))
    if scope is not None:
        evaluation_query = evaluation_query.where(Evaluation.employee_id.in_(scope or [-1]))
    for employee_id, value in db.session.execute(evaluation_query.order_by(Evaluation.id)):
        predikats[employee_id] = value
    names = {}
    if ids:
        employee_query = (
            select(Employee.id, Employee.name, Employee.front_title, Employee.back_title, Employee.id_number,
                   Employee.grade))
        if scope is not None:
            employee_query = employee_query.where(Employee.id.in_(scope))
        names = {row.id: row for row in db.session.execute(employee_query)}
    positions = dict(db.session.execute(select(Position.id, Position.name)).all())
    units = {row.id: (row.code, row.name) for row in db.session.execute(select(Unit.id, Unit.code, Unit.name))}
    days_off = holidays_between(first, last)
    leave = leave_periods(first, last, scope)
    effective = setting("EFFECTIVE_MINUTES_PER_DAY")
    weeks = {agency.id: agency.work_week for agency in agencies}

    regency = regency_info()
    signed = signature_date(first, today)
    heads = {agency.id: agency.head_id for agency in agencies if agency.head_id is not None}
    head_people = signers({agency_id: head_id for agency_id, head_id in heads.items()},
                          dict.fromkeys(heads, signed))  # keyed by agency id, as if the agency were appraised

    rows_by_agency: dict[int, list[tuple]] = defaultdict(list)
    working_cache: dict[tuple[int, tuple], int] = {}
    for employee_id, placement in latest.items():
        employee = names.get(employee_id)
        if employee is None:
            continue
        periods = tuple(leave.get(employee_id, ()))
        key = (weeks[placement.agency_id], periods)
        if key not in working_cache:
            working_cache[key] = working_days(first, last, key[0], days_off, list(periods))
        working = working_cache[key]
        counts = status_counts.get(employee_id, {})
        value = predikats.get(employee_id)
        full_name = f"{employee.front_title} {employee.name}".strip()
        unit_code, unit_name = units.get(placement.unit_id, ("", ""))
        row = RecapRow(
            employee_id=employee_id, name=f"{full_name}, {employee.back_title}" if employee.back_title else full_name,
            id_number=employee.id_number, grade=employee.grade or "", position=positions.get(placement.position_id, ""),
            unit=unit_name, working_days=working, days_filed=filed.get(employee_id, 0),
            approved_minutes=approved_minutes.get(employee_id, 0), target_minutes=working * effective,
            approved=counts.get("approved", 0), pending=counts.get("submitted", 0),
            returned=counts.get("returned", 0), draft=counts.get("draft", 0),
            mode_days=dict(mode_days[employee_id]), predikat=value.label if value else "",
            predikat_code=value.value if value else "")
        rows_by_agency[placement.agency_id].append((unit_code, employee.name, row))
    return [
        AgencyRecap(
            agency_id=agency.id, agency_code=agency.code, agency_name=agency.name,
            agency_short_name=agency.short_name, year=first.year, month=first.month,
            period_label=format_date(first, "MMMM y"), regency=regency.name, city=regency.city, logo=regency.logo,
            head=head_people.get(agency.id), rows=tuple(item[2] for item in sorted(rows_by_agency[agency.id],
                                                                                    key=lambda item: item[:2])),
            signature_date=signed, signature_date_label=format_date(signed))
        for agency in agencies
    ]


def month_employee_ids(first: date, *, agency_id: int | None = None) -> list[int]:
    """Employees whose last assignment of the month is in the agency (all employees of the month when None),
    ordered by agency, unit code and name: the order of packs."""
    last = month_days(first.year, first.month)[1]
    placements = month_placements(first, last, agency_ids=None if agency_id is None else [agency_id])
    if agency_id is not None:
        placements = month_placements(first, last, employee_ids=list(placements))
    latest = {employee_id: items[-1] for employee_id, items in placements.items()
              if agency_id is None or items[-1].agency_id == agency_id}
    if not latest:
        return []
    order = {}
    ids = list(latest)
    for chunk_start in range(0, len(ids), 1000):
        chunk = ids[chunk_start:chunk_start + 1000]
        for employee_id, name in db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(chunk))):
            order[employee_id] = name
    units = {row.id: row.code for row in db.session.execute(select(Unit.id, Unit.code))}
    agencies = {row.id: row.code for row in db.session.execute(select(Agency.id, Agency.code))}
    return sorted(latest, key=lambda employee_id: (agencies.get(latest[employee_id].agency_id, ""),
                                                   units.get(latest[employee_id].unit_id, ""),
                                                   order.get(employee_id, ""), employee_id))


# --- BKN daily progress ---------------------------------------------------------------------------------------


def bkn_rows(first: date, employee_ids: list[int] | None, evidence_url: str,
             chunk: int = 20_000) -> Iterator[BknRow]:
    """The month's approved activities in the BKN daily-progress shape, per employee by date and time, read
    in keyset-paginated chunks (memory stays flat whatever the size). `employee_ids` None means everyone;
    `evidence_url` is the download address of a stored file with '{id}' for its id. Rencana aksi: the month's
    planned action for the linked IKI, else the IKI itself, else the activity's own description."""
    last = month_days(first.year, first.month)[1]
    scope = [Activity.activity_date.between(first, last), Activity.status == ActivityStatus.APPROVED]
    if employee_ids is not None:
        if not employee_ids:
            return
        scope.append(Activity.employee_id.in_(employee_ids))
    planned: dict[tuple[int, int], str] = {}
    planned_query = select(MonthlyActivity.employee_id, MonthlyActivity.indicator_id, MonthlyActivity.planned_action
                           ).where(MonthlyActivity.year == first.year, MonthlyActivity.month == first.month,
                                   MonthlyActivity.indicator_id.is_not(None)).order_by(MonthlyActivity.id.desc())
    if employee_ids is not None:
        planned_query = planned_query.where(MonthlyActivity.employee_id.in_(employee_ids))
    for employee_id, indicator_id, action in db.session.execute(planned_query):
        planned[(employee_id, indicator_id)] = action
    position = (Activity.employee_id, Activity.activity_date, Activity.start_time, Activity.id)
    after = None
    while True:
        page = [] if after is None else [tuple_(*position) > after]
        rows = db.session.execute(
            select(Activity.id, Activity.employee_id, Employee.id_number, Employee.name, Activity.activity_date,
                   Activity.start_time, Activity.end_time, Activity.description, Activity.quantity, Activity.unit,
                   Activity.indicator_id, Iki.text.label("iki"))
            .join(Employee, Employee.id == Activity.employee_id).outerjoin(Iki, Iki.id == Activity.indicator_id)
            .where(*scope, *page).order_by(*position).limit(chunk)
        ).all()
        if not rows:
            return
        after = (rows[-1].employee_id, rows[-1].activity_date, rows[-1].start_time, rows[-1].id)
        links: dict[int, list[str]] = defaultdict(list)
        for activity_id, evidence_id, kind, url in db.session.execute(
            select(Evidence.activity_id, Evidence.id, Evidence.kind, Evidence.url)
            .where(Evidence.activity_id.in_([row.id for row in rows])).order_by(Evidence.id)
        ):
            links[activity_id].append(url if kind is EvidenceKind.LINK and url else evidence_url.format(id=evidence_id))
        for row in rows:
            action = (planned.get((row.employee_id, row.indicator_id)) if row.indicator_id else None) \
                or row.iki or row.description
            yield BknRow(id_number=row.id_number, name=row.name, planned_action=action, day=row.activity_date,
                         start=row.start_time, end=row.end_time, description=row.description,
                         quantity=row.quantity, unit=row.unit,  # Numeric(10, 2): already a 2-place Decimal
                         evidence="\n".join(links[row.id]) if row.id in links else "")
        db.session.expire_all()
