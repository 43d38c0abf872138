"""The BKD dashboard: one month's filing, approval, waiting items, minutes, work modes and predikat per agency,
per unit of an agency and per employee of a unit, as plain data for the pages, the charts and the XLSX export.

Loaded in bulk whatever the headcount: the agency recaps (kinerja.reports.data.agency_recaps) plus the month's
placements and the oldest waiting item per employee, and for the current month three queries more for the
working days so far. An employee counts, for a month, in the agency and unit of their last assignment in it.
The current month is measured up to today (the days still to come are not due yet); past months in full.

The pages keep the figures of a scope and month for DASHBOARD_CACHE_SECONDS (per app process; 0 turns it off),
since a regency-wide board reads every employee's month: they say when the figures were read, and "Perbarui"
reads them again. The XLSX exports always read afresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import func, select

from kinerja import clock
from kinerja.admin.master_data import Sort
from kinerja.admin.master_units import tree_order
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus, Agency, Predikat, Unit
from kinerja.reports.data import (
    Placement,
    agency_recaps,
    holidays_between,
    leave_periods,
    month_placements,
    work_weeks,
    working_days,
)
from kinerja.reports.model import AgencyRecap, RecapRow
from kinerja.settings import setting
from kinerja.workcalendar import month_days

T = TypeVar("T")
MODES = ("WFO", "WFH", "DL")
PREDIKATS = tuple(Predikat)  # Sangat Baik … Sangat Kurang


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class Figures:
    """Sums over some employees for the month; the percentages follow from them."""

    staff: int = 0
    working_days: int = 0
    days_filed: int = 0
    approved: int = 0
    pending: int = 0  # submitted and waiting for the appraiser
    returned: int = 0
    approved_minutes: int = 0
    target_minutes: int = 0
    waiting_days: int | None = None  # age in days of the oldest waiting item, None when nothing waits
    mode_days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))
    predikat: dict[str, int] = field(default_factory=lambda: {item.value: 0 for item in PREDIKATS})

    def __add__(self, other: Figures) -> Figures:
        ages = [age for age in (self.waiting_days, other.waiting_days) if age is not None]
        return Figures(
            staff=self.staff + other.staff, working_days=self.working_days + other.working_days,
            days_filed=self.days_filed + other.days_filed, approved=self.approved + other.approved,
            pending=self.pending + other.pending, returned=self.returned + other.returned,
            approved_minutes=self.approved_minutes + other.approved_minutes,
            target_minutes=self.target_minutes + other.target_minutes, waiting_days=max(ages) if ages else None,
            mode_days={mode: self.mode_days[mode] + other.mode_days[mode] for mode in MODES},
            predikat={code: self.predikat[code] + other.predikat[code] for code in self.predikat})

    @property
    def filed_percent(self) -> float:
        """Days filed over working days."""
        return percent(self.days_filed, self.working_days)

    @property
    def approval_percent(self) -> float:
        """Approved activities over those sent to the appraiser (approved, waiting or returned)."""
        return percent(self.approved, self.approved + self.pending + self.returned)

    @property
    def minutes_percent(self) -> float:
        return percent(self.approved_minutes, self.target_minutes)

    def mode_share(self, mode: str) -> float:
        """The mode's share of the days filed per mode (a day in two modes counts in both)."""
        return percent(self.mode_days[mode], sum(self.mode_days.values()))

    @property
    def rated(self) -> int:
        return sum(self.predikat.values())


SUMMED = ("staff", "working_days", "days_filed", "approved", "pending", "returned", "approved_minutes",
          "target_minutes")


def total(figures: Iterable[Figures]) -> Figures:
    """The sum of `figures` (as `+` gives it), added up in place: a regency board sums thousands of employees."""
    sums = dict.fromkeys(SUMMED, 0)
    mode_days = dict.fromkeys(MODES, 0)
    predikat = {item.value: 0 for item in PREDIKATS}
    waiting: int | None = None
    for item in figures:
        for name in SUMMED:
            sums[name] += getattr(item, name)
        for mode in MODES:
            mode_days[mode] += item.mode_days[mode]
        for code in predikat:
            predikat[code] += item.predikat[code]
        if item.waiting_days is not None and (waiting is None or item.waiting_days > waiting):
            waiting = item.waiting_days
    return Figures(**sums, waiting_days=waiting, mode_days=mode_days, predikat=predikat)


@dataclass(frozen=True)
class Line:
    """One row of the dashboard: an agency, a unit or an employee."""

    id: int
    code: str  # agency or unit code; the NIP for an employee
    name: str
    figures: Figures
    depth: int = 0  # a unit's level in its agency's tree
    detail: str = ""  # the agency's short name, or the employee's position
    unit: str = ""  # the employee's unit
    predikat: str = ""  # the employee's Predikat value, "" when not rated


@dataclass(frozen=True)
class Dashboard:
    month: date
    until: date  # the last day counted: today in the current month, else the month's last day
    lines: tuple[Line, ...]
    total: Figures
    as_of: datetime | None = None  # when the figures were read, when the page shows kept ones

    @property
    def complete(self) -> bool:
        return self.until == month_days(self.month.year, self.month.month)[1]


