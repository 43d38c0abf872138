"""Daily activities at regency scale: 10,000 employees × 3 months × 5 activities per working day (≈3.2 M rows).

Measures through the Flask test client (no network) the day page, the month calendar and saving one
activity, then starts gunicorn (2 sync workers on 127.0.0.1) on the same database and lets concurrent
writers save activities over HTTP, checking afterwards that nothing was lost or duplicated and that no
request answered 5xx.

python -m bench.activities [--employees N] [--months M] [--db sqlite|postgresql] [--writers W]

The activities fill the full months before the month of the earliest day still open for filing (normally the
months before the current one), working days only (weekends and national holidays skipped). Saves go to the
working days inside the backdating window of the real today, which lie after the generated months, so every
save lands on a free time slot of an open month.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as hour
from decimal import Decimal
from http.cookiejar import CookieJar
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select

from bench.generate import BENCH_PASSWORD, generate, nip
from bench.timing import measure, percentiles, report
from kinerja import clock, create_app
from kinerja.core.periods import month_closed
from kinerja.extensions import db
from kinerja.models import Activity, Assignment
from kinerja.settings import setting
from kinerja.workcalendar import earliest_backdate, is_weekend, month_days, package_holidays
from tests.throwaway import throwaway_database

PAGE_TARGET_MS = 100
SAVE_TARGET_MS = 100
STAFF_POSITION_ID = 3  # "Penata Layanan Operasional" in bench.generate
PROJECT_DIR = Path(__file__).resolve().parent.parent
CHUNK_ROWS = 50_000

DESCRIPTIONS = [
    "Melayani perekaman KTP-el pemohon",
    "Verifikasi berkas permohonan pindah datang",
    "Menginput data hasil pelayanan ke aplikasi",
    "Menyusun laporan harian pelayanan",
    "Mengarsipkan berkas permohonan yang telah selesai",
    "Mengagendakan surat masuk dan mendistribusikannya",
    "Menyiapkan bahan rapat koordinasi bidang",
    "Mengikuti rapat koordinasi internal",
    "Memverifikasi kelengkapan dokumen pemohon",
    "Menyusun konsep surat balasan",
    "Memperbarui data pada aplikasi SIAK",
    "Melayani konsultasi masyarakat di loket",
]
UNITS = ["berkas", "dokumen", "laporan", "orang", "surat", "data", "layanan", "kegiatan"]
# Five blocks between 07:30 and 16:00 of 60–90 minutes each, with a midday break.
DAY_SHAPES = [
    [("07:30", "08:45"), ("08:45", "10:15"), ("10:15", "11:45"), ("13:00", "14:30"), ("14:30", "16:00")],
    [("07:30", "09:00"), ("09:00", "10:00"), ("10:00", "11:30"), ("12:45", "14:15"), ("14:15", "15:45")],
    [("08:00", "09:15"), ("09:30", "11:00"), ("11:00", "12:00"), ("13:00", "14:30"), ("14:30", "16:00")],
    [("07:45", "09:00"), ("09:00", "10:30"), ("10:45", "12:00"), ("13:15", "14:45"), ("14:45", "15:45")],
]
COLUMNS = (
    "employee_id", "activity_date", "start_time", "end_time", "duration_minutes", "description", "quantity",
    "unit", "work_mode", "assignment_letter", "category", "indicator_id", "status", "off_day", "return_reason",
    "submitted_at", "client_token", "version", "created_at", "updated_at",
)


def parse_clock(text_value: str) -> hour:
    hours, minutes = text_value.split(":")
    return hour(int(hours), int(minutes))


SHAPES = [
    [(parse_clock(start), parse_clock(end),
      (int(end[:2]) * 60 + int(end[3:])) - (int(start[:2]) * 60 + int(start[3:]))) for start, end in shape]
    for shape in DAY_SHAPES
]


# ---------------------------------------------------------------------------------------------- calendar


def working_days(start: date, end: date) -> list[date]:
    """Monday to Friday between the dates, national holidays and cuti bersama skipped."""
    days, day = [], start
    while day <= end:
        if not is_weekend(day, 5) and day not in package_holidays(day.year):
            days.append(day)
        day += timedelta(days=1)
    return days


def months_before(first_open: date, months: int) -> list[tuple[date, date]]:
    """The `months` full months before the month of `first_open`, oldest first."""
    result = []
    first = first_open.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        result.append(month_days(first.year, first.month))
    return list(reversed(result))


def jakarta_now() -> datetime:
    return clock.now("Asia/Jakarta")


def open_days(today: date) -> list[date]:
    """Working days before today inside the backdating window and in a month still open (app context)."""
    earliest = earliest_backdate(today, setting("BACKDATE_WORKING_DAYS"), 5)
    return [day for day in working_days(earliest, today - timedelta(days=1)) if not month_closed(1, day, today)]


# ---------------------------------------------------------------------------------------------- activities


def activity_rows(employee_ids: list[int], days: list[date], value: Callable[[str, Any], Any]) -> Iterator[tuple]:
    """Five activities per employee per working day, day by day (the order in which real data accrues), as
    tuples in COLUMNS order. `value(column, python_value)` turns a value into what the driver is given; it
    is called on the few distinct values only, never per row.

    Mostly approved, some submitted, a few drafts and returned items; mostly WFO with some WFH and DL.
    A cheap hash of (employee, day) picks the shape of the day, its status and mode: no random module,
    so a run is reproducible and 3 M rows build in seconds.
    """
    created = value("created_at", clock.utcnow())
    version, off_day = value("version", 1), value("off_day", False)
    indicator = token = no_letter = no_reason = not_submitted = value("client_token", None)
    quantities = [value("quantity", Decimal(n)) for n in (1, 2, 3, 5)]
    descriptions = [value("description", item) for item in DESCRIPTIONS]
    units = [value("unit", item) for item in UNITS]
    shapes = [[(value("start_time", start), value("end_time", end), value("duration_minutes", minutes))
               for start, end, minutes in shape] for shape in SHAPES]
    main_task, extra_task = value("category", "tugas_utama"), value("category", "tugas_tambahan")
    statuses = {name: value("status", name) for name in ("approved", "submitted", "draft", "returned")}
    modes = {name: value("work_mode", name) for name in ("WFO", "WFH", "DL")}
    returned_reason = value("return_reason", "Lengkapi bukti dukung kegiatan.")
    stored_ids = [value("employee_id", employee_id) for employee_id in employee_ids]
    last_day = days[-1] if days else None
    for day_index, day in enumerate(days):
        stored_day = value("activity_date", day)
        submitted_at = value("submitted_at", datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC))  # 16.30 WIB
        recent = last_day is not None and (last_day - day).days < 10
        for employee_id, stored_id in zip(employee_ids, stored_ids, strict=True):
            h = (employee_id * 2_654_435_761 + day_index * 40_503) & 0xFFFFFFFF
            roll = h % 100
            if recent and roll < 25:
                status = "submitted" if roll < 15 else "draft"
            else:
                status = "approved" if roll < 93 else "submitted" if roll < 97 else "draft" if roll < 99 else "returned"
            mode_roll = (h >> 8) % 100
            mode = "WFO" if mode_roll < 82 else "WFH" if mode_roll < 92 else "DL"
            letter = value("assignment_letter", f"800.1.11.1/{100 + h % 800}-Bench/{day.year}") if mode == "DL" \
                else no_letter
            reason = returned_reason if status == "returned" else no_reason
            when = not_submitted if status == "draft" else submitted_at
            stored_status, stored_mode = statuses[status], modes[mode]
            for k, (start, end, minutes) in enumerate(shapes[(h >> 16) % len(shapes)]):
                pick = (h >> 4) + k * 7
                yield (stored_id, stored_day, start, end, minutes, descriptions[pick % len(descriptions)],
                       quantities[pick % 4], units[pick % len(units)], stored_mode, letter,
                       main_task if k != 3 else extra_task, indicator, stored_status, off_day, reason, when, token,
                       version, created, created)


def bind_values(dialect) -> Callable[[str, Any], Any]:
    """SQLAlchemy's own bind processing of each column type (dates, times, enums, UTC timestamps)."""
    table = Activity.__table__
    processors = {column.name: column.type._cached_bind_processor(dialect) for column in table.columns}

    def value(column: str, python_value: Any) -> Any:
        if python_value is None:
            return None
        bound = table.c[column].type
        if hasattr(bound, "process_bind_param"):  # TypeDecorator (UTCDateTime): its own step comes first
            python_value = bound.process_bind_param(python_value, dialect)
            processor = bound.impl_instance._cached_bind_processor(dialect)
        else:
            processor = processors[column]
        return processor(python_value) if processor else python_value

    return value


