"""Regency-wide reference data kept per process between requests: BKD's settings, its corrections of the
holiday calendar, the list of output units, the months it locked or reopened, the attendance sessions. Pages
read them on almost every request and BKD changes them a few times a month at most, so reading them afresh each
time was a statement or three per page for nothing.

Correctness rests on one stamp. `reference_stamp` holds a random value that every write to those tables
replaces in the same transaction (the session's flush and statement hooks below), and the statement that
loads the signed-in user reads it too (`stamp_column`). A value kept under the stamp a request read is what
the tables held when that stamp was current, so every process sees BKD's change from its next request on,
without a message between processes. Where no stamp is known (no signed-in user, a job, a command, a
request that has written anything, a database whose stamp row is missing) nothing is kept or reused.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import has_request_context
from sqlalchemy import Connection, event, insert, select, update
from sqlalchemy.orm import Session

from kinerja.database import request_memo
from kinerja.models import AttendanceSession, HolidayEntry, MonthLock, OutputUnit, ReferenceStamp, RegencySetting

T = TypeVar("T")
WATCHED = (RegencySetting, HolidayEntry, OutputUnit, MonthLock, AttendanceSession)
WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)
MAX_ENTRIES = 1024  # holiday ranges, month locks of every agency for a few months, the settings, the units
_STAMP = "reference_stamp"
_kept: OrderedDict[Hashable, tuple[str, object]] = OrderedDict()
_lock = threading.Lock()


def stamp_column():
    """The current stamp as a scalar subquery, for the statement every signed-in request runs anyway."""
    return (select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1)
            .scalar_subquery().label("reference_stamp"))


def remember_stamp(stamp: str | None) -> None:
    """The stamp this request read (kept in the request memo, so any write in the request forgets it)."""
    memo = request_memo()
    if memo is not None and stamp:
        memo[_STAMP] = stamp


def current_stamp() -> str | None:
    memo = request_memo()
    return memo.get(_STAMP) if memo is not None else None


def kept(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`'s answer, reused while the stamp the request read is unchanged; callers must not change it."""
    stamp = current_stamp()
    if stamp is None:
        return read()
    with _lock:
        entry = _kept.get(key)
        if entry is not None and entry[0] == stamp:
            _kept.move_to_end(key)
            return entry[1]  # type: ignore[return-value]
    value = read()
    with _lock:
        _kept[key] = (stamp, value)
        _kept.move_to_end(key)
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything kept in this process (tests that change the tables behind the session's back)."""
    with _lock:
        _kept.clear()


def write_new_stamp(connection: Connection) -> None:
    """A new stamp, inside the connection's transaction (also after a restore, which bypasses the session)."""
    stamp = secrets.token_hex(16)
    changed = connection.execute(update(ReferenceStamp).where(ReferenceStamp.id == 1).values(stamp=stamp))
    if changed.rowcount == 0:  # a database made by create_all, or emptied: the migration inserts the row
        connection.execute(insert(ReferenceStamp).values(id=1, stamp=stamp))


def renew_stamp(session: Session) -> None:
    """Give the reference data a new stamp, inside the session's transaction."""
    write_new_stamp(session.connection())
    if has_request_context():
        memo = request_memo()
        if memo is not None:
            memo.pop(_STAMP, None)


@event.listens_for(Session, "before_flush")
def _renew_on_flush(session: Session, flush_context, instances) -> None:
    if any(isinstance(item, WATCHED) for group in (session.new, session.dirty, session.deleted) for item in group):
        renew_stamp(session)


@event.listens_for(Session, "do_orm_execute")
def _renew_on_statement(state) -> None:
    """INSERT, UPDATE or DELETE statements on the watched tables sent through the session."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            renew_stamp(state.session)
