"""CPU per page beside a bare Flask + Flask-SQLAlchemy + Jinja page of the same rows, in one process (issue 19).

Each main page is requested through the Flask test client in the same process as a bare page: a separate,
minimal Flask app with its own Flask-SQLAlchemy instance on the same database that selects the same rows and
renders them with Jinja in a small layout (no login, no hooks): the signed-in employee's activities of the month
for the staff pages and dashboards, a page (PER_PAGE) of the appraiser's current subordinates with their waiting
items for the appraiser's home and inbox (which list that many of the team, however large). Rounds are
interleaved (every page and the bare pages, again and again, in an order shuffled each round with a fixed seed)
so a busy machine slows them alike and no page always follows the same neighbour; each figure is the median CPU
time (`time.process_time`) of a request. The median elapsed time ("wall ms") is shown beside it: on PostgreSQL
and MariaDB the database's own work runs in the server's process, which the CPU time leaves out.

Targets: each main page at most 2× the bare page; the BKD and agency dashboards at most 4× as served (figures
kept DASHBOARD_CACHE_SECONDS; the same pages reading their figures afresh are shown beside them); the fixed cost
of a signed-in request (an empty page in the app's layout, against the bare page with no rows: a request, a
query and a layout) at most 1 ms over the bare one. Run at two sizes, the second with ten times the employees
(and so ten times the rows the appraiser, the agency and BKD see): the statements per page must be the same.

python -m bench.pages [--employees N] [--rounds N] [--db sqlite|postgresql|mariadb] [--profile PAGE] [--once]

`--profile PAGE` prints the page's statements and a cProfile of it (by its name in the table) instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as hour
from decimal import Decimal

from flask import Flask, render_template
from flask_login import login_required
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import Date, ForeignKey, Numeric, String, Time, event, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.generate import BENCH_PASSWORD, generate, nip
from bench.review import DESCRIPTIONS, SLOTS, StatementCounter
from kinerja import clock, create_app
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    Assignment,
    AttendanceKind,
    AttendanceRecord,
    WorkMode,
)
from kinerja.workcalendar import is_weekend, package_holidays
from tests.throwaway import throwaway_database

MOMENT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC) - timedelta(hours=7)  # a Thursday, 10.00 WIB
PAGE_TARGET, DASHBOARD_TARGET, FIXED_TARGET_MS = 2.0, 4.0, 1.0
WAITING_DAYS = 3  # the last working days before today are submitted, not yet approved


# --- the bare page -----------------------------------------------------------------------------------------

class BareBase(DeclarativeBase):
    pass


bare_db = SQLAlchemy(model_class=BareBase)


class BareActivity(bare_db.Model):
    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    activity_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[hour] = mapped_column(Time)
    end_time: Mapped[hour] = mapped_column(Time)
    description: Mapped[str] = mapped_column(String(1000))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))


class BareEmployee(bare_db.Model):
    __tablename__ = "employee"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))


class BareAssignment(bare_db.Model):
    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    appraiser_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


BARE_TEAM = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Bawahan</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><nav><a href="/">Beranda</a> <a href="/pemeriksaan">Pemeriksaan</a></nav>
<main><h1>Bawahan</h1><ul>{% for person, waiting in rows %}
<li><a href="/pegawai/{{ person.id }}">{{ person.name }}</a> <span>NIP {{ person.id_number }}</span>
<span>{{ waiting }} menunggu</span></li>{% endfor %}</ul></main></body></html>"""