def column_defaults() -> tuple[tuple[str, ...], tuple]:
    """Columns outside COLUMNS that have a default (added by later features), with their default values."""
    names, values = [], []
    for column in Activity.__table__.columns:
        if column.name in COLUMNS or column.primary_key or column.default is None:
            continue
        names.append(column.name)
        values.append(column.default.arg(None) if column.default.is_callable else column.default.arg)
    return tuple(names), tuple(values)


def insert_executemany(employee_ids: list[int], days: list[date]) -> int:
    """executemany in chunks of plain rows through Core's compiled INSERT, the values bound as SQLAlchemy would
    (SQLite, MariaDB).

    Core's per-row bind processing costs ≈30 µs a row (27,000 rows/s); the values repeat (63 dates, 20 times,
    4 statuses...), so each distinct value is processed once and the driver gets ready rows."""
    connection = db.session.connection()
    dialect = connection.dialect
    value = bind_values(dialect)
    extra_names, extra_values = column_defaults()
    names = COLUMNS + extra_names
    extra = tuple(value(name, item) for name, item in zip(extra_names, extra_values, strict=True))
    compiled = insert(Activity.__table__).compile(dialect=dialect, column_keys=list(names))
    if compiled.positional:
        missing = set(compiled.positiontup) - set(names)
        if missing:
            raise RuntimeError(f"the bench does not fill the activity columns {sorted(missing)}")
        order = [names.index(name) for name in compiled.positiontup]
        shape = None if order == list(range(len(names))) else itemgetter(*order)
    else:
        shape = lambda row: dict(zip(names, row, strict=True))  # noqa: E731 - named parameters
    if dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MiB while loading
    total, chunk = 0, []
    for row in activity_rows(employee_ids, days, value):
        row += extra
        chunk.append(shape(row) if shape else row)
        if len(chunk) >= CHUNK_ROWS:
            db.session.connection().exec_driver_sql(str(compiled), chunk)
            db.session.commit()
            total += len(chunk)
            chunk = []
    if chunk:
        db.session.connection().exec_driver_sql(str(compiled), chunk)
        total += len(chunk)
    db.session.commit()
    if dialect.name == "sqlite":
        db.session.connection().exec_driver_sql("PRAGMA cache_size = -2000")  # back to the default
        db.session.commit()
    return total


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(_column: str, python_value: Any) -> str:
    """A value in COPY's text format; timestamps as the naive UTC the columns store."""
    if python_value is None:
        return "\\N"
    if isinstance(python_value, bool):
        return "t" if python_value else "f"
    if isinstance(python_value, datetime):
        return python_value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(python_value, date | hour):
        return python_value.isoformat()
    return str(python_value).translate(COPY_ESCAPES)


