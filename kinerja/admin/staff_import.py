"""Staff import from a SIMPEG-style Excel workbook: a dry run that lists every row's errors, then an
all-or-nothing update-or-insert by NIP.

- A new NIP creates the employee, an assignment from the effective date and a staff account that must change
  its password at first sign-in (so does a known employee who has no account yet). Every account gets its own
  random initial password; they reach the importer once, as an XLSX handed to `keep_passwords` before the
  commit (and listed on the result page for small imports), and are stored only as hashes.
- A known NIP updates the employee's data; a changed agency, unit, position or appraiser closes the current
  assignment the day before the effective date and opens a new one from it, so past months keep theirs.
- A row that changes nothing writes nothing; only the import itself is recorded in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from kinerja import audit, clock
from kinerja.activities.importer import RowError
from kinerja.admin import staff_import_checks as checks
from kinerja.admin.accounts import new_password
from kinerja.admin.staff_import_passwords import InitialPassword, passwords_workbook
from kinerja.admin.staff_import_rows import COLUMN_BY_KEY, COLUMNS, StaffRow, read_rows
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Assignment, Employee, Role, User, UserRole
from kinerja.permissions import admin_agency_ids, is_global_admin
from kinerja.roster.moves import follow_assignments

EMPLOYEE_FIELDS = ("name", "front_title", "back_title", "gender", "employment_type", "grade", "email", "phone",
                   "bank_name", "bank_account")
KEEP_WHEN_BLANK = ("email", "phone", "bank_name", "bank_account")  # a blank cell leaves what Kinerja knows
ASSIGNMENT_FIELDS = ("agency_id", "unit_id", "position_id")
FIELD_COLUMNS = {"agency_id": "agency", "unit_id": "unit", "position_id": "position", "appraiser": "appraiser"}
# Initial passwords are 12 random characters from a 56-character alphabet (accounts.new_password): about 70 bits,
# used once and replaced at the first sign-in. Key stretching (Argon2id, ~20 ms a hash) protects passwords people
# choose, which are guessable; nobody can enumerate 2^70 random candidates however cheap each guess is, so
# these get a cheap salted hash and 10,000 accounts take seconds instead of minutes. Sign-in reads the method
# from the stored hash (kinerja/auth/passwords.py) and the first sign-in stores it again with
# PASSWORD_HASH_METHOD, as does the password chosen then.
INITIAL_PASSWORD_HASH = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method, not a password
BATCH = 1000  # rows per INSERT statement
COLUMN_ORDER = [column.key for column in COLUMNS]


@dataclass(frozen=True)
class RowChange:
    number: int
    id_number: str
    name: str
    agency_id: int
    agency: str
    columns: tuple[str, ...] = ()  # keys of the columns that change, for an existing employee

    @property
    def headers(self) -> list[str]:
        return [COLUMN_BY_KEY[key].header for key in self.columns]

    @property
    def moves(self) -> bool:
        """A new agency, unit, position or appraiser: a new assignment from the effective date."""
        return bool(set(self.columns) & set(FIELD_COLUMNS.values()))


@dataclass
class ImportPlan:
    """What an import would do: the errors, or the new, changed and unchanged rows."""

    total: int
    effective: date
    errors: list[RowError] = field(default_factory=list)
    new: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    accounts: list[str] = field(default_factory=list)  # NIPs of the rows that get a new account
    rows: list[StaffRow] = field(default_factory=list, repr=False)
    known: dict[str, Employee] = field(default_factory=dict, repr=False)
    current: dict[int, Assignment | None] = field(default_factory=dict, repr=False)
    lookups: checks.Lookups | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    passwords: list[InitialPassword]  # of the new accounts, in clear only in memory
    kept: str | None = None  # what keep_passwords returned for their workbook (a download token, a path)


class ImportRejected(ValidationFailed):
    """The file has errors; nothing was saved. `errors` lists them row by row."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(ngettext("Tidak ada yang disimpan: %(num)d baris berisi kesalahan.",
                                  "Tidak ada yang disimpan: %(num)d baris berisi kesalahan.", plan.error_rows),
                         field="file")
        self.plan = plan
        self.errors = plan.errors


