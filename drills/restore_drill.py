"""Restore drill: back up a seeded database with `flask backup create`, restore it into a fresh database of
another kind with `flask backup restore`, and prove the copy is the same.

    .venv/bin/python -m drills.restore_drill --source sqlite --target postgresql [--files 40] [--sample 50]
                                             [--activities 1100000]

The source is migrated (`flask db upgrade`) and seeded (`flask seed-demo`), evidence files are attached through
the evidence service, and `--activities` bulk-loads more rows to measure at scale. Each `flask` command runs
in its own process, as an operator would run it, so its time and peak memory are its own.

Both databases are throwaway ones (tests/throwaway.py): created for the run on the local servers and dropped
after it, like the upload folders. The drill compares the row count of every table, a random sample of rows
per table column by column, and a sample of upload files by sha256; it prints the figures and exits 1 on any
difference. MariaDB keeps DATETIME/TIME to the second and FLOAT in single precision, so when it is one side,
timestamps are compared to the second and floats to 7 significant digits.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import Engine, Table, create_engine, func, select
from werkzeug.datastructures import FileStorage

from kinerja import create_app
from kinerja.extensions import db
from tests.throwaway import throwaway_database

KINDS = ("sqlite", "postgresql", "mariadb")
PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET = "restore-drill"  # noqa: S105 - signs nothing that outlives the throwaway databases
CHEAP_HASH = "scrypt:1024:8:1"  # 120 demo accounts: cheap password hashes keep the drill short


@dataclass
class Side:
    """One end of the drill: a throwaway database and the folder holding its uploads and reports."""

    kind: str
    url: str
    folder: Path

    def env(self) -> dict[str, str]:
        """The environment of `flask --app wsgi ...` on this side (self-contained: no Redis, no mail)."""
        env = {name: value for name, value in os.environ.items()
               if name not in {"REDIS_URL", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "KINERJA_ENV"}}
        return env | {
            "KINERJA_ENV": "development", "SECRET_KEY": SECRET, "DATABASE_URL": self.url,
            "KINERJA_INSTANCE_PATH": str(self.folder), "UPLOAD_FOLDER": str(self.folder / "uploads"),
            "REPORT_FOLDER": str(self.folder / "reports"), "JOB_RUNNER": "none", "PASSWORD_HASH_METHOD": CHEAP_HASH,
        }

    def app(self) -> Flask:
        """The app in this process, for what goes through service code rather than a command."""
        return create_app("development", SQLALCHEMY_DATABASE_URI=self.url, SECRET_KEY=SECRET,
                          UPLOAD_FOLDER=str(self.folder / "uploads"), REPORT_FOLDER=str(self.folder / "reports"),
                          JOB_RUNNER="none", PASSWORD_HASH_METHOD=CHEAP_HASH)


@dataclass
class Run:
    output: str
    seconds: float
    peak_mb: float  # the command's peak resident memory


def flask(side: Side, *args: str) -> Run:
    """Run a documented `flask --app wsgi ...` command in its own process; stop the drill if it fails."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=side.env(), stdout=out, stderr=err)  # noqa: S603
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, high_water_kb(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({process.returncode}):\n{errors[-3000:]}")
    return Run(output, seconds, peak_kb / 1024)


def high_water_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM). Not getrusage: on Linux a child's ru_maxrss also
    counts the memory of the parent it was forked from."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def sample_pdf(rng: random.Random) -> bytes:
    return b"%PDF-1.4\n% restore drill\n" + rng.randbytes(rng.randint(20_000, 400_000)) + b"\n%%EOF\n"


