"""Concurrent saves of activities, on SQLite, PostgreSQL and MariaDB.

Several OS processes (spawned, each with its own app, engine and connection pool, as gunicorn workers have)
run one thread per browser; every browser signs in, waits at a common barrier, then POSTs to the day page.
For one person with overlapping times exactly one save wins and the others are refused with the overlap
message; adjacent or other people's times are all saved; the same form (client token) sent twice at once
creates one activity. Nothing answers 500.

The races are about concurrency, not the calendar: the clock runs from FIXED_NOW (a Wednesday afternoon) in this
process and, through KINERJA_CLOCK, in every process it starts, so the suite does not run them again at each of
tests/dates.py's moments. The day is the last working day before that today: inside the backdating window, and
every time of that day is already past.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from kinerja import clock, create_app
from kinerja.extensions import db as _db
from kinerja.models import Activity, MonthLock
from kinerja.workcalendar import is_weekend, package_holidays
from tests.factories import PASSWORD, freeze_now

pytestmark = pytest.mark.slow

PROCESSES = 4
OVERLAP_MESSAGE = "Waktu bertabrakan dengan kegiatan"


@pytest.fixture(autouse=True)
def race_clock(monkeypatch) -> None:
    """The clock running from FIXED_NOW, set before any other fixture reads it (see the module's docstring)."""
    freeze_now(monkeypatch, running=True)


def last_working_day_before_today() -> date:
    """The last Monday–Friday before today (Asia/Jakarta) that is not a national holiday or cuti bersama."""
    day = clock.today("Asia/Jakarta") - timedelta(days=1)
    for _ in range(30):
        if not is_weekend(day, 5) and day not in package_holidays(day.year):
            return day
        day -= timedelta(days=1)
    raise AssertionError("no working day in the last 30 days")


@dataclass(frozen=True)
class Browser:
    """One signed-in browser and the form it sends once the race starts."""

    label: str
    identifier: str
    path: str
    form: dict


@dataclass(frozen=True)
class Outcome:
    label: str
    status: int
    location: str
    body: str


def form(start: str, end: str, token: str | None = None, text: str = "Melayani perekaman KTP-el") -> dict:
    return {"start_time": start, "end_time": end, "description": text, "quantity": "3", "unit": "orang",
            "work_mode": "WFO", "category": "tugas_utama", "client_token": token or str(uuid.uuid4())}


def browse(database_url: str, browsers: list[Browser], start, results) -> None:
    """Child process: one app; one thread and test client per browser; all POST when the barrier opens."""
    try:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)

        def run(browser: Browser) -> None:
            try:
                client = app.test_client()
                signed_in = client.post("/masuk", data={"identifier": browser.identifier, "password": PASSWORD})
                if signed_in.status_code != 302:
                    start.abort()
                    results.put(("error", f"{browser.label}: sign-in answered {signed_in.status_code}"))
                    return
                start.wait(timeout=60)
                response = client.post(browser.path, data=browser.form)
                body = response.get_data(as_text=True)
                results.put(("ok", Outcome(browser.label, response.status_code,
                                           response.headers.get("Location", ""), body)))
            except Exception as error:  # reported to the parent, which fails the test with it
                results.put(("error", f"{browser.label}: {error!r}"))

        threads = [threading.Thread(target=run, args=(browser,)) for browser in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        with app.app_context():
            _db.engine.dispose()
    except Exception as error:
        results.put(("error", repr(error)))


def waiting_sessions(database_url: str) -> str:
    """What the database's other sessions are doing: the likely culprit when a browser never answered."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                rows = connection.execute(text(
                    "SELECT pid, state, wait_event_type, wait_event, left(query, 160) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
            elif engine.dialect.name == "mysql":
                rows = connection.execute(text("SHOW FULL PROCESSLIST")).all()
            else:
                rows = []
        return "; ".join(str(tuple(row)) for row in rows)
    finally:
        engine.dispose()


def race(database_url: str, browsers: list[Browser], seconds: float = 180) -> dict[str, list[Outcome]]:
    """Spread the browsers over PROCESSES spawned processes, start them together, collect every answer."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(browsers)), context.Queue()
    groups = [browsers[index::PROCESSES] for index in range(PROCESSES)]
    workers = [context.Process(target=browse, args=(database_url, group, start, results))
               for group in groups if group]
    for worker in workers:
        worker.start()
    answers, deadline = [], time.monotonic() + seconds
    try:
        while len(answers) < len(browsers) and time.monotonic() < deadline:
            try:
                answers.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                break
        if len(answers) < len(browsers):
            answered = sorted(detail.label for kind, detail in answers if kind == "ok")
            pytest.fail(f"only {len(answers)} of {len(browsers)} browsers answered within {seconds:.0f} s "
                        f"(answered: {answered}); other sessions: {waiting_sessions(database_url)}")
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=10)
    errors = [detail for kind, detail in answers if kind == "error"]
    assert not errors, errors
    assert all(worker.exitcode == 0 for worker in workers)
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for _kind, outcome in answers:
        outcomes[outcome.label].append(outcome)
    return outcomes


