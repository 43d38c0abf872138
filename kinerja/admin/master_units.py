"""An agency's units (unit kerja) as a tree: read in two queries, changed without cycles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kinerja import audit
from kinerja.admin.master_data import UniqueCheck, changes_text, flush_unique, lock_agency, require_manager
from kinerja.database import finish
from kinerja.errors import Conflict, ValidationFailed
from kinerja.extensions import db
from kinerja.main.services import unit_staff_counts
from kinerja.models import Agency, Assignment, Unit, User


@dataclass(frozen=True)
class UnitNode:
    """A unit in tree order: its depth, its own active staff and those of its whole branch."""

    unit: Unit
    depth: int
    staff: int
    branch_staff: int
    children: int


def children_by_parent(units: Iterable[Unit]) -> dict[int | None, list[Unit]]:
    """Units grouped by parent id, each group in code order; a parent outside the list counts as the root."""
    units = list(units)
    ids = {unit.id for unit in units}
    groups: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda item: (item.code, item.id)):
        groups.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    return groups


def tree_order(units: Iterable[Unit]) -> list[tuple[Unit, int, int]]:
    """(unit, depth, number of children) with every parent before its children, siblings in code order."""
    groups = children_by_parent(units)
    ordered: list[tuple[Unit, int, int]] = []
    stack = [(root, 0) for root in reversed(groups.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        children = groups.get(unit.id, [])
        ordered.append((unit, depth, len(children)))
        stack.extend((child, depth + 1) for child in reversed(children))
    return ordered


def unit_tree(agency_id: int, on: date) -> list[UnitNode]:
    """Every unit of the agency in tree order with staff counts on the day (two queries in all)."""
    rows = unit_staff_counts(agency_id, on)
    staff = {row.unit.id: row.staff for row in rows}
    ordered = tree_order(row.unit for row in rows)
    branch = dict(staff)
    for unit, _depth, _children in reversed(ordered):  # children come after their parent: add them up first
        if unit.parent_id in branch:
            branch[unit.parent_id] += branch[unit.id]
    return [UnitNode(unit, depth, staff[unit.id], branch[unit.id], children) for unit, depth, children in ordered]


def descendant_ids(units: Iterable[Unit], unit_id: int) -> set[int]:
    """Ids of the unit's children, their children, and so on."""
    groups = children_by_parent(units)
    found: set[int] = set()
    pending = [unit_id]
    while pending:
        for child in groups.get(pending.pop(), ()):
            if child.id not in found:
                found.add(child.id)
                pending.append(child.id)
    return found


def agency_units(agency_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.agency_id == agency_id)))


def parent_choices(agency_id: int, unit: Unit | None = None) -> list[tuple[int, str, int]]:
    """(id, label, depth) of the units that may become the parent: not the unit itself nor its branch."""
    units = agency_units(agency_id)
    excluded = set() if unit is None else {unit.id} | descendant_ids(units, unit.id)
    return [(item.id, f"{item.code} {item.name}", depth) for item, depth, _children in tree_order(units)
            if item.id not in excluded]


@dataclass(frozen=True)
class UnitInput:
    code: str
    name: str
    parent_id: int | None
    essential: bool


def checked_parent(agency: Agency, unit: Unit | None, parent_id: int | None) -> Unit | None:
    """The parent if it is a unit of the same agency and not the unit or one of its descendants."""
    if parent_id is None:
        return None
    units = agency_units(agency.id)
    parent = next((item for item in units if item.id == parent_id), None)
    if parent is None:
        raise ValidationFailed(_("Unit induk harus unit kerja OPD ini."), field="parent_id")
    if unit is not None and (parent.id == unit.id or parent.id in descendant_ids(units, unit.id)):
        raise ValidationFailed(_("Unit induk tidak boleh unit ini sendiri atau salah satu unit di bawahnya."),
                               field="parent_id")
    return parent


def checked_unit(data: UnitInput) -> UnitInput:
    code, name = data.code.strip(), data.name.strip()
    for field, value in (("code", code), ("name", name)):
        if not value:
            raise ValidationFailed(_("Wajib diisi."), field=field)
    return UnitInput(code, name, data.parent_id, data.essential)


def unit_unique_checks(agency_id: int, data: UnitInput, unit_id: int | None) -> list[UniqueCheck]:
    others = Unit.id != unit_id if unit_id is not None else Unit.id.isnot(None)
    taken = select(Unit.id).where(Unit.agency_id == agency_id, func.lower(Unit.code) == data.code.lower(), others)
    return [UniqueCheck("code", taken, _("Kode unit %(code)s sudah dipakai di OPD ini.", code=data.code))]


def unit_snapshot(unit: Unit) -> dict[str, object]:
    return {"code": unit.code, "name": unit.name, "parent": unit.parent.code if unit.parent else None,
            "essential": unit.essential}


def create_unit(actor: User, agency: Agency, data: UnitInput) -> Unit:
    """Add a unit to the agency's tree, at the top or under a parent of the same agency."""
    require_manager(actor, agency.id)
    data = checked_unit(data)
    lock_agency(agency.id)
    parent = checked_parent(agency, None, data.parent_id)
    unit = Unit(agency_id=agency.id, parent=parent, code=data.code, name=data.name, essential=data.essential)
    db.session.add(unit)
    flush_unique(unit_unique_checks(agency.id, data, None))
    audit.record(actor, audit.Change("unit", unit.id, "create", None, None, agency.id,
                                     reason=f"{unit.code} {unit.name}"))
    finish()
    return unit


def update_unit(actor: User, unit: Unit, data: UnitInput) -> Unit:
    """Rename, recode, move (never under itself) or mark a unit essential."""
    require_manager(actor, unit.agency_id)
    data = checked_unit(data)
    lock_agency(unit.agency_id)
    parent = checked_parent(unit.agency, unit, data.parent_id)
    before = unit_snapshot(unit)
    unit.code, unit.name, unit.parent, unit.essential = data.code, data.name, parent, data.essential
    text = changes_text(before, unit_snapshot(unit))
    if not text:
        return unit
    flush_unique(unit_unique_checks(unit.agency_id, data, unit.id))
    audit.record(actor, audit.Change("unit", unit.id, "update", None, None, unit.agency_id, reason=text))
    finish()
    return unit


def delete_unit(actor: User, unit: Unit) -> None:
    """Remove a unit nobody was ever assigned to and with no units under it."""
    require_manager(actor, unit.agency_id)
    lock_agency(unit.agency_id)
    children = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id)) or 0
    if children:
        raise ValidationFailed(_("Unit %(name)s masih membawahi %(n)s unit. Pindahkan atau hapus unit-unit itu "
                                 "terlebih dahulu.", name=unit.name, n=children))
    assigned = db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.unit_id == unit.id))
    if assigned:
        raise ValidationFailed(_("Unit %(name)s tidak dapat dihapus: %(n)s riwayat penugasan pegawai merujuk ke "
                                 "unit ini. Ubah nama unit bila perlu.", name=unit.name, n=assigned))
    agency_id, unit_id, label = unit.agency_id, unit.id, f"{unit.code} {unit.name}"
    db.session.delete(unit)
    try:
        db.session.flush()
    except IntegrityError as error:  # someone assigned staff or added a child unit meanwhile
        db.session.rollback()
        raise Conflict(_("Unit ini baru saja dipakai; muat ulang halaman.")) from error
    audit.record(actor, audit.Change("unit", unit_id, "delete", None, None, agency_id, reason=label))
    finish()