def _age(value) -> float:
    return -1 if value is None else value


SORTS: dict[str, Callable[[Line], object]] = {
    "kode": lambda line: 0,  # the natural order: agency codes, the unit tree, names
    "nama": lambda line: line.name.casefold(),
    "pegawai": lambda line: line.figures.staff,
    "mengisi": lambda line: line.figures.filed_percent,
    "persetujuan": lambda line: line.figures.approval_percent,
    "menunggu": lambda line: line.figures.pending,
    "tertua": lambda line: _age(line.figures.waiting_days),
    "menit": lambda line: line.figures.minutes_percent,
    **{mode.lower(): (lambda line, mode=mode: line.figures.mode_share(mode)) for mode in MODES},
    **{item.value: (lambda line, code=item.value: line.figures.predikat[code]) for item in PREDIKATS},
}


def sorted_lines(lines: Iterable[Line], sort: Sort) -> tuple[Line, ...]:
    """The lines in the chosen order (stable: ties keep the natural order)."""
    lines = list(lines)
    if sort.key == "kode" or sort.key not in SORTS:
        return tuple(reversed(lines)) if sort.key == "kode" and sort.descending else tuple(lines)
    return tuple(sorted(lines, key=SORTS[sort.key], reverse=sort.descending))


# --- Loading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeFigures:
    row: RecapRow
    placement: Placement
    figures: Figures


def employee_figures(agency_ids: list[int] | None, first: date, today: date
                     ) -> list[tuple[AgencyRecap, list[EmployeeFigures]]]:
    """Each agency (all of them when None, by code) with its employees' figures for the month."""
    last = month_days(first.year, first.month)[1]
    until = min(last, today)
    recaps = agency_recaps(agency_ids, first, today)
    rows = [row for recap in recaps for row in recap.rows]
    ids = [row.employee_id for row in rows]
    scope = None if agency_ids is None else ids
    placements = month_placements(first, last, employee_ids=scope) if scope is None or scope else {}
    latest = {employee_id: items[-1] for employee_id, items in placements.items()}
    ages = waiting_ages(first, last, today, scope)
    so_far = working_days_so_far(first, until, latest, scope) if until < last else None
    effective = setting("EFFECTIVE_MINUTES_PER_DAY")

    result = []
    for recap in recaps:
        items = []
        result.append((recap, items))
        for row in recap.rows:
            placement = latest.get(row.employee_id)
            if placement is None:
                continue
            working = row.working_days if so_far is None else so_far[row.employee_id]
            target = row.target_minutes if so_far is None else working * effective
            predikat = {item.value: 0 for item in PREDIKATS}
            if row.predikat_code in predikat:
                predikat[row.predikat_code] = 1
            figures = Figures(
                staff=1, working_days=working, days_filed=row.days_filed, approved=row.approved, pending=row.pending,
                returned=row.returned, approved_minutes=row.approved_minutes, target_minutes=target,
                waiting_days=ages.get(row.employee_id),
                mode_days={mode: row.mode_days.get(mode, 0) for mode in MODES}, predikat=predikat)
            items.append(EmployeeFigures(row, placement, figures))
    return result


KEPT_SCOPES = 64  # scope-month figures kept per app before the oldest are dropped


def kept_figures(agency_ids: list[int] | None, first: date, today: date, *, fresh: bool = False
                 ) -> tuple[list[tuple[AgencyRecap, list[EmployeeFigures]]], datetime | None]:
    """`employee_figures`, kept for DASHBOARD_CACHE_SECONDS, with the time they were read (None when the
    setting is 0 and they are always read afresh); `fresh` reads them again and keeps the new ones."""
    seconds = current_app.config.get("DASHBOARD_CACHE_SECONDS", 0)
    if seconds <= 0:
        return employee_figures(agency_ids, first, today), None
    now = clock.utcnow()
    kept = current_app.extensions.setdefault("dashboard_figures", {})
    key = (None if agency_ids is None else tuple(sorted(agency_ids)), first, today, str(get_locale()))
    hit = kept.get(key)
    if hit is not None and not fresh and 0 <= (now - hit[1]).total_seconds() < seconds:
        return hit
    for old_key in [k for k, (_figures, read) in kept.items() if (now - read).total_seconds() >= seconds]:
        kept.pop(old_key, None)
    while len(kept) >= KEPT_SCOPES:
        kept.pop(next(iter(kept)))
    kept[key] = (employee_figures(agency_ids, first, today), now)
    return kept[key]


def derived(found: list, name: Hashable, compute: Callable[[], T], kept: bool) -> T:
    """`compute()`, a value made from figures `kept_figures` gave (`kept`: `found` is one of its lists): kept as
    long as those same figures are, so a view of kept figures does not add up thousands of employees again.
    Values of figures no longer kept are dropped, so they never hold old figures in memory."""
    if not kept:
        return compute()
    values = current_app.extensions.setdefault("dashboard_derived", {})
    key = (id(found), name)
    hit = values.get(key)
    if hit is not None and hit[0] is found:
        return hit[1]
    figures = current_app.extensions.get("dashboard_figures", {})
    live = {id(scope) for scope, _read in figures.values()} | {
        id(items) for scope, _read in figures.values() for _recap, items in scope}
    for stale in [stale for stale, (source, _value) in values.items() if id(source) not in live]:
        del values[stale]
    value = compute()
    values[key] = (found, value)
    return value


