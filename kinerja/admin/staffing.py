"""Staff administration: who an admin may see, the employees list, transfers, promotions and retirement.

An employee's history is their assignments, each valid from one date to another. A transfer closes the
latest assignment the day before the effective date and opens a new one, so reports and permissions of
past months keep following the assignment valid then. Retirement closes the assignment and deactivates the
employee and their account; nothing is deleted. Both bring the office-duty rosters along from the date
(kinerja/roster/moves.py): days in an agency left are taken out, the agency joined takes them in.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from kinerja import audit
from kinerja.core.locks import lock_employee
from kinerja.core.periods import month_closed
from kinerja.database import LIKE_ESCAPE, contains_pattern, finish
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date, translated
from kinerja.identity import normalize_identity
from kinerja.main.services import RowPagination
from kinerja.models import Agency, Assignment, Employee, Position, Unit, User
from kinerja.models.accounts import new_session_token
from kinerja.permissions import admin_agency_ids, is_global_admin
from kinerja.roster.moves import follow_assignments

MAX_CHAIN = 100  # appraiser chains are a handful of levels; this only stops a loop in bad data


class SeparationReason(enum.StrEnum):
    RETIRED = "pensiun"
    RESIGNED = "berhenti"
    DISMISSED = "diberhentikan"
    DECEASED = "meninggal"
    MOVED_OUT = "pindah_keluar"
    OTHER = "lainnya"

    @property
    def label(self) -> str:
        return translated(SEPARATION_LABELS[self])


SEPARATION_LABELS = {
    SeparationReason.RETIRED: _l("Pensiun"),
    SeparationReason.RESIGNED: _l("Berhenti atas permintaan sendiri"),
    SeparationReason.DISMISSED: _l("Diberhentikan"),
    SeparationReason.DECEASED: _l("Meninggal dunia"),
    SeparationReason.MOVED_OUT: _l("Pindah ke luar daerah"),
    SeparationReason.OTHER: _l("Lainnya"),
}


# --- Scope and the employees list ----------------------------------------------------------------------------


def placement_select(on: date) -> Select:
    """Per employee, the start of their latest assignment begun by the day: the one valid then, or their last
    one when it has ended (retired staff stay with the agency they left)."""
    return (select(Assignment.employee_id, func.max(Assignment.valid_from).label("valid_from"))
            .where(Assignment.valid_from <= on).group_by(Assignment.employee_id))


def employees_select(actor: User, on: date) -> Select:
    """Employees the actor administers on the day, each with their placement (assignment, unit, agency,
    position; None for BKD's view of someone never assigned)."""
    latest = placement_select(on).subquery()
    query = (
        select(Employee, Assignment, Unit, Agency, Position)
        .outerjoin(latest, latest.c.employee_id == Employee.id)
        .outerjoin(Assignment, (Assignment.employee_id == Employee.id)
                   & (Assignment.valid_from == latest.c.valid_from))
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(Agency, Agency.id == Assignment.agency_id)
        .outerjoin(Position, Position.id == Assignment.position_id)
    )
    if not is_global_admin(actor):
        query = query.where(Assignment.agency_id.in_(admin_agency_ids(actor)))
    return query


def administered(actor: User, on: date) -> ColumnElement[bool]:
    """SQL condition on Employee.id: employees whose placement on the day is in the actor's agencies."""
    if is_global_admin(actor):
        return true()
    latest = placement_select(on).subquery()
    placed = (select(Assignment.employee_id)
              .join(latest, (latest.c.employee_id == Assignment.employee_id)
                    & (latest.c.valid_from == Assignment.valid_from))
              .where(Assignment.agency_id.in_(admin_agency_ids(actor))))
    return Employee.id.in_(placed)


def load_administered_employee(actor: User, employee_id: int, on: date) -> Employee | None:
    """The employee if the actor administers them today or on the chosen day, else None (the view 404s)."""
    return db.session.scalar(select(Employee).where(Employee.id == employee_id, administered(actor, on)))


@dataclass(frozen=True)
class EmployeeRow:
    employee: Employee
    assignment: Assignment | None
    unit: Unit | None
    agency: Agency | None
    position: Position | None


SORTS = {
    "nama": (Employee.name, Employee.id),
    "nip": (Employee.id_number,),
    "unit": (Agency.code, Unit.code, Employee.name, Employee.id),
}


@dataclass(frozen=True)
class EmployeeFilter:
    search: str = ""
    agency_id: int | None = None
    unit_id: int | None = None
    status: str = "aktif"  # aktif, nonaktif, semua
    sort: str = "nama"


def employees_page(actor: User, on: date, filters: EmployeeFilter, page: int, per_page: int) -> Pagination:
    """One page of the employees the actor administers, filtered and sorted, in two queries."""
    query = employees_select(actor, on)
    if filters.search:
        pattern = contains_pattern(filters.search)
        query = query.where(Employee.name.ilike(pattern, escape=LIKE_ESCAPE)
                            | Employee.id_number.like(pattern, escape=LIKE_ESCAPE))
    if filters.agency_id:
        query = query.where(Assignment.agency_id == filters.agency_id)
    if filters.unit_id:
        query = query.where(Assignment.unit_id == filters.unit_id)
    if filters.status in ("aktif", "nonaktif"):
        query = query.where(Employee.active.is_(filters.status == "aktif"))
    query = query.order_by(*SORTS.get(filters.sort, SORTS["nama"]))
    return RowPagination(page=page, per_page=per_page, error_out=False, select=query, convert=EmployeeRow)


def administered_agencies(actor: User) -> list[Agency]:
    query = select(Agency).order_by(Agency.code)
    if not is_global_admin(actor):
        query = query.where(Agency.id.in_(admin_agency_ids(actor)))
    return list(db.session.scalars(query))


def agency_units(agency_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.code)))


