"""Database behaviour that must hold on every engine, SQLite above all.

SQLite connections run in WAL mode with foreign keys on and a busy timeout. Transactions that may write
begin IMMEDIATE, taking the write lock up front: a deferred transaction that reads and then writes can
fail at once with "database is locked" when another writer committed in between, and two read-modify-write
transactions could otherwise interleave. Requests that cannot write (GET, HEAD, OPTIONS) mark themselves
read-only and begin deferred, so readers never queue behind writers; so does the rest of a request whose step
was refused (`reads_only_from_here`, called by `show_error`) while its form is shown again. Code outside a request
(CLI commands, background jobs, tests) begins IMMEDIATE unless it wraps long reads in `read_only_transactions()`.

One user step, one transaction: services end with `finish()`; a step made of several services runs them inside
`one_step()`, where `finish()` only flushes, and commits once at the end or not at all. A service called on its
own commits as before; inside a step a refusal anywhere (a DomainError or any exception) rolls back everything the
step did, so nothing half-done is saved.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from kinerja.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_read_only: ContextVar[bool] = ContextVar("kinerja_read_only", default=False)
_depth: ContextVar[int] = ContextVar("kinerja_step_depth", default=0)


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Begin SQLite transactions in this context DEFERRED (for work that only reads)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def reads_only_from_here() -> None:
    """The rest of this request only reads (a refused form is shown again): its later SQLite transactions begin
    DEFERRED, so the page renders without holding the write lock that other writers queue for (at the month-end
    rush, a refused save held it through the whole page). Reset when the request ends."""
    if has_request_context():
        _read_only.set(True)


@contextmanager
def write_transactions() -> Iterator[None]:
    """Begin SQLite transactions in this context IMMEDIATE again (to write from a read-only request or job).
    End the current read transaction (commit or rollback) before entering."""
    token = _read_only.set(False)
    try:
        yield
    finally:
        _read_only.reset(token)


def engine_options(config: dict) -> dict:
    """Engine options for the configured database.

    MariaDB/MySQL default to REPEATABLE READ, where a transaction keeps the snapshot of its first read: a
    check made after taking a row lock (no overlapping activity, no saved form with this token) would not
    see what other requests committed meanwhile. READ COMMITTED, PostgreSQL's default, makes the three
    databases behave alike.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith(("mysql", "mariadb")):
        options.setdefault("isolation_level", "READ COMMITTED")
    return options


def configure_engine_events(app: Flask) -> None:
    """Install the SQLite pragmas and the IMMEDIATE begin on the app's engine."""
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    synchronous = app.config["SQLITE_SYNCHRONOUS"].upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise RuntimeError(f"SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {synchronous!r}")
    engine: Engine = app.extensions["sqlalchemy"].engines[None]
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")

    @app.before_request
    def begin_safe_requests_deferred() -> None:
        _read_only.set(request.method in SAFE_METHODS)

    @app.teardown_request
    def reset_transaction_mode(_exc) -> None:
        _read_only.set(False)


def request_memo() -> dict | None:
    """A dict for facts every page asks several times (who the user heads, their unread count), kept for the
    request and forgotten as soon as the session writes anything (a flush or a statement other than a SELECT),
    so a request that changes them sees the change. None outside a request: jobs and commands always ask the
    database."""
    return g.setdefault("request_memo", {}) if has_request_context() else None


@event.listens_for(Session, "after_flush")
def forget_request_memo(session, flush_context) -> None:
    if has_request_context():
        g.pop("request_memo", None)


@event.listens_for(Session, "do_orm_execute")
def forget_request_memo_on_statements(state) -> None:
    """Writes sent as statements (bulk UPDATE, DELETE, INSERT, text) are writes too."""
    if not state.is_select and has_request_context():
        g.pop("request_memo", None)