def insert_copy(employee_ids: list[int], days: list[date]) -> int:
    """PostgreSQL: COPY ... FROM STDIN in text format through psycopg, rows joined from preformatted values."""
    raw = db.session.connection().connection.driver_connection
    extra_names, extra_values = column_defaults()
    extra = "".join("\t" + copy_text(name, item) for name, item in zip(extra_names, extra_values, strict=True))
    columns = ", ".join(COLUMNS + extra_names)
    total, lines = 0, []
    with raw.cursor() as cursor, cursor.copy(f"COPY activity ({columns}) FROM STDIN") as copy:
        for row in activity_rows(employee_ids, days, copy_text):
            lines.append("\t".join(row) + extra + "\n")
            if len(lines) >= 10_000:
                copy.write("".join(lines).encode())
                total += len(lines)
                lines = []
        if lines:
            copy.write("".join(lines).encode())
            total += len(lines)
    db.session.commit()
    return total


def analyze() -> None:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
        db.session.commit()
        raw = db.engine.raw_connection()  # outside a transaction: fold the WAL back into the file
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    else:
        connection.exec_driver_sql("ANALYZE")
    db.session.commit()


# ---------------------------------------------------------------------------------------------- test client


def slot(index: int) -> tuple[str, str]:
    """The index-th 30-minute slot of a day, 45 minutes apart from 07:00 (15 slots, 7.5 hours in all)."""
    start = 7 * 60 + 45 * index
    return f"{start // 60:02d}:{start % 60:02d}", f"{(start + 30) // 60:02d}:{(start + 30) % 60:02d}"