def waiting_ages(first: date, last: date, today: date, employee_ids: list[int] | None) -> dict[int, int]:
    """Per employee, the age in days of their oldest activity of the month still waiting for the appraiser."""
    query = (select(Activity.employee_id, func.min(Activity.submitted_at))
             .where(Activity.activity_date.between(first, last), Activity.status == ActivityStatus.SUBMITTED)
             .group_by(Activity.employee_id))
    if employee_ids is not None:
        if not employee_ids:
            return {}
        query = query.where(Activity.employee_id.in_(employee_ids))
    zone = clock.zone()
    return {employee_id: max(0, (today - submitted.astimezone(zone).date()).days)
            for employee_id, submitted in db.session.execute(query) if submitted is not None}


def working_days_so_far(first: date, until: date, latest: dict[int, Placement],
                        employee_ids: list[int] | None) -> dict[int, int]:
    """Per employee, their working days from the first of the month to `until` (leave taken off)."""
    weeks = work_weeks({placement.agency_id for placement in latest.values()})
    days_off = holidays_between(first, until) if until >= first else {}
    leave = leave_periods(first, until, employee_ids) if until >= first else {}
    cache: dict[tuple, int] = {}
    result = {}
    for employee_id, placement in latest.items():
        key = (weeks.get(placement.agency_id, 5), tuple(leave.get(employee_id, ())))
        if key not in cache:
            cache[key] = working_days(first, until, key[0], days_off, list(key[1])) if until >= first else 0
        result[employee_id] = cache[key]
    return result


# --- The three levels ------------------------------------------------------------------------------------------


def board(first: date, today: date, lines: list[Line], sort: Sort, as_of: datetime | None = None) -> Dashboard:
    last = month_days(first.year, first.month)[1]
    return Dashboard(month=first, until=min(last, max(today, first)), lines=sorted_lines(lines, sort),
                     total=total(line.figures for line in lines), as_of=as_of)


def regency_dashboard(first: date, today: date, sort: Sort, *, kept: bool = False, fresh: bool = False
                      ) -> Dashboard:
    """One line per agency, in code order; `kept` allows figures read a moment ago (`kept_figures`)."""
    found, as_of = kept_figures(None, first, today, fresh=fresh) if kept else (
        employee_figures(None, first, today), None)
    lines = derived(found, "agencies", lambda: [
        Line(id=recap.agency_id, code=recap.agency_code, name=recap.agency_name, detail=recap.agency_short_name,
             figures=total(item.figures for item in items))
        for recap, items in found], as_of is not None)
    return board(first, today, lines, sort, as_of)


def agency_items(agency_id: int, first: date, today: date, *, kept: bool = False, fresh: bool = False
                 ) -> tuple[list[EmployeeFigures], datetime | None]:
    found, as_of = kept_figures([agency_id], first, today, fresh=fresh) if kept else (
        employee_figures([agency_id], first, today), None)
    return (found[0][1] if found else []), as_of


def agency_dashboards(agency: Agency, first: date, today: date, sort: Sort, *, kept: bool = False,
                      fresh: bool = False) -> tuple[Dashboard, Dashboard]:
    """The agency's units in tree order (each counting its own staff, not its sub-units'), and its staff by name
    (for the export's second sheet)."""
    items, as_of = agency_items(agency.id, first, today, kept=kept, fresh=fresh)

    def unit_lines() -> list[Line]:
        by_unit: dict[int, list[Figures]] = defaultdict(list)
        for item in items:
            by_unit[item.placement.unit_id].append(item.figures)
        units = db.session.scalars(select(Unit).where(Unit.agency_id == agency.id))
        return [Line(id=unit.id, code=unit.code, name=unit.name, depth=depth,
                     figures=total(by_unit.get(unit.id, ()))) for unit, depth, _children in tree_order(units)]

    kept_now = as_of is not None
    return (board(first, today, derived(items, "units", unit_lines, kept_now), sort, as_of),
            board(first, today, derived(items, "staff", lambda: employee_lines(items), kept_now), Sort("kode", False),
                  as_of))


def employee_lines(items: Iterable[EmployeeFigures]) -> list[Line]:
    return [Line(id=item.row.employee_id, code=item.row.id_number, name=item.row.name, detail=item.row.position,
                 unit=item.row.unit, predikat=item.row.predikat_code, figures=item.figures)
            for item in sorted(items, key=lambda item: (item.row.name.casefold(), item.row.employee_id))]


def unit_dashboard(unit: Unit, first: date, today: date, sort: Sort, *, kept: bool = False, fresh: bool = False
                   ) -> Dashboard:
    """One line per employee whose last assignment of the month is in the unit, by name."""
    items, as_of = agency_items(unit.agency_id, first, today, kept=kept, fresh=fresh)
    return board(first, today, employee_lines(item for item in items if item.placement.unit_id == unit.id), sort,
                 as_of)
