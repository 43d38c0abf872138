"""The benchmarks' bulk loaders write activities each database reads back as the app's own (bench/activities.py).

`make loadtest` and the activity benchmark seed months of activities with these loaders: COPY on PostgreSQL, a
prepared executemany elsewhere. Nothing else runs them, so a slip in one (a renamed import once turned the COPY
path's time check into `date | <module>`) would only show when someone next measured the rush."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from bench.activities import DESCRIPTIONS, insert_copy, insert_executemany
from kinerja.models import Activity, ActivityStatus, WorkMode

DAYS = [date(2026, 11, 2), date(2026, 11, 3)]


def loaders(dialect: str) -> list:
    return [insert_copy, insert_executemany] if dialect == "postgresql" else [insert_executemany]


@pytest.mark.parametrize("loader_index", [0, 1])
def test_a_bench_loader_writes_activities_the_app_reads_back(db, org, loader_index):
    available = loaders(db.engine.dialect.name)
    if loader_index >= len(available):
        pytest.skip("COPY is PostgreSQL's")
    people = [org.staff_a.id, org.staff_b.id]

    written = available[loader_index](people, DAYS)

    assert written == db.session.scalar(select(func.count()).select_from(Activity))
    assert written >= len(people) * len(DAYS)  # at least one activity a person a day
    loaded = db.session.scalars(select(Activity).order_by(Activity.id)).all()
    assert {row.employee_id for row in loaded} == set(people)
    assert {row.activity_date for row in loaded} == set(DAYS)
    for row in loaded:
        assert isinstance(row.start_time, time) and row.start_time < row.end_time
        assert row.duration_minutes == ((row.end_time.hour - row.start_time.hour) * 60
                                        + row.end_time.minute - row.start_time.minute)
        assert row.description in DESCRIPTIONS
        assert isinstance(row.status, ActivityStatus) and isinstance(row.work_mode, WorkMode)
        assert row.created_at is not None and row.version == 1
