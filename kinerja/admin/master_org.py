"""The regency's catalogue kept by BKD: agencies (OPD) and positions (jabatan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from kinerja import audit, clock
from kinerja.admin.master_data import Sort, UniqueCheck, changes_text, flush_unique, ordered, require_global
from kinerja.database import LIKE_ESCAPE, contains_pattern, finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import normalize_identity
from kinerja.main.services import RowPagination, to_agency_row
from kinerja.models import Agency, Assignment, Employee, Position, PositionKind, User
from kinerja.models.org import TIMEZONES

AGENCY_SORTS = ("code", "name", "staff")
POSITION_SORTS = ("name", "kind", "class_grade")


# --- Agencies -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyInput:
    code: str
    name: str
    short_name: str
    timezone: str
    work_week: int
    requires_evidence: bool
    head_number: str = ""


def agencies_page(on: date, page: int, per_page: int, search: str, sort: Sort) -> Pagination:
    """One page of agencies with their active staff on the day and head, searched by code or name."""
    head = aliased(Employee)
    counts = (
        select(Assignment.agency_id, func.count().label("staff"))
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Assignment.active_on(on), Employee.active.is_(True))
        .group_by(Assignment.agency_id)
        .subquery()
    )
    staff = func.coalesce(counts.c.staff, 0)
    query = (select(Agency, staff, head).outerjoin(counts, counts.c.agency_id == Agency.id)
             .outerjoin(head, head.id == Agency.head_id))
    if search:
        pattern = contains_pattern(search)
        query = query.where(or_(Agency.code.ilike(pattern, escape=LIKE_ESCAPE),
                                Agency.name.ilike(pattern, escape=LIKE_ESCAPE),
                                Agency.short_name.ilike(pattern, escape=LIKE_ESCAPE)))
    columns = {"code": Agency.code, "name": Agency.name, "staff": staff}
    return RowPagination(page=page, per_page=per_page, error_out=False,
                         select=ordered(query, sort, columns, Agency.id), convert=to_agency_row)


def agency_snapshot(agency: Agency) -> dict[str, object]:
    return {"code": agency.code, "name": agency.name, "short_name": agency.short_name,
            "timezone": agency.timezone, "work_week": agency.work_week,
            "requires_evidence": agency.requires_evidence,
            "head": agency.head.id_number if agency.head else None}


def checked_agency(data: AgencyInput) -> AgencyInput:
    """Trimmed input; refuses what the database would (empty texts, other zones or weeks)."""
    code, name, short_name = data.code.strip(), data.name.strip(), data.short_name.strip()
    for field, value in (("code", code), ("name", name), ("short_name", short_name)):
        if not value:
            raise ValidationFailed(_("Wajib diisi."), field=field)
    if data.timezone not in TIMEZONES:
        raise ValidationFailed(_("Pilih zona waktu WIB, WITA atau WIT."), field="timezone")
    if data.work_week not in (5, 6):
        raise ValidationFailed(_("Hari kerja sepekan harus 5 atau 6."), field="work_week")
    return AgencyInput(code, name, short_name, data.timezone, data.work_week, data.requires_evidence,
                       normalize_identity(data.head_number))


def agency_head(agency_id: int | None, number: str, timezone: str) -> Employee | None:
    """The employee with the NIP, active and assigned to the agency today; None for an empty NIP."""
    if not number:
        return None
    employee = db.session.scalar(select(Employee).where(Employee.id_number == number))
    if employee is None:
        raise ValidationFailed(_("Tidak ada pegawai dengan NIP %(nip)s.", nip=number), field="head_number")
    in_agency = agency_id is not None and db.session.scalar(
        select(Assignment.id).where(Assignment.employee_id == employee.id, Assignment.agency_id == agency_id,
                                    Assignment.active_on(clock.today(timezone))).limit(1))
    if not employee.active or not in_agency:
        raise ValidationFailed(_("%(name)s tidak sedang bertugas di OPD ini; kepala OPD harus pegawai aktif "
                                 "OPD ini.", name=employee.full_name), field="head_number")
    return employee


def agency_unique_checks(data: AgencyInput, agency_id: int | None) -> list[UniqueCheck]:
    others = Agency.id != agency_id if agency_id is not None else Agency.id.isnot(None)
    return [
        UniqueCheck("code", select(Agency.id).where(func.lower(Agency.code) == data.code.lower(), others),
                    _("Kode OPD %(code)s sudah dipakai.", code=data.code)),
        UniqueCheck("name", select(Agency.id).where(func.lower(Agency.name) == data.name.lower(), others),
                    _("Nama OPD ini sudah dipakai.")),
    ]


def apply_agency(agency: Agency, data: AgencyInput, head: Employee | None) -> None:
    agency.code, agency.name, agency.short_name = data.code, data.name, data.short_name
    agency.timezone, agency.work_week, agency.requires_evidence = data.timezone, data.work_week, data.requires_evidence
    agency.head = head


def create_agency(actor: User, data: AgencyInput) -> Agency:
    """Add an agency (BKD). A new agency has no staff yet, so its head is chosen later."""
    require_global(actor)
    data = checked_agency(data)
    head = agency_head(None, data.head_number, data.timezone)
    agency = Agency()
    apply_agency(agency, data, head)
    db.session.add(agency)
    flush_unique(agency_unique_checks(data, None))
    audit.record(actor, audit.Change("agency", agency.id, "create", None, None, agency.id,
                                     reason=f"{agency.code} {agency.name}"))
    finish()
    return agency


def update_agency(actor: User, agency: Agency, data: AgencyInput) -> Agency:
    """Change an agency's identity, time zone, work week, evidence rule or head (BKD)."""
    require_global(actor)
    data = checked_agency(data)
    head = agency_head(agency.id, data.head_number, data.timezone)
    before = agency_snapshot(agency)
    apply_agency(agency, data, head)
    after = agency_snapshot(agency)
    text = changes_text(before, after)
    if not text:
        return agency
    flush_unique(agency_unique_checks(data, agency.id))
    audit.record(actor, audit.Change("agency", agency.id, "update", None, None, agency.id, reason=text))
    finish()
    return agency


