"""Checks of the staff import against the database and across rows: names of agencies, units and positions,
the importer's scope, duplicate NIPs, appraisers and cycles in the appraiser chain.

Everything is looked up in a few queries for the whole file (agencies, units and positions whole; employees in
chunks of NIPs), never one query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from kinerja.activities.import_cells import normalise
from kinerja.admin.staff_import_rows import StaffRow
from kinerja.extensions import db
from kinerja.models import Agency, Assignment, Employee, Position, Unit, User
from kinerja.permissions import admin_agency_ids, is_global_admin

CHUNK = 500  # values per IN (...): well under every database's limit on bound parameters
SHOWN_CYCLE = 6  # NIPs of a cycle named in its message


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


@dataclass
class Lookups:
    """Agencies, units and positions by their normalised names and codes; several ids mean ambiguous."""

    agencies: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    agency_names: dict[int, str] = field(default_factory=dict)
    units: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    unit_names: dict[int, str] = field(default_factory=dict)
    positions: dict[str, tuple[int, object, str]] = field(default_factory=dict)
    allowed: set[int] | None = None  # agencies the importer may import into; None: all


def load_lookups(actor: User) -> Lookups:
    lookups = Lookups(allowed=None if is_global_admin(actor) else admin_agency_ids(actor))
    for agency_id, code, name, short_name in db.session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.short_name)):
        lookups.agency_names[agency_id] = name
        for key in {normalise(code), normalise(name), normalise(short_name)}:
            lookups.agencies[key].add(agency_id)
    for unit_id, agency_id, code, name in db.session.execute(select(Unit.id, Unit.agency_id, Unit.code, Unit.name)):
        lookups.unit_names[unit_id] = name
        for key in {normalise(code), normalise(name)}:
            lookups.units[(agency_id, key)].add(unit_id)
    for position_id, name, kind in db.session.execute(select(Position.id, Position.name, Position.kind)):
        lookups.positions[normalise(name)] = (position_id, kind, name)
    return lookups


def resolve_names(rows: list[StaffRow], lookups: Lookups) -> None:
    """Find each row's agency, unit and position, and refuse agencies outside the importer's scope."""
    for row in rows:
        if row.agency is not None:
            found = lookups.agencies.get(normalise(row.agency), set())
            if len(found) != 1:
                row.error("agency", _("OPD \"%(name)s\" tidak dikenal; tulis kode atau nama OPD seperti di daftar "
                                      "referensi templat.", name=row.agency) if not found else
                          _("OPD \"%(name)s\" tidak unik; tulis kodenya.", name=row.agency))
            elif lookups.allowed is not None and next(iter(found)) not in lookups.allowed:
                row.error("agency", _("OPD di luar wewenang Anda."))
            else:
                row.agency_id = next(iter(found))
        if row.unit is not None and row.agency_id is not None:
            found = lookups.units.get((row.agency_id, normalise(row.unit)), set())
            if len(found) == 1:
                row.unit_id = next(iter(found))
            else:
                row.error("unit", _("Unit kerja \"%(name)s\" tidak ada di OPD ini.", name=row.unit) if not found else
                          _("Ada beberapa unit kerja bernama \"%(name)s\" di OPD ini; tulis kode unitnya.",
                            name=row.unit))
        if row.position is not None:
            position = lookups.positions.get(normalise(row.position))
            if position is None:
                row.error("position", _("Jabatan \"%(name)s\" belum ada di katalog jabatan. Periksa ejaannya atau "
                                        "tambahkan dulu jabatan itu ke katalog.", name=row.position))
            elif row.position_kind is not None and row.position_kind is not position[1]:
                row.error("position_kind", _("Jabatan \"%(name)s\" di katalog berjenis %(kind)s.",
                                             name=position[2], kind=position[1].label))
            else:
                row.position_id = position[0]


def mark_duplicates(rows: list[StaffRow]) -> set[str]:
    """An error on every row whose NIP appears on another row too; returns those NIPs."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.id_number:
            numbers[row.id_number].append(row.number)
    duplicated = {nip for nip, found in numbers.items() if len(found) > 1}
    for row in rows:
        if row.id_number in duplicated:
            others = ", ".join(str(n) for n in numbers[row.id_number] if n != row.number)
            row.error("id_number", _("NIP yang sama juga ada di baris %(rows)s.", rows=others))
    return duplicated


