"""Read models for the home pages: each returns plain data in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, Integer, Select, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from kinerja.core.people import PERSON_WIDTH, PersonRow, person_columns
from kinerja.database import LIKE_ESCAPE, contains_pattern
from kinerja.extensions import db
from kinerja.models import ActingAssignment, Agency, Assignment, Employee, Position, Unit
from kinerja.permissions import appraiser_ids


@cache
def acting_roles_statement() -> Select:
    """Built once with bound parameters: every employee's home page runs it, and composing it cost more than
    running it."""
    return (select(ActingAssignment)
            .where(ActingAssignment.acting_id == bindparam("employee_id", type_=Integer),
                   ActingAssignment.active_on(bindparam("on", type_=Date)))
            .options(joinedload(ActingAssignment.absent)))


def acting_roles(employee_id: int, on: date) -> list[ActingAssignment]:
    """The acting assignments (Plh/Plt) the employee holds on the day."""
    return list(db.session.scalars(acting_roles_statement(), {"employee_id": employee_id, "on": on}))


@dataclass(frozen=True)
class SubordinateRow:
    employee: PersonRow
    position: str
    unit: str
    via_acting: bool


@cache
def subordinates_statement() -> Select:
    """The employee's current subordinates, direct and of whom they stand in for today, by name; built once with
    bound parameters (an appraiser's home runs it on every view)."""
    on = bindparam("on", type_=Date)
    return (
        select(*person_columns(), Position.name, Unit.name, Assignment.appraiser_id)
        .select_from(Assignment)
        .join(Assignment.employee).join(Assignment.position).join(Assignment.unit)
        .where(
            Assignment.active_on(on),
            Assignment.appraiser_id.in_(bindparam("appraisers", expanding=True)),
            Assignment.employee_id != bindparam("employee_id", type_=Integer),
            Employee.active.is_(True),
        )
        .order_by(Employee.name, Employee.id_number)
    )


@dataclass(frozen=True)
class Team:
    rows: list[SubordinateRow]  # the first `limit`, by name
    total: int


@cache
def first_subordinates_statement() -> Select:
    return subordinates_statement().add_columns(func.count().over()).limit(bindparam("limit", type_=Integer))


def first_subordinates(employee_id: int, on: date, limit: int) -> Team:
    """The first `limit` of `subordinates_statement` and how many there are, in one statement: the home page's
    card shows a page of names and links to the inbox for the rest (a head's team may be a hundred people)."""
    rows = db.session.execute(first_subordinates_statement(), {**subordinates_values(employee_id, on),
                                                               "limit": limit}).all()
    return Team([subordinate_row(row, employee_id) for row in rows], rows[0][-1] if rows else 0)


def subordinates_values(employee_id: int, on: date) -> dict:
    return {"on": on, "appraisers": appraiser_ids(employee_id, on), "employee_id": employee_id}


def subordinate_row(row, employee_id: int) -> SubordinateRow:
    return SubordinateRow(PersonRow(*row[:PERSON_WIDTH]), row[PERSON_WIDTH], row[PERSON_WIDTH + 1],
                          row[PERSON_WIDTH + 2] != employee_id)


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    staff: int


def unit_staff_counts(agency_id: int, on: date) -> list[UnitRow]:
    """Every unit of the agency in tree order with the number of active staff assigned to it."""
    counts = dict(
        db.session.execute(
            select(Assignment.unit_id, func.count())
            .join(Employee, Employee.id == Assignment.employee_id)
            .where(Assignment.agency_id == agency_id, Assignment.active_on(on), Employee.active.is_(True))
            .group_by(Assignment.unit_id)
        ).all()
    )
    units = db.session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.code))
    return [UnitRow(unit, counts.get(unit.id, 0)) for unit in units]


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    staff: int
    head_name: str | None


def agency_rows_select(on: date, agency_ids: set[int] | None = None, search: str = "") -> Select:
    """Agencies (all, the given ones, or those matching a search) with active staff on the day and head."""
    head = aliased(Employee)
    staff = (
        select(Assignment.agency_id, func.count().label("staff"))
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Assignment.active_on(on), Employee.active.is_(True))
        .group_by(Assignment.agency_id)
        .subquery()
    )
    query = (
        select(Agency, func.coalesce(staff.c.staff, 0), head)
        .outerjoin(staff, staff.c.agency_id == Agency.id)
        .outerjoin(head, head.id == Agency.head_id)
        .order_by(Agency.code)
    )
    if agency_ids is not None:
        query = query.where(Agency.id.in_(agency_ids))
    if search:
        pattern = contains_pattern(search)
        query = query.where(
            Agency.name.ilike(pattern, escape=LIKE_ESCAPE) | Agency.short_name.ilike(pattern, escape=LIKE_ESCAPE)
            | Agency.code.ilike(pattern, escape=LIKE_ESCAPE)
        )
    return query


def to_agency_row(agency: Agency, staff: int, head: Employee | None) -> AgencyRow:
    return AgencyRow(agency, staff, head.full_name if head else None)


def agency_staff_counts(on: date, agency_ids: set[int] | None = None) -> list[AgencyRow]:
    """Agencies (all, or the given ones) with their number of active staff on the day."""
    return [to_agency_row(*row) for row in db.session.execute(agency_rows_select(on, agency_ids))]


class RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a multi-column select, mapping each row with `convert`."""

    def _query_items(self) -> list:
        query, convert = self._query_args["select"], self._query_args["convert"]
        rows = db.session.execute(query.limit(self.per_page).offset(self._query_offset))
        return [convert(*row) for row in rows]

    def _query_count(self) -> int:
        query = self._query_args["select"].order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(query)) or 0


def agencies_page(on: date, page: int, per_page: int, search: str = "") -> Pagination:
    """One page of the regency's agencies with staff counts."""
    return RowPagination(
        page=page, per_page=per_page, error_out=False, select=agency_rows_select(on, search=search),
        convert=to_agency_row,
    )


def employees_page(agency_id: int, on: date, page: int, per_page: int, search: str = ""):
    """One page of an agency's current staff, with their assignment loaded, optionally filtered by name or NIP."""
    query = (
        select(Assignment)
        .join(Assignment.employee)
        .where(Assignment.agency_id == agency_id, Assignment.active_on(on))
        .options(
            joinedload(Assignment.employee),
            joinedload(Assignment.position),
            joinedload(Assignment.unit),
            joinedload(Assignment.appraiser),
        )
        .order_by(Employee.name, Employee.id)
    )
    if search:
        pattern = contains_pattern(search.strip())
        query = query.where(Employee.name.ilike(pattern, escape=LIKE_ESCAPE)
                            | Employee.id_number.like(pattern, escape=LIKE_ESCAPE))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
