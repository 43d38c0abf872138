"""A transaction the database chose as a deadlock victim is run again, a bounded number of times (issue 19 §4).

The race itself is made on SQLite, PostgreSQL and MariaDB by tests/test_review_race.py; here the rule: which
errors are deadlocks, as each driver raises them, and that a victim is retried while anything else is not."""

from __future__ import annotations

import sqlite3

import psycopg
import pymysql
import pytest
from sqlalchemy.exc import OperationalError

from kinerja import database
from kinerja.database import is_deadlock, one_step, retry_on_deadlock


def wrapped(orig: BaseException) -> OperationalError:
    return OperationalError("UPDATE activity SET status = ...", {}, orig)


@pytest.mark.parametrize(("orig", "expected"), [
    (pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction"), True),
    (pymysql.err.OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction"), True),
    (pymysql.err.OperationalError(2013, "Lost connection to MySQL server during query"), False),
    (psycopg.errors.DeadlockDetected("deadlock detected"), True),
    (psycopg.errors.SerializationFailure("could not serialize access"), True),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), False),
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("no such table: activity"), False),
])
def test_deadlocks_are_told_apart_from_other_failures(orig, expected):
    assert is_deadlock(wrapped(orig)) is expected


def test_a_victim_is_run_again_and_other_errors_are_not(app, db, monkeypatch):
    monkeypatch.setattr(database.time, "sleep", lambda seconds: None)
    calls = []

    @retry_on_deadlock
    def decide(fail_times: int, orig: BaseException) -> str:
        calls.append(1)
        if len(calls) <= fail_times:
            raise wrapped(orig)
        return "decided"

    deadlock = pymysql.err.OperationalError(1213, "Deadlock found")
    assert decide(2, deadlock) == "decided" and len(calls) == 3
    calls.clear()
    with pytest.raises(OperationalError):  # still a victim after every attempt: the user is told
        decide(10, deadlock)
    assert len(calls) == database.DEADLOCK_ATTEMPTS
    calls.clear()
    with pytest.raises(OperationalError):  # not a deadlock: never run twice
        decide(1, pymysql.err.OperationalError(2013, "Lost connection"))
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(OperationalError), one_step():  # inside a step, the step is the transaction
        decide(1, deadlock)
    assert len(calls) == 1