def load_employees(numbers: Iterable[str]) -> dict[str, Employee]:
    """Employees with these NIPs, by NIP."""
    found: dict[str, Employee] = {}
    for chunk in chunks(set(numbers)):
        found.update((employee.id_number, employee)
                     for employee in db.session.scalars(select(Employee).where(Employee.id_number.in_(chunk))))
    return found


def load_assignments(employee_ids: Iterable[int], on: date) -> dict[int, list[Assignment]]:
    """Each employee's assignments that are in force on the day or start after it, earliest first."""
    found: dict[int, list[Assignment]] = defaultdict(list)
    for chunk in chunks(set(employee_ids)):
        query = (select(Assignment)
                 .where(Assignment.employee_id.in_(chunk),
                        (Assignment.valid_to.is_(None)) | (Assignment.valid_to >= on))
                 .order_by(Assignment.valid_from))
        for assignment in db.session.scalars(query):
            found[assignment.employee_id].append(assignment)
    return found


def appraiser_edges(on: date) -> dict[str, str | None]:
    """The whole regency's appraiser chain on the day, NIP to the appraiser's NIP."""
    appraiser = aliased(Employee)
    query = (select(Employee.id_number, appraiser.id_number)
             .join(Assignment, Assignment.employee_id == Employee.id)
             .outerjoin(appraiser, appraiser.id == Assignment.appraiser_id)
             .where(Assignment.active_on(on)))
    return {nip: appraiser_nip for nip, appraiser_nip in db.session.execute(query)}


def find_cycles(edges: dict[str, str | None], starts: Iterable[str]) -> dict[str, list[str]]:
    """Every NIP on a cycle reachable from the starts, with its cycle in chain order."""
    seen: set[str] = set()
    cycles: dict[str, list[str]] = {}
    for start in starts:
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in seen:
            seen.add(node)
            position[node] = len(path)
            path.append(node)
            node = edges.get(node)
        if node is not None and node in position:
            cycle = path[position[node]:]
            cycles.update((member, cycle) for member in cycle)
    return cycles


def cycle_text(nip: str, cycle: list[str]) -> str:
    start = cycle.index(nip)
    ordered = cycle[start:] + cycle[:start]
    shown = ordered[:SHOWN_CYCLE] + (["…"] if len(ordered) > SHOWN_CYCLE else [])
    return " → ".join([*shown, nip])


def check_appraisers(rows: list[StaffRow], known: dict[str, Employee], duplicated: set[str],
                     edges: dict[str, str | None]) -> None:
    """Appraisers exist (in the file or the database, active), are not the employee, and make no cycle.

    `edges` is the regency's chain on the effective date (appraiser_edges); the file's rows replace their part.
    """
    in_file = {row.id_number for row in rows if row.id_number}
    for row in rows:
        if row.id_number is None or row.id_number in duplicated:
            continue
        appraiser = row.appraiser
        if appraiser == row.id_number:
            row.error("appraiser", _("NIP atasan tidak boleh sama dengan NIP pegawai itu sendiri."))
            appraiser = None
        elif appraiser is not None and appraiser not in in_file:
            employee = known.get(appraiser)
            if employee is None:
                row.error("appraiser", _("Atasan dengan NIP %(nip)s tidak ditemukan di Kinerja maupun di berkas "
                                         "ini.", nip=appraiser))
            elif not employee.active:
                row.error("appraiser", _("Atasan dengan NIP %(nip)s sudah nonaktif.", nip=appraiser))
        edges[row.id_number] = appraiser
    cycles = find_cycles(edges, sorted(in_file - duplicated))
    for row in rows:
        cycle = cycles.get(row.id_number or "")
        if cycle is not None:
            row.error("appraiser", _("Rantai atasan berputar: %(chain)s.", chain=cycle_text(row.id_number, cycle)))
