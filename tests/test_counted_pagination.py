"""A page of rows with its total from the same statement (kinerja.database.paginate_counted), as db.paginate
would give it with a second statement."""

from __future__ import annotations

import pytest
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from kinerja.database import paginate_counted
from kinerja.extensions import db
from kinerja.models import Employee
from tests.querycount import count_queries


def employees():
    return select(Employee).order_by(Employee.id).options(selectinload(Employee.assignments))


@pytest.mark.parametrize("page", [1, 2, 3, 4, 99])
def test_the_same_page_and_total_as_db_paginate(app, org, page):
    with app.test_request_context():
        expected = db.paginate(employees(), page=page, per_page=3, error_out=False)
        counted = paginate_counted(employees(), page, 3)
        assert [item.id for item in counted.items] == [item.id for item in expected.items]
        assert (counted.total, counted.pages, counted.has_next, counted.has_prev) == \
            (expected.total, expected.pages, expected.has_next, expected.has_prev)
        assert counted.total == db.session.query(Employee).count() > 3


def test_one_statement_for_a_page_and_its_total(app, org):
    with app.test_request_context():
        db.session.expire_all()
        with count_queries() as statements:
            page = paginate_counted(select(Employee).order_by(Employee.id), 2, 3)
        assert len(page.items) == 3 and page.total > 3
        assert len(statements) == 1 and "count(*) OVER ()" in statements[0]

        with count_queries() as statements:  # past the end: no row carries the total, so it is counted
            past = paginate_counted(select(Employee).order_by(Employee.id), 50, 3)
        assert past.items == [] and past.total == page.total and len(statements) == 2

        with count_queries() as statements:  # nothing at all: the first page says so without counting
            empty = paginate_counted(select(Employee).where(false()), 1, 3)
        assert (empty.items, empty.total, empty.pages) == ([], 0, 0) and len(statements) == 1


@pytest.mark.parametrize("page", [1, 3, 99])
def test_plain_rows_converted_page_and_total_as_db_paginate(app, org, page):
    """A statement of columns with `convert`: each item is convert(*columns), without the window's count."""
    with app.test_request_context():
        expected = db.paginate(employees(), page=page, per_page=3, error_out=False)
        columns = select(Employee.id, Employee.name).order_by(Employee.id)
        counted = paginate_counted(columns, page, 3, convert=lambda id_, name: (id_, name.upper()))
        assert counted.items == [(item.id, item.name.upper()) for item in expected.items]
        assert (counted.total, counted.pages) == (expected.total, expected.pages)