class PasswordsNeeded(ValidationFailed):
    """The import would create accounts but the caller gave no place for their initial passwords."""

    def __init__(self, accounts: int) -> None:
        super().__init__(ngettext("Impor ini membuat %(num)d akun baru, tetapi tidak ada tujuan untuk kata sandi "
                                  "awalnya. Tidak ada yang disimpan.",
                                  "Impor ini membuat %(num)d akun baru, tetapi tidak ada tujuan untuk kata sandi "
                                  "awalnya. Tidak ada yang disimpan.", accounts))
        self.accounts = accounts


def check_importer(actor: User) -> None:
    if not is_global_admin(actor) and not admin_agency_ids(actor):
        raise NotAllowed(_("Hanya admin BKD dan admin OPD yang dapat mengimpor pegawai."))


# --- the dry run ----------------------------------------------------------------------------------------------

def current_assignment(row: StaffRow, assignments: list[Assignment], on: date) -> Assignment | None:
    """The assignment in force on the effective date; a later one makes the row an error."""
    later = [item for item in assignments if item.valid_from > on]
    if later:
        row.error("unit", _("Penugasan pegawai ini berlaku mulai %(day)s; tanggal efektif impor harus sesudahnya.",
                            day=later[-1].valid_from.strftime("%d-%m-%Y")))
    return assignments[-1] if assignments and not later else None


def changed_columns(row: StaffRow, employee: Employee, current: Assignment | None,
                    current_appraiser: str | None) -> tuple[str, ...]:
    changed = [key for key in EMPLOYEE_FIELDS
               if not (key in KEEP_WHEN_BLANK and getattr(row, key) is None)
               and getattr(row, key) != getattr(employee, key)]
    if current is None:
        changed += ["agency", "unit", "position", "appraiser"]
        return tuple(sorted(changed, key=COLUMN_ORDER.index))
    changed += [FIELD_COLUMNS[key] for key in ASSIGNMENT_FIELDS if getattr(row, key) != getattr(current, key)]
    if row.appraiser != current_appraiser:
        changed.append("appraiser")
    return tuple(sorted(changed, key=COLUMN_ORDER.index))


def check_existing(plan: ImportPlan, lookups: checks.Lookups, edges: dict[str, str | None]) -> None:
    """Existing employees: active, in the importer's scope, no later assignment; note what would change."""
    numbers = {row.id_number for row in plan.rows if row.id_number} | {row.appraiser for row in plan.rows
                                                                       if row.appraiser}
    plan.known = checks.load_employees(numbers)
    existing = [plan.known[row.id_number] for row in plan.rows if row.id_number in plan.known]
    assignments = checks.load_assignments((employee.id for employee in existing), plan.effective)
    allowed = lookups.allowed
    for row in plan.rows:
        employee = plan.known.get(row.id_number or "")
        if employee is None:
            continue
        if not employee.active:
            row.error("id_number", _("Pegawai ini nonaktif di Kinerja; aktifkan kembali lewat halaman pegawai "
                                     "sebelum mengimpor datanya."))
            continue
        current = current_assignment(row, assignments.get(employee.id, []), plan.effective)
        if allowed is not None and current is not None and current.agency_id not in allowed:
            row.error("agency", _("Pegawai ini terdaftar di OPD lain; perpindahan antar-OPD dilakukan oleh BKD."))
        plan.current[employee.id] = current
        if not row.errors:
            columns = changed_columns(row, employee, current, edges.get(employee.id_number))
            if columns:
                plan.updated.append(RowChange(row.number, row.id_number, row.name, row.agency_id,
                                              lookups.agency_names[row.agency_id], columns))
            else:
                plan.unchanged += 1