MAX_SLOTS = 15


def save_form(index: int, token: str | None = None) -> dict[str, str]:
    start, end = slot(index)
    return {
        "start_time": start, "end_time": end, "description": DESCRIPTIONS[index % len(DESCRIPTIONS)],
        "quantity": "1", "unit": UNITS[index % len(UNITS)], "work_mode": "WFO", "category": "tugas_utama",
        "client_token": token or str(uuid.uuid4()), "link": "",
    }


ERROR_TEXT = re.compile(r'class="(?:invalid-feedback[^"]*|alert[^"]*)"[^>]*>\s*(.*?)\s*<', re.S)


def refusal(body: str) -> str:
    return "; ".join(ERROR_TEXT.findall(body))[:300] or body[:200]


def measure_test_client(app, staff: list[int], sample_days: list[date], month: date, save_days: list[date],
                        repeat: int) -> list[tuple[str, float, float, float | None]]:
    clients = []
    for employee_id in staff:
        client = app.test_client()
        response = client.post("/masuk", data={"identifier": nip(employee_id), "password": BENCH_PASSWORD})
        if response.status_code != 302:
            raise AssertionError(f"sign-in of employee {employee_id} answered {response.status_code}")
        clients.append(client)

    def cycling(paths: list[tuple[object, str]]):
        state = {"i": 0}

        def fetch() -> None:
            client, path = paths[state["i"] % len(paths)]
            state["i"] += 1
            response = client.get(path)
            if response.status_code != 200:
                raise AssertionError(f"{path} answered {response.status_code}")

        return fetch

    pairs = len(clients) * len(sample_days)  # a different person and day each time
    day_paths = [(clients[i % len(clients)], f"/kegiatan/{sample_days[i % len(sample_days)].isoformat()}")
                 for i in range(pairs)]
    month_paths = [(client, f"/kegiatan/bulan/{month:%Y-%m}") for client in clients]

    capacity = len(clients) * len(save_days) * MAX_SLOTS
    saves = {"i": 0}

    def save() -> None:
        i = saves["i"]
        saves["i"] += 1
        if i >= capacity:
            raise AssertionError("no free time slot left for another save: lower --repeat")
        client = clients[i % len(clients)]
        day = save_days[(i // len(clients)) % len(save_days)]
        index = i // (len(clients) * len(save_days))
        response = client.post(f"/kegiatan/{day.isoformat()}", data=save_form(index))
        if response.status_code != 302 or f"/kegiatan/{day.isoformat()}" not in response.headers.get("Location", ""):
            raise AssertionError(f"save on {day} answered {response.status_code}: "
                                 f"{refusal(response.get_data(as_text=True))}")

    return [
        ("day page: 5 activities", *measure(cycling(day_paths), repeat), PAGE_TARGET_MS),
        ("month calendar: ~100 activities", *measure(cycling(month_paths), repeat), PAGE_TARGET_MS),
        ("save one activity (POST, 302)", *measure(save, repeat), SAVE_TARGET_MS),
    ]


# ---------------------------------------------------------------------------------------------- HTTP writers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class WriterLog:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)


class HttpUser:
    """One browser: a cookie jar and an opener that reports redirects instead of following them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)

    def post(self, path: str, data: dict[str, str], timeout: float = 30) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310 - 127.0.0.1
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:
            return 0, "", repr(error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:  # noqa: S310 - 127.0.0.1 only
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /health in time")


def writer(base: str, employee_id: int, days: list[date], saves: int, barrier: threading.Barrier,
           log: WriterLog, deadline: float) -> None:
    """Sign in, wait for everyone, then save `saves` activities: the first as a double tap (the same form
    sent twice at once), and at the end the second one sent again (a resend after a lost answer)."""
    user = HttpUser(base)
    status, location, body = user.post("/masuk", {"identifier": nip(employee_id), "password": BENCH_PASSWORD})
    if status != 302 or "/masuk" in location:
        log.refusals.append(f"sign-in of {employee_id}: {status} {refusal(body)}")
        barrier.abort()
        return
    forms = []
    for j in range(saves):
        day = days[j % len(days)]
        forms.append((f"/kegiatan/{day.isoformat()}", save_form(j // len(days))))
        log.tokens.add(forms[-1][1]["client_token"])

    def send(path: str, form: dict[str, str]) -> None:
        started = time.perf_counter()
        status, location, body = user.post(path, form)
        log.latencies_ms.append((time.perf_counter() - started) * 1000)
        log.statuses[status] += 1
        if status != 302 or path not in location:
            log.refusals.append(f"{employee_id} {path} {form['start_time']}: {status} {refusal(body)}")

    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        log.refusals.append(f"{employee_id}: the start was called off")
        return
    twin = threading.Thread(target=send, args=forms[0])
    twin.start()
    send(*forms[0])
    twin.join(timeout=60)
    for path, form in forms[1:]:
        if time.monotonic() > deadline:
            log.refusals.append(f"{employee_id}: stopped at the time limit")
            return
        send(path, form)
    send(*forms[min(1, len(forms) - 1)])


def http_concurrency(url: str, writer_ids: list[int], days: list[date], saves: int, time_limit: float) -> bool:
    """Gunicorn with 2 sync workers on the database; concurrent writers; then count what was stored."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="kinerja-bench-") as folder:
        env = {**os.environ, "KINERJA_ENV": "testing", "DATABASE_URL": url, "KINERJA_INSTANCE_PATH": folder,
               "UPLOAD_FOLDER": str(Path(folder) / "uploads"), "SECRET_KEY": secrets.token_hex(32)}
        log_path = Path(folder) / "gunicorn.log"
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments, this interpreter's gunicorn
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
                 "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning", "wsgi:app"],
                cwd=PROJECT_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )
            try:
                wait_until_up(base, process, 60)
                logs = [WriterLog() for _ in writer_ids]
                barrier = threading.Barrier(len(writer_ids) + 1)
                deadline = time.monotonic() + time_limit
                threads = [threading.Thread(target=writer, args=(base, eid, days, saves, barrier, log, deadline))
                           for eid, log in zip(writer_ids, logs, strict=True)]
                for thread in threads:
                    thread.start()
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=120)
                started = time.perf_counter()
                for thread in threads:
                    thread.join(timeout=max(1.0, deadline - time.monotonic() + 60))
                elapsed = time.perf_counter() - started
            finally:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        server_log = log_path.read_text(errors="replace")

    latencies = [ms for log in logs for ms in log.latencies_ms]
    statuses = sum((log.statuses for log in logs), Counter())
    refusals = [item for log in logs for item in log.refusals]
    tokens = set().union(*(log.tokens for log in logs))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            in_window = (Activity.employee_id.in_(writer_ids), Activity.activity_date.in_(days))
            stored = connection.scalar(select(func.count()).select_from(Activity).where(*in_window))
            stored_tokens = set(connection.scalars(select(Activity.client_token).where(*in_window)))
            slot_clashes = connection.scalar(select(func.count()).select_from(
                select(Activity.employee_id).where(*in_window)
                .group_by(Activity.employee_id, Activity.activity_date, Activity.start_time)
                .having(func.count() > 1).subquery()))
    finally:
        engine.dispose()
    expected = len(writer_ids) * saves
    errors_5xx = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    lost = len(tokens - stored_tokens)
    tracebacks = server_log.count("Traceback")
    p50, p95 = percentiles(latencies) if latencies else (0.0, 0.0)
    requests = sum(statuses.values())
    print(f"HTTP, gunicorn 2 sync workers: {len(writer_ids)} writers × {saves} saves, each with one double tap "
          f"and one resend = {requests} POSTs in {elapsed:.1f} s → {requests / elapsed:.0f} saves/s, "
          f"p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print(f"  statuses {dict(sorted(statuses.items()))}; activities expected {expected}, stored {stored}, "
          f"lost {lost}, duplicated slots {slot_clashes}, 5xx/failed {errors_5xx}, server tracebacks {tracebacks}")
    for item in refusals[:5]:
        print(f"  refused: {item}")
    if tracebacks:
        print("  " + server_log[server_log.index("Traceback"):][:1500].replace("\n", "\n  "))
    ok = stored == expected and lost == 0 and slot_clashes == 0 and errors_5xx == 0 and not refusals
    print(f"  verdict: {'ok' if ok else 'FAILED'}")
    return ok