def saved(outcome: Outcome, day: date) -> bool:
    return outcome.status == 302 and outcome.location.split("#")[0].endswith(f"/kegiatan/{day.isoformat()}")


@pytest.fixture()
def day(org, db) -> date:
    """The day to save on, opened explicitly should the automatic monthly close already have passed."""
    chosen = last_working_day_before_today()
    for agency in (org.agency_a, org.agency_b):
        db.session.add(MonthLock(agency_id=agency.id, year=chosen.year, month=chosen.month, locked=False))
    db.session.commit()
    return chosen


def activities_of(db, employee_id: int, day: date) -> list[Activity]:
    db.session.rollback()  # see what the children committed
    return list(db.session.scalars(
        select(Activity).where(Activity.employee_id == employee_id, Activity.activity_date == day)
        .order_by(Activity.start_time)))


def test_overlapping_saves_of_one_person_admit_exactly_one(org, db, database_url, day):
    path = f"/kegiatan/{day.isoformat()}"
    staff_a, staff_a2 = org.staff_a, org.staff_a2
    browsers = [
        # One person, four browsers, four pairwise-overlapping hours: exactly one may win.
        *(Browser("overlap", staff_a.id_number, path, form(start, end, text=f"Perekaman {start}"))
          for start, end in (("08:00", "09:00"), ("08:15", "09:15"), ("08:30", "09:30"), ("08:45", "09:45"))),
        # One person, three browsers, back-to-back half hours: all fit.
        *(Browser("adjacent", staff_a2.id_number, path, form(start, end))
          for start, end in (("10:00", "10:30"), ("10:30", "11:00"), ("11:00", "11:30"))),
        # Different people at the same time: no conflict at all.
        Browser("other person", org.other_staff_a.id_number, path, form("08:00", "09:00")),
        Browser("other agency", org.staff_b.id_number, path, form("08:00", "09:00")),
    ]
    ids = {"overlap": staff_a.id, "adjacent": staff_a2.id, "other person": org.other_staff_a.id,
           "other agency": org.staff_b.id}
    db.session.rollback()  # hold no snapshot or (SQLite) write lock while the children run

    outcomes = race(database_url, browsers)

    assert not [o for group in outcomes.values() for o in group if o.status >= 500]
    overlap = outcomes["overlap"]
    winners = [o for o in overlap if saved(o, day)]
    losers = [o for o in overlap if not saved(o, day)]
    assert len(winners) == 1, [(o.status, o.location) for o in overlap]
    assert len(losers) == 3
    assert all(o.status == 200 and OVERLAP_MESSAGE in o.body for o in losers), [o.status for o in losers]
    stored = activities_of(db, ids["overlap"], day)
    assert len(stored) == 1

    assert all(saved(o, day) for o in outcomes["adjacent"]), [o.status for o in outcomes["adjacent"]]
    adjacent = activities_of(db, ids["adjacent"], day)
    assert [(a.start_time.strftime("%H:%M"), a.end_time.strftime("%H:%M")) for a in adjacent] == [
        ("10:00", "10:30"), ("10:30", "11:00"), ("11:00", "11:30")]
    for label in ("other person", "other agency"):
        assert all(saved(o, day) for o in outcomes[label]), label
        assert len(activities_of(db, ids[label], day)) == 1, label


def test_the_same_form_sent_at_once_from_two_browsers_saves_once(org, db, database_url, day):
    path = f"/kegiatan/{day.isoformat()}"
    token, other_token = str(uuid.uuid4()), str(uuid.uuid4())
    browsers = [
        # A double tap: the same form, the same client token, twice at the same moment.
        *(Browser("double tap", org.staff_a.id_number, path, form("13:00", "14:00", token)) for _ in range(2)),
        # Another person resending the same form three times at once, plus a different activity meanwhile.
        *(Browser("resent", org.staff_b.id_number, path, form("13:00", "14:30", other_token)) for _ in range(3)),
        Browser("meanwhile", org.staff_b.id_number, path, form("15:00", "15:30")),
    ]
    staff_a_id, staff_b_id = org.staff_a.id, org.staff_b.id
    db.session.rollback()

    outcomes = race(database_url, browsers)

    for label in ("double tap", "resent", "meanwhile"):
        assert all(saved(o, day) for o in outcomes[label]), (label, [(o.status, o.location) for o in outcomes[label]])
    assert [a.client_token for a in activities_of(db, staff_a_id, day)] == [token]
    stored = activities_of(db, staff_b_id, day)
    assert [(a.start_time.strftime("%H:%M"), a.client_token == other_token) for a in stored] == [
        ("13:00", True), ("15:00", False)]
    assert db.session.scalar(select(func.count(Activity.id))) == 3