def positions() -> list[Position]:
    return list(db.session.scalars(select(Position).order_by(Position.name)))


def latest_assignment(employee_id: int) -> Assignment | None:
    """The employee's most recent assignment (possibly scheduled for the future or already ended)."""
    return db.session.scalar(select(Assignment).where(Assignment.employee_id == employee_id)
                             .order_by(Assignment.valid_from.desc(), Assignment.id.desc()).limit(1))


def subordinates_from(employee_id: int, day: date) -> list[Employee]:
    """Active employees whose assignment on or after the day names this employee as appraiser."""
    return list(db.session.scalars(
        select(Employee).join(Assignment, Assignment.employee_id == Employee.id)
        .where(Assignment.appraiser_id == employee_id, Employee.active.is_(True),
               (Assignment.valid_to.is_(None)) | (Assignment.valid_to >= day))
        .distinct().order_by(Employee.name)))


# --- Transfers and promotions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferInput:
    effective_date: date
    agency_id: int
    unit_id: int
    position_id: int
    appraiser_number: str = ""
    decree_number: str = ""


@dataclass(frozen=True)
class TransferResult:
    assignment: Assignment
    reactivated: bool
    subordinates: list[Employee]  # whose appraiser this employee still is: to be moved by hand


def check_not_locked(agency_ids: set[int], day: date, today: date, field: str = "effective_date") -> None:
    if any(month_closed(agency_id, day, today) for agency_id in agency_ids):
        raise ValidationFailed(_("Bulan %(month)s sudah ditutup; pilih tanggal di bulan yang masih terbuka.",
                                 month=format_date(day, "LLLL y")), field=field)


def find_appraiser(number: str, employee: Employee, agency: Agency, day: date) -> Employee | None:
    """The appraiser named by NIP: active, assigned to the agency on the day, not the employee, no cycle."""
    number = normalize_identity(number)
    if not number:
        return None
    appraiser = db.session.scalar(
        select(Employee).join(Assignment, Assignment.employee_id == Employee.id)
        .where(Employee.id_number == number, Employee.active.is_(True), Assignment.agency_id == agency.id,
               Assignment.active_on(day)))
    if appraiser is None:
        raise ValidationFailed(_("Pejabat penilai dengan NIP tersebut tidak aktif di OPD tujuan pada tanggal itu."),
                               field="appraiser_number")
    if appraiser.id == employee.id:
        raise ValidationFailed(_("Pegawai tidak dapat menjadi pejabat penilai dirinya sendiri."),
                               field="appraiser_number")
    if employee.id in appraiser_chain(appraiser.id, day):
        raise ValidationFailed(_("Penilai ini (atau atasannya) dinilai oleh pegawai tersebut: rantai penilai "
                                 "akan berputar."), field="appraiser_number")
    return appraiser


