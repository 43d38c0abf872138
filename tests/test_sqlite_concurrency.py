"""Concurrent writers never lose an update; on SQLite, readers never queue behind a writer.

kinerja/database.py begins every SQLite transaction that may write with BEGIN IMMEDIATE, so a
read-modify-write holds the write lock from its first read and two of them cannot interleave. PostgreSQL
(read committed) and MariaDB (repeatable read) take no such lock on a plain SELECT: there the app must lock
the rows it is about to change with SELECT ... FOR UPDATE (`with_for_update()`), which this test does on
those engines. On SQLite the test reads with a plain SELECT so that only BEGIN IMMEDIATE stands between the
writers and a lost update.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from kinerja import create_app
from kinerja.database import read_only_transactions
from kinerja.extensions import db as _db
from kinerja.models import Regency
from tests.factories import PASSWORD, ActivityFactory, RegencyFactory, freeze_now

PROCESSES = 4
INCREMENTS = 25


def increment_counter(database_url: str, regency_id: int, increments: int, start, results) -> None:
    """Child process: its own app and engine; read the counter, add one in Python, write it back."""
    try:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            locking = _db.engine.dialect.name != "sqlite"
            start.wait(timeout=60)
            for _ in range(increments):
                query = select(Regency).where(Regency.id == regency_id)
                regency = _db.session.execute(query.with_for_update() if locking else query).scalar_one()
                value = int(regency.name)
                time.sleep(0.002)  # widen the window between read and write: a missing lock would show
                regency.name = str(value + 1)
                _db.session.commit()
            _db.session.remove()
            _db.engine.dispose()
        results.put(("ok", increments))
    except Exception as error:  # reported to the parent, which fails the test with it
        results.put(("error", repr(error)))


@pytest.mark.slow
def test_concurrent_read_modify_write_loses_no_update(db, database_url):
    regency = RegencyFactory(name="0")
    db.session.commit()
    regency_id = regency.id
    db.session.rollback()  # hold no snapshot or lock while the children run

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=increment_counter, args=(database_url, regency_id, INCREMENTS, start, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert outcomes == [("ok", INCREMENTS)] * PROCESSES
    assert all(worker.exitcode == 0 for worker in workers)
    db.session.rollback()
    final = db.session.scalar(select(Regency.name).where(Regency.id == regency_id))
    assert int(final) == PROCESSES * INCREMENTS


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another connection to the SQLite file holds the write lock (an open BEGIN IMMEDIATE with a change)."""
    connection = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE regency SET name = 'Terkunci'")
        yield
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()


@pytest.fixture()
def impatient_app(db, database_url):
    """A second app on the SQLite test database that waits only 200 ms for a lock (the default is 5 s)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific: PostgreSQL and MariaDB lock rows, not the whole database")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, SQLITE_BUSY_TIMEOUT_MS=200)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_get_request_reads_while_another_connection_holds_the_write_lock(org, db, impatient_app, database_url):
    client = impatient_app.test_client()
    assert client.post("/masuk", data={"identifier": "admin.bkd", "password": PASSWORD}).status_code == 302
    staff_id = org.staff_a.id
    db.session.rollback()  # outside a request that read began IMMEDIATE: release the lock it took
    with write_lock_held(database_url):
        response = client.get(f"/pegawai/{staff_id}")
        assert response.status_code == 200, "a GET queued behind the writer instead of reading its snapshot"
        assert "Staf A" in response.get_data(as_text=True)


def test_transaction_that_may_write_waits_for_the_lock(org, impatient_app, database_url):
    """Outside a read-only request a transaction begins IMMEDIATE: it queues behind the writer, then gives up."""
    with impatient_app.app_context():
        with write_lock_held(database_url), pytest.raises(OperationalError, match="locked"):
            _db.session.execute(select(Regency.name))
        _db.session.rollback()
        assert _db.session.execute(select(Regency.name)).scalar_one() == "Pemerintah Kota Uji"
        _db.session.rollback()


def test_read_only_block_does_not_wait_for_the_lock(org, impatient_app, database_url):
    with impatient_app.app_context(), write_lock_held(database_url), read_only_transactions():
        assert _db.session.execute(select(Regency.name)).scalar_one() == "Pemerintah Kota Uji"
        _db.session.rollback()


def test_a_refused_save_is_shown_again_without_holding_the_write_lock(org, db, impatient_app, database_url,
                                                                       monkeypatch):
    """A POST begins IMMEDIATE (it may write). Once its save is refused, the day page is read and rendered in
    DEFERRED transactions: another writer may take the lock meanwhile instead of queueing behind the page."""
    freeze_now(monkeypatch)
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 17))  # 08.00–09.00
    identifier = org.staff_a.id_number
    db.session.commit()  # and hold no lock (outside a request the test's session would begin IMMEDIATE)
    client = impatient_app.test_client()
    assert client.post("/masuk", data={"identifier": identifier, "password": PASSWORD}).status_code == 302
    begins: list[tuple[str, bool]] = []  # each transaction the request began, and whether a writer could start then

    def after_begin(_connection, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            begins.append((statement, writer_could_start(database_url)))

    with impatient_app.app_context():
        engine = _db.engine
    event.listen(engine, "after_cursor_execute", after_begin)
    try:
        response = client.post("/kegiatan/2026-11-17", data={
            "start_time": "08:30", "end_time": "09:30", "description": "Melayani perekaman KTP-el", "quantity": "3",
            "unit": "orang", "work_mode": "WFO", "category": "tugas_utama", "client_token": str(uuid.uuid4())})
    finally:
        event.remove(engine, "after_cursor_execute", after_begin)

    assert response.status_code == 200 and "Waktu bertabrakan dengan kegiatan" in response.get_data(as_text=True)
    assert begins[0] == ("BEGIN IMMEDIATE", False)  # the save was tried holding the lock
    assert ("BEGIN", True) in begins, begins  # then the page read without it
    refused = begins.index(("BEGIN", True))
    assert all(begin == ("BEGIN", True) for begin in begins[refused:]), begins


def writer_could_start(database_url: str) -> bool:
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
