"""Row locks that serialise one person's writes."""

from __future__ import annotations

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import Employee


def lock_employee(employee_id: int) -> None:
    """Serialise saves of one person's records (row lock on PostgreSQL/MariaDB; SQLite writers already
    hold the database lock), so that two concurrent saves cannot both pass a check across rows."""
    query = select(Employee.id).where(Employee.id == employee_id)
    if db.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    db.session.execute(query)
