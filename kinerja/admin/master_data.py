"""Master data shared rules: who may change what, sorting of lists, and saving with unique keys.

Agencies and positions are the regency's catalogue (BKD admins change them); units and offices belong to an
agency and are kept by its agency admins and by BKD. The topic modules (master_org, master_units,
master_offices) hold the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, Role, User
from kinerja.permissions import admin_agency_ids, has_role, is_global_admin

ADMIN_ROLES = (Role.AGENCY_ADMIN, Role.BKD_ADMIN, Role.SUPERADMIN)


def is_admin(user: User) -> bool:
    """An agency admin or BKD: may open the administration pages."""
    return has_role(user, *ADMIN_ROLES)


def can_manage_agency(user: User, agency_id: int) -> bool:
    """Units and offices of an agency: its agency admins and BKD."""
    return is_global_admin(user) or agency_id in admin_agency_ids(user)


def require_global(actor: User) -> None:
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengubah data ini."))


def require_manager(actor: User, agency_id: int) -> None:
    if not can_manage_agency(actor, agency_id):
        raise NotAllowed(_("Anda tidak berwenang mengubah data OPD ini."))


def lock_agency(agency_id: int) -> None:
    """Serialise changes to one agency's tree until commit (SQLite: the write lock is already held)."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())


@dataclass(frozen=True)
class Sort:
    """A list's order from the query string: 'name' ascending, '-name' descending."""

    key: str
    descending: bool

    @property
    def arg(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> str:
        """The query value for a column header: the same column flips, another starts ascending."""
        return f"-{key}" if key == self.key and not self.descending else key


def parse_sort(value: str | None, allowed: Iterable[str], default: str) -> Sort:
    """The requested order if it names an allowed column, else the default."""
    value = (value or "").strip()
    key = value.removeprefix("-")
    if key not in allowed:
        return Sort(default, False)
    return Sort(key, value.startswith("-"))


def ordered(query: Select, sort: Sort, columns: Mapping[str, ColumnElement], tiebreak: ColumnElement) -> Select:
    """The query ordered by the chosen column, then by `tiebreak` so pages never overlap."""
    column = columns[sort.key]
    return query.order_by(None).order_by(column.desc() if sort.descending else column.asc(), tiebreak)


@dataclass(frozen=True)
class UniqueCheck:
    """A unique key a save may collide with: the form field, a query finding the other row, the message."""

    field: str
    taken: Select
    message: str


def refuse_taken(checks: Iterable[UniqueCheck]) -> None:
    """Raise on the first key another row already holds (without flushing the row being saved)."""
    with db.session.no_autoflush:
        for check in checks:
            if db.session.scalar(check.taken.limit(1)) is not None:
                raise ValidationFailed(check.message, field=check.field)


def flush_unique(checks: list[UniqueCheck]) -> None:
    """Check the keys, then flush; a row saved meanwhile by someone else becomes the same field error."""
    refuse_taken(checks)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        refuse_taken(checks)
        raise Conflict(_("Data ini baru saja diubah orang lain. Muat ulang halaman dan coba lagi.")) from error


def changes_text(before: Mapping[str, object], after: Mapping[str, object]) -> str:
    """'name: A → B; code: X → Y' for the audit trail; empty when nothing changed."""
    return "; ".join(
        f"{key}: {display(before.get(key))} → {display(value)}"
        for key, value in after.items()
        if before.get(key) != value
    )


def display(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