def rows_without_account(plan: ImportPlan) -> list[str]:
    """NIPs of the rows whose employee has no account yet: the new ones and known ones without."""
    known = {plan.known[row.id_number].id for row in plan.rows if row.id_number in plan.known}
    with_account: set[int] = set()
    for chunk in checks.chunks(sorted(known)):
        with_account.update(db.session.scalars(select(User.employee_id).where(User.employee_id.in_(chunk))))
    return [row.id_number for row in plan.rows
            if row.id_number not in plan.known or plan.known[row.id_number].id not in with_account]


def build_plan(actor: User, content: bytes, effective: date) -> ImportPlan:
    """Read and check the whole workbook; the session is left unchanged."""
    check_importer(actor)
    rows = read_rows(content)
    plan = ImportPlan(total=len(rows), effective=effective, rows=rows)
    lookups = plan.lookups = checks.load_lookups(actor)
    checks.resolve_names(rows, lookups)
    duplicated = checks.mark_duplicates(rows)
    edges = checks.appraiser_edges(effective)
    check_existing(plan, lookups, edges)
    checks.check_appraisers(rows, plan.known, duplicated, dict(edges))
    for row in rows:
        if row.id_number not in plan.known and not row.errors:
            plan.new.append(RowChange(row.number, row.id_number, row.name, row.agency_id,
                                      lookups.agency_names[row.agency_id]))
    plan.errors = sorted((error for row in rows for error in row.errors), key=lambda error: error.row)
    if plan.errors:
        plan.new, plan.updated, plan.unchanged = [], [], 0
    else:
        plan.accounts = rows_without_account(plan)
    return plan


def dry_run(actor: User, content: bytes, effective: date) -> ImportPlan:
    """What the import would do, or every error of every row; nothing is saved."""
    plan = build_plan(actor, content, effective)
    db.session.rollback()
    return plan


# --- saving ---------------------------------------------------------------------------------------------------

def employee_values(row: StaffRow) -> dict:
    return {key: getattr(row, key) for key in EMPLOYEE_FIELDS}


