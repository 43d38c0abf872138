"""One user step, one transaction (kinerja.database.one_step / finish): services inside a step flush, the step
commits once or rolls back everything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kinerja.database import finish, in_step, one_step
from kinerja.errors import ValidationFailed
from kinerja.models import HolidayEntry


def holidays(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(HolidayEntry.id)))


def add(db, name: str) -> None:
    from datetime import date

    db.session.add(HolidayEntry(day=date(2026, 8, len(name)), name=name))
    finish()


def test_a_service_alone_commits(db):
    add(db, "Satu")
    assert holidays(db) == 1


def test_a_step_commits_once_at_its_end(db):
    with one_step():
        add(db, "Satu")
        with one_step():  # a step inside a step belongs to the outer one
            add(db, "Dua")
        assert in_step()
    assert not in_step()
    assert holidays(db) == 2


def test_a_refusal_anywhere_in_a_step_leaves_nothing(db):
    with pytest.raises(ValidationFailed), one_step():
        add(db, "Satu")
        add(db, "Dua")
        raise ValidationFailed("Ditolak")
    assert not in_step()
    assert holidays(db) == 0