def appraiser_chain(employee_id: int, day: date) -> list[int]:
    """The appraisers above the employee on the day, nearest first (stops at a loop already in the data)."""
    chain: list[int] = []
    current: int | None = employee_id
    while current is not None and len(chain) < MAX_CHAIN:
        current = db.session.scalar(select(Assignment.appraiser_id).where(
            Assignment.employee_id == current, Assignment.active_on(day)).limit(1))
        if current is None or current in chain:
            break
        chain.append(current)
    return chain


def check_may_place(actor: User, agency: Agency, previous: Assignment | None) -> None:
    """Agency admins move staff only within their agencies; moving across agencies is BKD's."""
    if is_global_admin(actor):
        return
    mine = admin_agency_ids(actor)
    if agency.id not in mine or previous is None or previous.agency_id not in mine:
        raise NotAllowed(_("Pindah ke OPD lain hanya dapat dilakukan oleh BKD."))


def transfer(actor: User, employee: Employee, data: TransferInput, today: date) -> TransferResult:
    """Move the employee to a unit, agency, position or appraiser from a date (past, today or scheduled);
    for a retired or deactivated employee this reactivates them and their account."""
    lock_employee(employee.id)
    previous = latest_assignment(employee.id)
    day = data.effective_date
    agency = db.session.get(Agency, data.agency_id)
    if agency is None:
        raise ValidationFailed(_("OPD tujuan tidak ditemukan."))
    check_may_place(actor, agency, previous)
    unit = db.session.get(Unit, data.unit_id)
    if unit is None or unit.agency_id != agency.id:
        raise ValidationFailed(_("Pilih unit kerja dari OPD tujuan."), field="unit_id")
    position = db.session.get(Position, data.position_id)
    if position is None:
        raise ValidationFailed(_("Pilih jabatan."), field="position_id")
    if previous is not None and day <= previous.valid_from:
        raise ValidationFailed(_("Tanggal berlaku harus setelah awal penugasan terakhir (%(day)s).",
                                 day=format_date(previous.valid_from, "medium")), field="effective_date")
    if previous is not None and not employee.active and previous.valid_to is not None and day <= previous.valid_to:
        raise ValidationFailed(_("Tanggal aktif kembali harus setelah akhir penugasan terakhir (%(day)s).",
                                 day=format_date(previous.valid_to, "medium")), field="effective_date")
    check_not_locked({agency.id} | ({previous.agency_id} if previous else set()), day, today)
    appraiser = find_appraiser(data.appraiser_number, employee, agency, day)
    if previous is not None and (previous.valid_to is None or previous.valid_to >= day):
        previous.valid_to = day - timedelta(days=1)
    assignment = Assignment(employee_id=employee.id, agency_id=agency.id, unit_id=unit.id, position_id=position.id,
                            appraiser_id=appraiser.id if appraiser else None, valid_from=day)
    db.session.add(assignment)
    reactivated = not employee.active
    if reactivated:
        employee.active = True
        account = account_of(employee)
        if account is not None:
            account.is_enabled = True
    db.session.flush()
    audit.record(actor, audit.Change(
        "employee", employee.id, "reactivate" if reactivated else "transfer",
        None if previous is None else str(previous.agency_id), str(agency.id), agency.id,
        reason=transfer_note(previous, assignment, unit, position, appraiser, data.decree_number)))
    follow_assignments(actor, employee, day)
    subordinates = subordinates_from(employee.id, day) if previous is not None else []
    finish()
    return TransferResult(assignment, reactivated, subordinates)


def transfer_note(previous: Assignment | None, new: Assignment, unit: Unit, position: Position,
                  appraiser: Employee | None, decree: str) -> str:
    before = f"{previous.unit.name} / {previous.position.name}" if previous is not None else "—"
    after = f"{unit.name} / {position.name}"
    parts = [f"{new.valid_from.isoformat()}: {before} → {after}",
             _("penilai: %(name)s", name=appraiser.full_name if appraiser else "—")]
    if decree.strip():
        parts.append(_("SK %(number)s", number=decree.strip()))
    return "; ".join(parts)


# --- Bank account (where the TPP is paid) ----------------------------------------------------------------------

BANK_ACCOUNT_TEXT = re.compile(r"[0-9 \-]+")


