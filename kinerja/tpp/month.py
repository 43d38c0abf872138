"""The facts of a TPP month, loaded in bulk, and the month computed for an agency, the regency or one person.

A fixed number of queries whatever the headcount: the employees in scope are a subquery, never a list of ids
(a regency has more employees than SQLite takes parameters). Each employee is counted in the agency of their
last assignment of the month; the days of every assignment of the month count, each at its own ceiling.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select

from kinerja.attendance import hours
from kinerja.attendance.corrections import approved_between
from kinerja.attendance.sessions import required_kinds, sessions_between
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityStatus,
    Agency,
    Assignment,
    AttendanceCorrection,
    AttendanceKind,
    AttendanceRecord,
    CorrectionKind,
    Employee,
    Evaluation,
    Leave,
    Position,
    TppAgencyScore,
    TppPenalty,
    TppRuleSet,
    WorkMode,
)
from kinerja.settings import setting
from kinerja.tpp.engine import Day, Month, Penalty, Result, compute
from kinerja.tpp.rules import ceilings_of, engine_rules, rule_set_for, scores_third
from kinerja.workcalendar import holidays_between, is_weekend, month_days


@dataclass(frozen=True)
class Person:
    employee_id: int
    name: str
    id_number: str
    grade: str
    employment_type: str
    agency_id: int
    position: str
    class_grade: int
    ceiling: int  # the ceiling of the last position of the month


@dataclass(frozen=True)
class Computed:
    person: Person
    result: Result


@dataclass(frozen=True)
class MonthResult:
    first: date
    rule_set: TppRuleSet | None
    rows: list[Computed]


def months_after(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def corrected_facts(facts: dict, correction: AttendanceCorrection, work_week: int) -> dict:
    """The day's facts as an approved correction describes it: the times it gives, or a day in the field."""
    facts = dict(facts, corrected=True)
    if correction.kind is CorrectionKind.FIELD_DUTY:
        return facts | {"checked_in": True, "checked_out": True, "field_duty": True, "late_minutes": 0,
                        "early_minutes": 0}
    day_hours = hours.working_hours(correction.day, work_week)
    if correction.check_in is not None:
        facts |= {"checked_in": True,
                  "late_minutes": hours.minutes_after(correction.check_in, day_hours.start)}
    if correction.check_out is not None:
        facts |= {"checked_out": True,
                  "early_minutes": hours.minutes_after(day_hours.end, correction.check_out)}
    return facts