def insert_batches(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def employee_ids(numbers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in checks.chunks(numbers):
        found.update((number, employee_id) for number, employee_id in db.session.execute(
            select(Employee.id_number, Employee.id).where(Employee.id_number.in_(chunk))))
    return found


def save_employees(plan: ImportPlan) -> dict[str, int]:
    """Insert the new employees and update the changed ones; returns every row's employee id by NIP."""
    now = clock.utcnow()
    new_numbers = {change.id_number for change in plan.new}
    updated_numbers = {change.id_number for change in plan.updated}
    insert_batches(Employee, [{**employee_values(row), "id_number": row.id_number, "active": True,
                               "created_at": now, "updated_at": now}
                              for row in plan.rows if row.id_number in new_numbers])
    for row in plan.rows:
        if row.id_number in updated_numbers:
            employee = plan.known[row.id_number]
            for key, value in employee_values(row).items():
                if not (key in KEEP_WHEN_BLANK and value is None):
                    setattr(employee, key, value)
    ids = {number: employee.id for number, employee in plan.known.items()}
    ids.update(employee_ids(sorted(new_numbers)))
    return ids


def save_assignments(plan: ImportPlan, ids: dict[str, int]) -> list[int]:
    """Close the changed current assignments the day before the effective date; open the new ones. Returns the
    employees who change agency, whose rosters then follow (kinerja.roster.moves)."""
    now, effective = clock.utcnow(), plan.effective
    opened = []
    other_agency: list[int] = []
    moving = {change.id_number for change in plan.updated if change.moves}
    for row in plan.rows:
        is_new = row.id_number not in plan.known
        if not is_new and row.id_number not in moving:
            continue
        values = {"agency_id": row.agency_id, "unit_id": row.unit_id, "position_id": row.position_id,
                  "appraiser_id": ids[row.appraiser] if row.appraiser else None}
        current = None if is_new else plan.current.get(ids[row.id_number])
        if current is not None and current.agency_id != row.agency_id:
            other_agency.append(ids[row.id_number])
        if current is not None and current.valid_from >= effective:
            for key, value in values.items():  # it starts that very day: correct it instead
                setattr(current, key, value)
            continue
        if current is not None:
            current.valid_to = effective - timedelta(days=1)
        opened.append({**values, "employee_id": ids[row.id_number], "valid_from": effective, "valid_to": None,
                       "created_at": now, "updated_at": now})
    db.session.flush()
    insert_batches(Assignment, opened)
    return other_agency


def save_accounts(plan: ImportPlan, ids: dict[str, int]) -> list[InitialPassword]:
    """A staff account with its own initial password for every row in `plan.accounts`; returns the passwords."""
    wanted, lookups = set(plan.accounts), plan.lookups
    passwords = [InitialPassword(row.id_number, row.name, lookups.agency_names[row.agency_id],
                                 lookups.unit_names[row.unit_id], new_password())
                 for row in plan.rows if row.id_number in wanted]
    if not passwords:
        return []
    now = clock.utcnow()
    insert_batches(User, [{"employee_id": ids[item.id_number], "must_change_password": True, "is_enabled": True,
                           "password_hash": generate_password_hash(item.password, method=INITIAL_PASSWORD_HASH),
                           "created_at": now, "updated_at": now} for item in passwords])
    user_ids: list[int] = []
    for chunk in checks.chunks(sorted(ids[number] for number in wanted)):
        user_ids += db.session.scalars(select(User.id).where(User.employee_id.in_(chunk)))
    insert_batches(UserRole, [{"user_id": user_id, "role": Role.STAFF, "agency_id": None} for user_id in user_ids])
    return sorted(passwords, key=lambda item: (item.agency, item.unit, item.name, item.id_number))


def record_import(actor: User, plan: ImportPlan, ids: dict[str, int], file_name: str) -> None:
    changes = [audit.Change("employee", ids[change.id_number], "import_create", agency_id=change.agency_id)
               for change in plan.new]
    changes += [audit.Change("employee", ids[change.id_number], "import_update", agency_id=change.agency_id,
                             reason=", ".join(change.headers)) for change in plan.updated]
    summary = _("%(file)s: %(rows)d baris, %(new)d baru, %(updated)d diubah, %(same)d tetap; tanggal efektif "
                "%(day)s.", file=file_name, rows=plan.total, new=len(plan.new), updated=len(plan.updated),
                same=plan.unchanged, day=plan.effective.strftime("%d-%m-%Y"))
    changes.append(audit.Change("staff_import", None, "import_staff", reason=summary))
    audit.record_many(actor, changes)


def import_staff(actor: User, content: bytes, effective: date, file_name: str = "",
                 keep_passwords: Callable[[bytes], str] | None = None) -> ImportResult:
    """Check the workbook again and save every row, or nothing if any row has an error.

    New accounts' initial passwords go, as an XLSX, to `keep_passwords` before the commit, so that a failure to
    keep them saves nothing; without it an import that creates accounts is refused (PasswordsNeeded).
    """
    plan = build_plan(actor, content, effective)
    if not plan.ok:
        db.session.rollback()
        raise ImportRejected(plan)
    if plan.accounts and keep_passwords is None:
        db.session.rollback()
        raise PasswordsNeeded(len(plan.accounts))
    try:
        ids = save_employees(plan)
        for employee_id in save_assignments(plan, ids):  # few in an import: one agency's staff at the most
            follow_assignments(actor, db.session.get(Employee, employee_id), plan.effective)
        passwords = save_accounts(plan, ids)
        record_import(actor, plan, ids, file_name or "berkas.xlsx")
        kept = keep_passwords(passwords_workbook(passwords)) if passwords and keep_passwords else None
        finish()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("Data pegawai berubah selama impor (mungkin impor lain berjalan bersamaan). Tidak ada "
                         "yang disimpan; ulangi impor.")) from error
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(plan, passwords, kept)