BARE_LAYOUT = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><nav><a href="/">Beranda</a> <a href="/kegiatan">Kegiatan</a> <a href="/laporan">Laporan</a></nav>
<main><h1>{{ title }}</h1>
{% if rows %}<table><thead><tr><th>Tanggal</th><th>Jam</th><th>Uraian</th><th>Hasil</th><th>Status</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.activity_date.strftime('%d-%m-%Y') }}</td>
<td>{{ row.start_time.strftime('%H.%M') }}–{{ row.end_time.strftime('%H.%M') }}</td>
<td>{{ row.description }}</td><td>{{ row.quantity }} {{ row.unit }}</td><td>{{ row.status }}</td></tr>
{% endfor %}</tbody></table>{% endif %}</main></body></html>"""


def bare_app(url: str, employee_id: int, appraiser_id: int, first: date, last: date, per_page: int) -> Flask:
    app = Flask("bare")
    app.config.update(SQLALCHEMY_DATABASE_URI=url)
    app.jinja_loader = DictLoader({"layout.html": BARE_LAYOUT, "team.html": BARE_TEAM})  # compiled once, as files
    bare_db.init_app(app)

    def rows_of(someone: int) -> list[BareActivity]:
        return bare_db.session.scalars(
            select(BareActivity).where(BareActivity.employee_id == someone,
                                       BareActivity.activity_date.between(first, last))
            .order_by(BareActivity.activity_date, BareActivity.start_time)).all()

    @app.route("/bulan")
    def month():
        return render_template("layout.html", title="Kegiatan bulan ini", rows=rows_of(employee_id))

    @app.route("/bawahan")
    def team():
        """The appraiser's pages list the same rows: current subordinates with their waiting items, a page of
        them (PER_PAGE), those waiting first as the inbox shows them."""
        rows = bare_db.session.execute(
            select(BareEmployee, func.count(BareActivity.id))
            .join(BareAssignment, BareAssignment.employee_id == BareEmployee.id)
            .outerjoin(BareActivity, (BareActivity.employee_id == BareEmployee.id)
                       & (BareActivity.status == ActivityStatus.SUBMITTED.value))
            .where(BareAssignment.appraiser_id == appraiser_id, BareAssignment.valid_from <= last,
                   BareAssignment.valid_to.is_(None) | (BareAssignment.valid_to >= last))
            .group_by(BareEmployee.id, BareEmployee.id_number, BareEmployee.name)
            .order_by(func.count(BareActivity.id).desc(), BareEmployee.name).limit(per_page)).all()
        return render_template("team.html", rows=rows)

    @app.route("/kosong")
    def empty():
        """The same page with no rows: what it costs whatever the data (a request, a query, the layout)."""
        return render_template("layout.html", title="Kosong", rows=rows_of(0))

    return app


# --- the data ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    employees: int
    staff_id: int
    staff_nip: str
    appraiser_nip: str
    appraiser_id: int
    agency_id: int
    month_rows: int


def working_days(first: date, until: date) -> list[date]:
    days, day = [], first
    holidays = package_holidays(first.year)
    while day <= until:
        if not is_weekend(day, 5) and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def fill(employees: int, today: date) -> Dataset:
    """A regency (bench.generate) and this month for everyone: five activities and two attendance records each
    working day up to yesterday (approved, the last few submitted), today's check-in and first activity."""
    regency = generate(employees, agencies=4, units_per_agency=5)
    agency_of = dict(db.session.execute(select(Assignment.employee_id, Assignment.agency_id)).all())
    days = working_days(today.replace(day=1), today - timedelta(days=1))
    waiting = set(days[-WAITING_DAYS:])
    now = clock.utcnow()
    stamp = {"created_at": now, "updated_at": now}
    activities, records = [], []

    def flush() -> None:
        if activities:
            db.session.execute(insert(Activity), activities)
        if records:
            db.session.execute(insert(AttendanceRecord), records)
        activities.clear()
        records.clear()

    for employee_id in agency_of:
        for d, day in enumerate([*days, today]):
            slots = SLOTS[:1] if day == today else SLOTS
            status = (ActivityStatus.DRAFT if day == today else
                      ActivityStatus.SUBMITTED if day in waiting else ActivityStatus.APPROVED)
            for k, (start, end) in enumerate(slots):
                activities.append({
                    "employee_id": employee_id, "activity_date": day, "start_time": start, "end_time": end,
                    "duration_minutes": (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute),
                    "description": f"{DESCRIPTIONS[(employee_id + d + k) % len(DESCRIPTIONS)]} ({d + 1}.{k + 1})",
                    "quantity": Decimal(1 + k), "unit": "berkas", "work_mode": WorkMode.WFO,
                    "category": ActivityCategory.MAIN, "status": status, "off_day": False, "version": 1,
                    "submitted_at": now if status is not ActivityStatus.DRAFT else None, **stamp})
            common = {"employee_id": employee_id, "agency_id": agency_of[employee_id], "day": day,
                      "mode": WorkMode.WFO, "latitude": -6.87, "longitude": 107.54, "accuracy_m": 12.0,
                      "within_radius": True, "device_id": "", "user_agent_hash": "", "off_day": False, **stamp}
            arrival = datetime.combine(day, hour(0, 40 + (employee_id + d) % 15), tzinfo=UTC)
            records.append({**common, "kind": AttendanceKind.IN, "at": arrival, "late_minutes": 0,
                            "early_minutes": 0})
            if day != today:
                records.append({**common, "kind": AttendanceKind.OUT, "at": arrival + timedelta(hours=9),
                                "late_minutes": 0, "early_minutes": 0})
        if len(activities) > 50_000:
            flush()
    flush()
    db.session.commit()
    appraiser = regency.appraiser_ids[0]
    staff = db.session.scalar(select(Assignment.employee_id).where(Assignment.appraiser_id == appraiser)
                              .order_by(Assignment.employee_id).limit(1))
    return Dataset(regency.employees, staff, nip(staff), nip(appraiser), appraiser, regency.agency_ids[0],
                   (len(days) * len(SLOTS) + 1))