def parse_bank_account(text: str | None) -> str | None:
    """An account number as digits only ('0123-45 678' → '012345678'), None when empty; digits, spaces and dashes
    only, 6–34 digits (the longest IBAN has 34 characters), refused with a message otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    digits = text.replace(" ", "").replace("-", "")
    if not (BANK_ACCOUNT_TEXT.fullmatch(text) and text.isascii() and 6 <= len(digits) <= 34):
        raise ValidationFailed(_("Nomor rekening hanya berisi angka (spasi dan tanda hubung boleh), 6–34 angka."),
                               field="bank_account")
    return digits


def parse_bank_name(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    if len(text) > 60:
        raise ValidationFailed(_("Nama bank paling panjang 60 karakter."), field="bank_name")
    return text or None


def bank_label(name: str | None, account: str | None) -> str:
    return f"{name} {account}" if account else "-"


def set_bank_account(actor: User, employee: Employee, bank_name: str | None, account: str | None) -> bool:
    """Record where the employee's TPP is paid (both empty: clear it); audited with the old and new account.
    Returns whether anything changed."""
    name, number = parse_bank_name(bank_name), parse_bank_account(account)
    if number and not name:
        raise ValidationFailed(_("Isi nama bank rekening ini."), field="bank_name")
    if name and not number:
        raise ValidationFailed(_("Isi nomor rekening, atau kosongkan nama bank."), field="bank_account")
    before = bank_label(employee.bank_name, employee.bank_account)
    if (employee.bank_name, employee.bank_account) == (name, number):
        return False
    employee.bank_name, employee.bank_account = name, number
    placement = latest_assignment(employee.id)
    # The accounts go in the reason: the states hold 20 characters.
    audit.record(actor, audit.Change("employee", employee.id, "set_bank_account",
                                     agency_id=placement.agency_id if placement else None,
                                     reason=f"{before} → {bank_label(name, number)}"))
    finish()
    return True


# --- Retirement ----------------------------------------------------------------------------------------------


def account_of(employee: Employee) -> User | None:
    return db.session.scalar(select(User).where(User.employee_id == employee.id))


def retire(actor: User, employee: Employee, effective: date, reason: SeparationReason, decree_number: str,
           today: date) -> list[Employee]:
    """End the employee's service from a date: close the assignment the day before, deactivate the employee,
    disable the account and sign it out. History and past months' reports stay. Returns the subordinates who
    still name them as appraiser."""
    lock_employee(employee.id)
    db.session.refresh(employee)
    if not employee.active:
        raise ValidationFailed(_("Pegawai ini sudah tidak aktif."), field="retire_date")
    if effective > today:
        raise ValidationFailed(_("Tanggal berhenti tidak boleh di masa depan; catat pada atau setelah tanggal "
                                 "tersebut."), field="retire_date")
    previous = latest_assignment(employee.id)
    if previous is not None:
        if effective <= previous.valid_from:
            raise ValidationFailed(_("Tanggal berhenti harus setelah awal penugasan terakhir (%(day)s).",
                                     day=format_date(previous.valid_from, "medium")), field="retire_date")
        check_not_locked({previous.agency_id}, effective, today, field="retire_date")
        if previous.valid_to is None or previous.valid_to >= effective:
            previous.valid_to = effective - timedelta(days=1)
    employee.active = False
    # A retired head no longer signs the agency recap: BKD names the new head (or a Plt) on the agency form.
    db.session.execute(update(Agency).where(Agency.head_id == employee.id).values(head_id=None))
    # Nor signs its TPP list as bendahara: the agency names another on its TPP page.
    db.session.execute(update(Agency).where(Agency.treasurer_id == employee.id).values(treasurer_id=None))
    account = account_of(employee)
    if account is not None:
        account.is_enabled = False
        account.session_token = new_session_token()
    note = f"{effective.isoformat()}: {reason.label}"
    if decree_number.strip():
        note += "; " + _("SK %(number)s", number=decree_number.strip())
    audit.record(actor, audit.Change("employee", employee.id, "retire", "active", reason.value,
                                     previous.agency_id if previous else None, reason=note))
    follow_assignments(actor, employee, effective)
    subordinates = subordinates_from(employee.id, effective)
    finish()
    return subordinates