# --- Positions ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PositionInput:
    name: str
    kind: PositionKind
    class_grade: int
    essential: bool


def positions_page(page: int, per_page: int, search: str, sort: Sort) -> Pagination:
    """One page of the position catalogue, searched by name."""
    query = select(Position)
    if search:
        query = query.where(Position.name.ilike(contains_pattern(search), escape=LIKE_ESCAPE))
    columns = {"name": Position.name, "kind": Position.kind, "class_grade": Position.class_grade}
    return db.paginate(ordered(query, sort, columns, Position.id), page=page, per_page=per_page, error_out=False)


def checked_position(data: PositionInput) -> PositionInput:
    name = data.name.strip()
    if not name:
        raise ValidationFailed(_("Wajib diisi."), field="name")
    if not 1 <= data.class_grade <= 17:
        raise ValidationFailed(_("Kelas jabatan antara 1 dan 17."), field="class_grade")
    return PositionInput(name, PositionKind(data.kind), data.class_grade, data.essential)


def position_unique_checks(data: PositionInput, position_id: int | None) -> list[UniqueCheck]:
    others = Position.id != position_id if position_id is not None else Position.id.isnot(None)
    return [UniqueCheck("name", select(Position.id).where(func.lower(Position.name) == data.name.lower(), others),
                        _("Jabatan dengan nama ini sudah ada."))]


def position_snapshot(position: Position) -> dict[str, object]:
    return {"name": position.name, "kind": position.kind and position.kind.value,
            "class_grade": position.class_grade, "essential": position.essential}


def apply_position(position: Position, data: PositionInput) -> None:
    position.name, position.kind = data.name, data.kind
    position.class_grade, position.essential = data.class_grade, data.essential


def create_position(actor: User, data: PositionInput) -> Position:
    """Add a position to the regency's catalogue (BKD)."""
    require_global(actor)
    data = checked_position(data)
    position = Position()
    apply_position(position, data)
    db.session.add(position)
    flush_unique(position_unique_checks(data, None))
    audit.record(actor, audit.Change("position", position.id, "create", None, None, None, reason=position.name))
    finish()
    return position


def update_position(actor: User, position: Position, data: PositionInput) -> Position:
    """Change a catalogue position (BKD); its holders keep it under the new name."""
    require_global(actor)
    data = checked_position(data)
    before = position_snapshot(position)
    apply_position(position, data)
    text = changes_text(before, position_snapshot(position))
    if not text:
        return position
    flush_unique(position_unique_checks(data, position.id))
    audit.record(actor, audit.Change("position", position.id, "update", None, None, None, reason=text))
    finish()
    return position
