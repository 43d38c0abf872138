"""Count the SQL statements a block of code sends, to prove pages do not query once per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from kinerja import reference
from kinerja.extensions import db


@contextmanager
def count_queries(*, cold: bool = True) -> Iterator[list[str]]:
    """Collect the statements executed inside the block (BEGIN/COMMIT and pragmas excluded). `cold`: first drop
    the reference data the process keeps between requests (kinerja.reference), so two counted blocks compare
    like with like however many requests ran before them."""
    statements: list[str] = []
    if cold:
        reference.forget()

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