# --- measuring ---------------------------------------------------------------------------------------------

@dataclass
class Page:
    name: str
    fetch: Callable[[], object]
    target: float | None  # times the bare page; None for the bare pages themselves
    samples: list[float]
    statements: int = 0
    wall: list[float] = field(default_factory=list)  # elapsed ms: with PostgreSQL and MariaDB, their work too
    baseline: str = "month"  # the bare page of the same rows: "month" or "team"


BARE_PAGES = {"month": "bare: the month's rows", "team": "bare: the appraiser's team"}


def timed(page: Page) -> None:
    """One request: its CPU time in this process, and the time it took (which, on PostgreSQL and MariaDB, also
    holds the database server's work on another process)."""
    started, elapsed = time.process_time(), time.perf_counter()
    page.fetch()
    page.wall.append((time.perf_counter() - elapsed) * 1000)
    page.samples.append((time.process_time() - started) * 1000)


def getter(client, url: str) -> Callable[[], object]:
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response
    return fetch


def signed_in(app: Flask, identifier: str):
    client = app.test_client()
    response = client.post("/masuk", data={"identifier": identifier, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {identifier} failed: {response.status_code}")
    return client


def pages_of(app: Flask, bare: Flask, data: Dataset, today: date) -> list[Page]:
    staff, appraiser = signed_in(app, data.staff_nip), signed_in(app, data.appraiser_nip)
    bkd = signed_in(app, "bench.bkd")
    bare_client = bare.test_client()
    month = f"{today:%Y-%m}"
    return [
        Page(BARE_PAGES["month"], getter(bare_client, "/bulan"), None, []),
        Page(BARE_PAGES["team"], getter(bare_client, "/bawahan"), None, [], baseline="team"),
        Page("bare: empty", getter(bare_client, "/kosong"), None, []),
        Page("signed in: empty layout", getter(staff, "/_bench/kosong"), None, []),
        Page("home (staff)", getter(staff, "/"), PAGE_TARGET, []),
        Page("day", getter(staff, f"/kegiatan/{today:%Y-%m-%d}"), PAGE_TARGET, []),
        Page("month", getter(staff, f"/kegiatan/bulan/{month}"), PAGE_TARGET, []),
        Page("list", getter(staff, "/kegiatan/daftar"), PAGE_TARGET, []),
        Page("attendance", getter(staff, "/presensi/"), PAGE_TARGET, []),
        Page("reports", getter(staff, "/laporan/"), PAGE_TARGET, []),
        Page("SKP", getter(staff, "/skp/"), PAGE_TARGET, []),
        Page("home (appraiser)", getter(appraiser, "/"), PAGE_TARGET, [], baseline="team"),
        Page("inbox", getter(appraiser, "/pemeriksaan/"), PAGE_TARGET, [], baseline="team"),
        Page("agency dashboard", getter(bkd, f"/admin/dasbor/opd/{data.agency_id}"), DASHBOARD_TARGET, []),
        Page("BKD dashboard", getter(bkd, "/admin/dasbor"), DASHBOARD_TARGET, []),
        Page("agency dashboard, afresh", getter(bkd, f"/admin/dasbor/opd/{data.agency_id}?segarkan=1"), None, []),
        Page("BKD dashboard, afresh", getter(bkd, "/admin/dasbor?segarkan=1"), None, []),
    ]


def add_empty_page(app: Flask) -> None:
    """A signed-in page in the app's layout with nothing in it: the fixed cost every signed-in page pays."""
    template = app.jinja_env.from_string("{% extends 'base.html' %}{% block title %}Kosong{% endblock %}")

    @app.route("/_bench/kosong")
    @login_required
    def bench_empty():
        return render_template(template)  # a compiled template is used as it is


def build(kind: str, url: str, employees: int) -> tuple[Flask, Flask, Dataset]:
    # PUBLIC_BASE_URL as production requires it (without it every request notes the address it was served at)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LOG_LEVEL="WARNING", DASHBOARD_CACHE_SECONDS=120,
                     PUBLIC_BASE_URL="https://kinerja.bench.example")
    add_empty_page(app)
    today = clock.today("Asia/Jakarta")
    with app.app_context():
        db.create_all()
        data = fill(employees, today)
        db.session.remove()
    first = today.replace(day=1)
    return app, bare_app(url, data.staff_id, data.appraiser_id, first, today, app.config["PER_PAGE"]), data


def measure(app: Flask, bare: Flask, data: Dataset, rounds: int) -> list[Page]:
    today = clock.today("Asia/Jakarta")
    pages = pages_of(app, bare, data, today)
    with app.app_context():
        app_engine = db.engine
    with bare.app_context():
        bare_engine = bare_db.engine
    counter = StatementCounter(app_engine, bare_engine)
    for page in pages:  # warm up, and count statements once
        page.fetch()
        with counter.counting():
            page.fetch()
        page.statements = counter.count
    order = random.Random(19)  # the same orders on every run
    for _ in range(rounds):
        for page in order.sample(pages, len(pages)):
            timed(page)
    return pages


def table(kind: str, data: Dataset, pages: list[Page]) -> bool:
    medians = {page.name: statistics.median(page.samples) for page in pages}
    print(f"\n[{kind}] {data.employees:,} employees; the staff member's month: {data.month_rows} activities; "
          f"CPU ms per request (median); × bare: against the bare page of the same rows (the staff member's month, "
          f"or the appraiser's team for the appraiser's pages), × month: against the month's for all")
    print(f"{'page':<28} {'CPU ms':>8} {'× bare':>7} {'× month':>8} {'target':>7} {'queries':>8} {'wall ms':>8}"
          "  verdict")
    ok = True
    for page in pages:
        ratio = medians[page.name] / medians[BARE_PAGES[page.baseline]]
        against_month = medians[page.name] / medians[BARE_PAGES["month"]]
        verdict = ""
        if page.target is not None:
            verdict = "ok" if ratio <= page.target else "SLOW"
            ok &= verdict == "ok"
        target = f"{page.target:.0f}×" if page.target else ""
        print(f"{page.name:<28} {medians[page.name]:8.2f} {ratio:6.2f}× {against_month:7.2f}× {target:>7} "
              f"{page.statements:8d} {statistics.median(page.wall):8.2f}  {verdict}")
    fixed = medians["signed in: empty layout"] - medians["bare: empty"]
    verdict = "ok" if fixed <= FIXED_TARGET_MS else "SLOW"
    ok &= verdict == "ok"
    print(f"fixed cost of a signed-in request: {fixed:.2f} ms over the bare page's "
          f"(target {FIXED_TARGET_MS:.0f} ms: {verdict})")
    return ok


def profile(app: Flask, bare: Flask, data: Dataset, name: str, rounds: int) -> None:
    today = clock.today("Asia/Jakarta")
    page = next(page for page in pages_of(app, bare, data, today) if page.name == name)
    page.fetch()
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(" ".join(statement.split())[:300])

    event.listen(engine, "before_cursor_execute", record)
    page.fetch()
    event.remove(engine, "before_cursor_execute", record)
    print(f"{len(statements)} statements:", *statements, sep="\n- ")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        page.fetch()
    profiler.disable()
    if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats' callers and callees, or snakeviz
        profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(45)
    stats.print_stats("kinerja/|flask_limiter|flask_wtf|wtforms|flask/sessions|flask_login|babel", 50)
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=300, help="the smaller size; the larger is 10×")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb"], default="sqlite")
    parser.add_argument("--profile", metavar="PAGE", help="profile this page instead of the table")
    parser.add_argument("--once", action="store_true", help="only the smaller size")
    options = parser.parse_args()
    previous = os.environ.get(clock.SETTING)
    os.environ[clock.SETTING] = clock.setting(MOMENT)
    try:
        statements: dict[int, dict[str, int]] = {}
        sizes = [options.employees] if options.once or options.profile else [options.employees,
                                                                             options.employees * 10]
        ok = True
        for size in sizes:
            with throwaway_database(options.db) as url:
                app, bare, data = build(options.db, url, size)
                if options.profile:
                    profile(app, bare, data, options.profile, options.rounds)
                    return
                pages = measure(app, bare, data, options.rounds)
                ok &= table(options.db, data, pages)
                statements[size] = {page.name: page.statements for page in pages}
        if len(sizes) == 2:
            grown = [name for name, count in statements[sizes[1]].items() if count != statements[sizes[0]][name]]
            print(f"statements per page at {sizes[1]:,} against {sizes[0]:,} employees: "
                  + ("the same on every page (ok)" if not grown else
                     "GROWN on " + ", ".join(f"{name} {statements[sizes[0]][name]}→{statements[sizes[1]][name]}"
                                             for name in grown)))
            ok &= not grown
        print("pages: " + ("ok" if ok else "targets missed"))
    finally:
        if previous is None:
            os.environ.pop(clock.SETTING, None)
        else:
            os.environ[clock.SETTING] = previous


if __name__ == "__main__":
    main()