def end_session_quietly(_exc: BaseException | None = None) -> None:
    """Teardown: end the request's session, only logging a connection the database server already closed.

    Ending the session rolls back on its connection. When the server went away after the response was made
    (PostgreSQL restarted), that rollback fails; raised from Flask-SQLAlchemy's own teardown it would turn a page
    already rendered into a 500. Registered after Flask-SQLAlchemy, this teardown runs first and leaves it nothing
    to end; the broken connection is invalidated, and the pool opens a new one for the next request.
    """
    session = db.session()
    try:
        db.session.remove()
    except SQLAlchemyError as error:
        current_app.logger.warning("Database connection lost while ending the request: %s", error)
        session.invalidate()  # drop its connections without talking to the server again
        db.session.registry.clear()


LIKE_ESCAPE = "\\"


class CountedPagination(SelectPagination):
    """A page of a plain SELECT whose total comes with its rows (``count(*) OVER ()``) instead of a second
    statement. Only for a statement without DISTINCT or GROUP BY: the window counts rows before LIMIT, and after
    any join. Each item is the row's one entity, or `convert(*columns)` for a statement of columns (plain rows for
    a page shown on every view). A page past the end, which has no rows to carry the total, counts separately.
    Builds on Flask-SQLAlchemy's SelectPagination (its `_query_args` and `_query_offset`, pinned in
    requirements/lock.txt); tests/test_counted_pagination.py holds it to what db.paginate gives."""

    _total: int | None = None

    def _query_items(self) -> list:
        select, convert = self._query_args["select"], self._query_args.get("convert")
        rows = self._query_args["session"].execute(
            select.add_columns(func.count().over()).limit(self.per_page).offset(self._query_offset)).unique().all()
        if rows:
            self._total = rows[0][-1]
        elif self.page == 1:
            self._total = 0
        return [convert(*row[:-1]) for row in rows] if convert else [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._total if self._total is not None else super()._query_count()


def paginate_counted(select: Select, page: int, per_page: int,
                     convert: Callable[..., object] | None = None) -> CountedPagination:
    """`db.paginate` (no 404 past the end) in one statement: see CountedPagination."""
    return CountedPagination(select=select, session=db.session(), page=page, per_page=per_page, error_out=False,
                             convert=convert)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere: % and _ typed by a user are not wildcards.

    Use with `.ilike(contains_pattern(text), escape=LIKE_ESCAPE)`.
    """
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def in_step() -> bool:
    return _depth.get() > 0


def finish() -> None:
    """End a service's unit of work: commit, or inside a step only flush (rules and keys checked now)."""
    if in_step():
        db.session.flush()
    else:
        db.session.commit()


@contextmanager
def one_step() -> Iterator[None]:
    """Run several services as one action: committed once when the block ends, rolled back if it raises."""
    outermost = not in_step()
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    except BaseException:
        if outermost:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)
    if outermost:
        db.session.commit()


# --- Transactions the database chose as a deadlock victim ---------------------------------------------------

DEADLOCK_ATTEMPTS = 4
P = ParamSpec("P")
R = TypeVar("R")
_MYSQL_RETRYABLE = {1213, 1205}  # ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
_POSTGRES_RETRYABLE = {"40P01", "40001", "55P03"}  # deadlock_detected, serialization_failure, lock_not_available


def is_deadlock(error: BaseException) -> bool:
    """Did the database roll this transaction back to break a deadlock (or give up waiting for a lock)? Then
    running the whole transaction again is safe and usually succeeds."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return False
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if code in _POSTGRES_RETRYABLE:
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_RETRYABLE:
        return True
    return isinstance(orig, sqlite3.OperationalError) and "database is locked" in str(orig)


def retry_on_deadlock(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service (one whole transaction, ending in `finish()`) again when the database chose it as a deadlock
    victim, a bounded number of times with a short random pause, before the error reaches the user. Inside a
    `one_step()` the step is the transaction: the error goes up to whoever runs the step."""

    @functools.wraps(service)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                return service(*args, **kwargs)
            except DBAPIError as error:
                if in_step() or attempt == DEADLOCK_ATTEMPTS or not is_deadlock(error):
                    raise
                db.session.rollback()
                current_app.logger.info("%s: deadlock victim, attempt %d of %d", service.__name__, attempt,
                                        DEADLOCK_ATTEMPTS)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 (a pause, not a secret)
        raise AssertionError("unreachable")

    return wrapped