def sample_png(rng: random.Random) -> bytes:
    image = Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def add_evidence_files(app: Flask, count: int, seed: int) -> None:
    """Attach PDF and image evidence to activities without evidence, through the evidence service."""
    from kinerja.activities import evidence
    from kinerja.models import Activity, Evidence

    rng = random.Random(seed)  # noqa: S311 - test content, not secrets
    with app.app_context():
        with_evidence = select(Evidence.activity_id)
        activities = db.session.scalars(
            select(Activity).where(Activity.id.not_in(with_evidence)).order_by(Activity.id).limit(count)
        ).all()
        for number, activity in enumerate(activities):
            if number % 3:
                content, name = sample_pdf(rng), f"laporan-{number}.pdf"
            else:
                content, name = sample_png(rng), f"foto-{number}.png"
            with evidence.saving(activity, [FileStorage(io.BytesIO(content), filename=name)], []):
                db.session.commit()


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar()
                for table in db.metadata.sorted_tables}


def normalise(value: Any, coarse: bool) -> Any:
    """A value as comparable across the two databases (see the module docstring for MariaDB)."""
    if coarse and isinstance(value, datetime | clock):
        return value.replace(microsecond=0)
    if coarse and isinstance(value, float):
        return float(f"{value:.7g}")
    return value


def same(left: Any, right: Any, coarse: bool) -> bool:
    left, right = normalise(left, coarse), normalise(right, coarse)
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-6 if coarse else 0.0)
    return left == right


def compare_rows(table: Table, source: Engine, target: Engine, size: int, coarse: bool,
                 rng: random.Random) -> tuple[int, list[str]]:
    """Compare a random sample of the table's rows column by column; return (rows compared, differences)."""
    (key,) = table.primary_key.columns
    with source.connect() as connection:
        keys = connection.scalars(select(key).order_by(key)).all()
    chosen = sorted(rng.sample(keys, min(size, len(keys))))
    if not chosen:
        return 0, []
    query = select(table).where(key.in_(chosen))
    with source.connect() as left, target.connect() as right:
        expected = {row._mapping[key.name]: row._mapping for row in left.execute(query)}
        found = {row._mapping[key.name]: row._mapping for row in right.execute(query)}
    problems = [f"{table.name} {value!r}: missing in target" for value in chosen if value not in found]
    for value, row in expected.items():
        if value in found:
            problems += [f"{table.name} {value!r}.{name}: {row[name]!r} != {found[value][name]!r}"
                         for name in row if not same(row[name], found[value][name], coarse)]
    return len(chosen), problems