def scope_ids(first: date, last: date, agency_ids: list[int] | None, employee_ids: list[int] | None) -> Select:
    """The employees with an assignment in the month, narrowed to the agencies' or the listed employees."""
    query = select(Assignment.employee_id).where(
        Assignment.valid_from <= last, or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
    if agency_ids is not None:
        query = query.where(Assignment.agency_id.in_(agency_ids))
    if employee_ids is not None:
        query = query.where(Assignment.employee_id.in_(employee_ids))
    return query.distinct()


def compute_month(first: date, today: date, *, agency_ids: list[int] | None = None,
                  employee_ids: list[int] | None = None) -> MonthResult:
    """Every employee's TPP of the month: of the agencies (all when None) or of the listed employees.

    `today` decides which days are past: a day not yet over is never counted absent.
    """
    rule_set = rule_set_for(first)
    if rule_set is None:
        return MonthResult(first, None, [])
    rules = engine_rules(rule_set)
    by_class, by_position = ceilings_of(rule_set)
    last = month_days(first.year, first.month)[1]
    scope = scope_ids(first, last, agency_ids, employee_ids)

    assignments: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Assignment.employee_id, Assignment.agency_id, Assignment.position_id, Assignment.valid_from,
               Assignment.valid_to, Position.name.label("position"), Position.class_grade)
        .join(Position, Position.id == Assignment.position_id)
        .where(Assignment.employee_id.in_(scope), Assignment.valid_from <= last,
               or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
        .order_by(Assignment.employee_id, Assignment.valid_from, Assignment.id)
    ):
        assignments[row.employee_id].append(row)
    wanted = set(agency_ids) if agency_ids is not None else None
    latest = {employee_id: rows[-1] for employee_id, rows in assignments.items()
              if wanted is None or rows[-1].agency_id in wanted}
    if not latest:
        return MonthResult(first, rule_set, [])

    people = {row.id: row for row in db.session.execute(
        select(Employee.id, Employee.name, Employee.front_title, Employee.back_title, Employee.id_number,
               Employee.grade, Employee.employment_type).where(Employee.id.in_(scope)))}
    weeks = dict(db.session.execute(select(Agency.id, Agency.work_week)).all())
    days_off = holidays_between(first, last)

    checks: dict[int, dict[date, dict]] = defaultdict(lambda: defaultdict(dict))
    modes: dict[tuple[int, date], WorkMode] = {}
    attended: dict[tuple[int, date], set[AttendanceKind]] = defaultdict(set)
    for row in db.session.execute(
        select(AttendanceRecord.employee_id, AttendanceRecord.day, AttendanceRecord.kind, AttendanceRecord.mode,
               AttendanceRecord.late_minutes, AttendanceRecord.early_minutes)
        .where(AttendanceRecord.employee_id.in_(scope), AttendanceRecord.day.between(first, last))
    ):
        facts = checks[row.employee_id][row.day]
        if row.kind is AttendanceKind.IN:
            facts.update(checked_in=True, late_minutes=row.late_minutes or 0,
                         field_duty=row.mode is WorkMode.DL)
            modes[(row.employee_id, row.day)] = row.mode
        elif row.kind is AttendanceKind.OUT:
            facts.update(checked_out=True, early_minutes=row.early_minutes or 0)
        else:
            attended[(row.employee_id, row.day)].add(row.kind)
    month_sessions = sessions_between(first, last)

    corrections = approved_between(scope, first, last)

    leave: dict[int, dict[date, tuple[str, bool]]] = defaultdict(dict)
    for row in db.session.execute(
        select(Leave.employee_id, Leave.kind, Leave.start_date, Leave.end_date, Leave.document_number)
        .where(Leave.employee_id.in_(scope), Leave.start_date <= last, Leave.end_date >= first)
    ):
        day = max(row.start_date, first)
        while day <= min(row.end_date, last):
            leave[row.employee_id][day] = (row.kind.value, bool(row.document_number.strip()))
            day += timedelta(days=1)

    minutes = dict(db.session.execute(
        select(Activity.employee_id, func.sum(Activity.duration_minutes))
        .where(Activity.employee_id.in_(scope), Activity.activity_date.between(first, last),
               Activity.status == ActivityStatus.APPROVED)
        .group_by(Activity.employee_id)).all())
    predikats = {employee_id: value.value for employee_id, value in db.session.execute(
        select(Evaluation.employee_id, Evaluation.predikat)
        .where(Evaluation.employee_id.in_(scope), Evaluation.year == first.year, Evaluation.month == first.month,
               Evaluation.predikat.is_not(None)).order_by(Evaluation.id))}
    penalties: dict[int, list[Penalty]] = defaultdict(list)
    for row in db.session.execute(
        select(TppPenalty.employee_id, TppPenalty.decree_number, TppPenalty.first_month, TppPenalty.months,
               TppPenalty.rate)
        .where(TppPenalty.employee_id.in_(scope), TppPenalty.first_month <= first)
        .order_by(TppPenalty.first_month, TppPenalty.id)
    ):
        if months_after(row.first_month, row.months) > first:
            penalties[row.employee_id].append(Penalty(row.decree_number, row.rate))

    scores = agency_scores(first) if scores_third(rule_set) else {}

    effective = setting("EFFECTIVE_MINUTES_PER_DAY")
    calendar = [first + timedelta(days=n) for n in range(last.day)]
    rows = []
    for employee_id, final in latest.items():
        person = people.get(employee_id)
        if person is None:
            continue
        held = assignments[employee_id]
        facts_by_day = checks.get(employee_id, {})
        leave_by_day = leave.get(employee_id, {})
        days = []
        for day in calendar:
            placement = next((row for row in held if row.valid_from <= day
                              and (row.valid_to is None or row.valid_to >= day)), None)
            if placement is None:
                days.append(Day(day=day, assigned=False, working=False))
                continue
            ceiling = by_position.get(placement.position_id, by_class.get(placement.class_grade, 0))
            kind, documented = leave_by_day.get(day, (None, False))
            week = weeks.get(placement.agency_id, 5)
            facts = facts_by_day.get(day, {})
            working = not is_weekend(day, week) and day not in days_off
            mode = modes.get((employee_id, day))
            correction = corrections.get(employee_id, {}).get(day)
            if correction is not None:
                facts = corrected_facts(facts, correction, week)
            if working and mode is not None and month_sessions and (
                    correction is None or correction.kind is CorrectionKind.FORGOT_OUT):
                facts = dict(facts, missed_sessions=sum(
                    1 for session in required_kinds(month_sessions, day, mode)
                    if session not in attended.get((employee_id, day), ())))
            days.append(Day(
                day=day, ceiling=ceiling, working=working,
                assessed=day < today, leave=kind, leave_documented=documented, **facts))
        month = Month(days_in_month=last.day, employment_type=person.employment_type.value, days=tuple(days),
                      effective_minutes_per_day=effective, approved_minutes=int(minutes.get(employee_id) or 0),
                      predikat=predikats.get(employee_id), penalties=tuple(penalties.get(employee_id, ())),
                      third_score=scores.get(final.agency_id))
        full = f"{person.front_title} {person.name}".strip()
        rows.append(Computed(
            person=Person(
                employee_id=employee_id, name=f"{full}, {person.back_title}" if person.back_title else full,
                id_number=person.id_number, grade=person.grade or "", employment_type=person.employment_type.value,
                agency_id=final.agency_id, position=final.position, class_grade=final.class_grade,
                ceiling=by_position.get(final.position_id, by_class.get(final.class_grade, 0))),
            result=compute(rules, month)))
    rows.sort(key=lambda item: (-item.person.class_grade, item.person.name))
    return MonthResult(first, rule_set, rows)


def agency_scores(first: date) -> dict[int, int]:
    """Each agency's score of the month for a measured third share (basis points), as BKD entered it."""
    return dict(db.session.execute(select(TppAgencyScore.agency_id, TppAgencyScore.score).where(
        TppAgencyScore.year == first.year, TppAgencyScore.month == first.month)).all())