# ---------------------------------------------------------------------------------------------- driver


@dataclass
class Result:
    kind: str
    rows: list[tuple[str, float, float, float | None]]
    activities: int
    seconds: float
    http_ok: bool | None


def run(kind: str, args: argparse.Namespace) -> Result:
    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            today = jakarta_now().date()
            save_days = open_days(today)
            if not save_days:
                raise SystemExit("No open working day inside the backdating window today: cannot measure saves.")
            months = months_before(save_days[0], args.months)
            days = working_days(months[0][0], months[-1][1])

            started = time.perf_counter()
            regency = generate(args.employees)
            people_seconds = time.perf_counter() - started
            employee_ids = list(range(1, regency.employees + 1))
            loader = insert_copy if kind == "postgresql" else insert_executemany
            loaded = time.perf_counter()
            activities = loader(employee_ids, days)
            load_seconds = time.perf_counter() - loaded
            analyze()
            seconds = time.perf_counter() - started
            print(f"[{kind}] generated {regency.employees:,} employees in {people_seconds:.1f} s and "
                  f"{activities:,} activities ({len(days)} working days, {months[0][0]:%b}–{months[-1][0]:%b %Y}) "
                  f"in {load_seconds:.1f} s ({activities / load_seconds:,.0f} rows/s); {seconds:.1f} s in all "
                  f"with ANALYZE")
            staff = list(db.session.scalars(
                select(Assignment.employee_id).where(Assignment.position_id == STAFF_POSITION_ID)
                .order_by(Assignment.employee_id)))
            db.session.remove()

        step = max(1, len(staff) // (args.writers + 12))
        spread = staff[::step]
        measured, writers = spread[:12], spread[12:12 + args.writers]
        last_month = months[-1][0]
        sample_days = [day for day in days if day >= last_month][-10:]
        rows = measure_test_client(app, measured, sample_days, last_month, save_days, args.repeat)
        print(f"[{kind}] {activities:,} activities, {args.repeat} requests each, saves on "
              f"{', '.join(day.isoformat() for day in save_days)}")
        report(rows)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

        http_ok = None
        if args.writers > 0:
            http_ok = http_concurrency(url, writers, save_days, args.saves_per_writer, args.time_limit)

        with app.app_context():
            db.drop_all()
            db.engine.dispose()
    return Result(kind, rows, activities, seconds, http_ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb"], action="append")
    parser.add_argument("--writers", type=int, default=50, help="concurrent HTTP writers (0 skips gunicorn)")
    parser.add_argument("--saves-per-writer", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=180, help="seconds the HTTP writers may take")
    args = parser.parse_args()
    if args.saves_per_writer < 2:
        parser.error("--saves-per-writer must be at least 2")
    results = [run(kind, args) for kind in args.db or ["sqlite", "postgresql"]]

    print("\nSummary (target: p95 ≤ 100 ms each; HTTP writers lose, duplicate and fail nothing)")
    print(f"{'database':<11} {'measurement':<34} {'p50 ms':>8} {'p95 ms':>8}  verdict")
    for result in results:
        print(f"{result.kind:<11} {f'{result.activities:,} activities generated in {result.seconds:.0f} s':<34}")
        for name, p50, p95, target in result.rows:
            verdict = "ok" if target is None or p95 <= target else "SLOW"
            print(f"{'':<11} {name:<34} {p50:8.1f} {p95:8.1f}  {verdict}")
        http = "skipped" if result.http_ok is None else "ok" if result.http_ok else "FAILED"
        print(f"{'':<11} {'HTTP concurrent writers':<34} {'':>8} {'':>8}  {http}")

if __name__ == "__main__":
    main()