def compare_files(source: Path, target: Path, size: int, rng: random.Random) -> tuple[int, int, list[str]]:
    """Check that the same files exist on both sides and that a sample has the same sha256."""
    def listing(root: Path) -> list[str]:
        return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())

    expected, found = listing(source), listing(target)
    problems = [] if expected == found else [f"upload files differ: {len(expected)} in source, {len(found)} in target"]
    chosen = rng.sample(expected, min(size, len(expected)))
    for name in chosen:
        if not (target / name).is_file() or sha256(source / name) != sha256(target / name):
            problems.append(f"upload file {name}: content differs")
    return len(expected), len(chosen), problems


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def add_activities(app: Flask, count: int) -> int:
    """Bulk-load about `count` more activities (five a working day per demo employee, from 2010 on) with the
    benchmark's loader, to measure backup and restore at regency scale."""
    from bench.activities import insert_copy, insert_executemany, working_days
    from kinerja.models import Employee

    with app.app_context():
        employees = db.session.scalars(select(Employee.id).order_by(Employee.id)).all()
        needed = -(-count // (5 * len(employees)))
        days = working_days(date(2010, 1, 4), date(2010, 1, 4) + timedelta(days=needed * 2))[:needed]
        load = insert_copy if db.engine.dialect.name == "postgresql" else insert_executemany
        added = load(employees, days)
        db.engine.dispose()
    return added


def seed_source(source: Side, files: int, activities: int, seed: int) -> None:
    """Migrate and seed the demo regency with the documented commands, then add evidence files (and rows)."""
    flask(source, "db", "upgrade")
    flask(source, "seed-demo")
    app = source.app()
    add_evidence_files(app, files, seed)
    if activities:
        print(f"  {add_activities(app, activities):,} extra activities loaded")
    with app.app_context():
        db.engine.dispose()


def compare(source: Side, target: Side, sample: int, rng: random.Random) -> tuple[dict[str, int], int, int, list[str]]:
    """Row counts of every table, a sample of rows column by column, every file name and a sample of files."""
    coarse = "mariadb" in (source.kind, target.kind)
    with disposing(create_engine(source.url)) as left, disposing(create_engine(target.url)) as right:
        expected, found = table_counts(left), table_counts(right)
        problems = [f"{name}: {count} rows in source, {found[name]} in target"
                    for name, count in expected.items() if found[name] != count]
        compared = 0
        for table in db.metadata.sorted_tables:
            if table.name == "reference_stamp":  # a restore gives it a new value on purpose (kinerja.reference)
                continue
            rows, differences = compare_rows(table, left, right, sample, coarse, rng)
            compared += rows
            problems += differences
    file_count, files_checked, file_problems = compare_files(
        source.folder / "uploads", target.folder / "uploads", sample, rng)
    print(f"  compared: row counts of {len(expected)} tables, {compared} sampled rows column by column"
          f"{' (at MariaDB precision)' if coarse else ''}, {file_count} file names, {files_checked} files by sha256")
    return expected, file_count, files_checked, problems + file_problems


def drill(source_kind: str, target_kind: str, files: int, sample: int, seed: int, activities: int) -> int:
    """Run the drill end to end; return the number of differences found."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    print(f"Restore drill {source_kind} -> {target_kind}")
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kinerja-restore-drill-")))
        source = Side(source_kind, stack.enter_context(throwaway_database(source_kind)), work / "source")
        target = Side(target_kind, stack.enter_context(throwaway_database(target_kind)), work / "target")
        archive = work / "backup.tar"

        seed_source(source, files, activities, seed)
        backup = flask(source, "backup", "create", "--output", str(archive))
        verify = flask(source, "backup", "verify", str(archive))
        flask(target, "db", "upgrade")
        restore = flask(target, "backup", "restore", str(archive))
        print(f"  {backup.output.strip()}\n  {restore.output.strip()}")

        counts, file_count, _checked, problems = compare(source, target, sample, rng)
        rows, upload_mb = sum(counts.values()), folder_bytes(source.folder / "uploads") / 1e6
        print(f"  rows {rows:,} in {len(counts)} tables (activity {counts['activity']:,}, "
              f"audit_entry {counts['audit_entry']:,}); upload files {file_count} ({upload_mb:.1f} MB); "
              f"archive {archive.stat().st_size / 1e6:.1f} MB")
        print(f"  processes (wall time including the app's start, peak memory): backup {backup.seconds:.1f} s "
              f"{backup.peak_mb:.0f} MB, verify {verify.seconds:.1f} s {verify.peak_mb:.0f} MB, "
              f"restore {restore.seconds:.1f} s {restore.peak_mb:.0f} MB")
        for problem in problems[:50]:
            print(f"  MISMATCH {problem}")
        print(f"  result: {f'FAILED, {len(problems)} differences' if problems else 'OK'}")
        return len(problems)


class disposing:
    """Dispose of an engine on exit, so its throwaway database can be dropped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *exc_info) -> None:
        self.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=KINDS, default="sqlite")
    parser.add_argument("--target", choices=KINDS, default="sqlite")
    parser.add_argument("--files", type=int, default=40, help="evidence files to add before the backup")
    parser.add_argument("--sample", type=int, default=50, help="rows per table and files to compare")
    parser.add_argument("--seed", type=int, default=2026, help="random seed for files and samples")
    parser.add_argument("--activities", type=int, default=0,
                        help="bulk-load this many more activities first (e.g. 1100000 for regency scale)")
    args = parser.parse_args(argv)
    return 1 if drill(args.source, args.target, args.files, args.sample, args.seed, args.activities) else 0


if __name__ == "__main__":
    sys.exit(main())
