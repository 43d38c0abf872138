"""Month-end load test (issue 10): locust against gunicorn in production mode, on a throwaway database.

python -m bench.loadtest [--db postgresql|sqlite|both] [--users 2000] [--appraisers 50] [--run-time 5m]
                         [--out FILE] [--redis-db 13] [--export regency_bkn]

For each database: create a throwaway database (PostgreSQL: a fresh database on the local server, dropped after;
SQLite: a temporary file), `flask db upgrade`, seed a regency (bench.loadtest.seed), start gunicorn with
deploy/gunicorn.conf.py and one RQ worker on a private Redis database, run the locust scenario
(bench/loadtest/locustfile.py) headless for the run time, stop everything, drop the database, and print the
Markdown report (also written to --out). Staff arrive at a steady rate over the first part of the run so that the
last of them can finish their journey before it ends; appraisers and the BKD admin start first.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.activities import jakarta_now
from bench.loadtest import report, servers
from bench.loadtest.plan import PLAN_ENV, RESULTS_ENV
from bench.loadtest.seed import Seeded, seed
from config import ProductionConfig
from kinerja import create_app
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus
from tests.throwaway import throwaway_database

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
# Think times (seconds, uniform): reading a page, filling one activity's form, between review rounds, between
# progress polls (the page's script polls about every 2 s).
THINK = {"page": [2.0, 5.0], "form": [4.0, 8.0], "review_round": [30.0, 60.0], "poll": [2.0, 3.0]}
JOURNEY_S = 60  # a staff journey takes about 45 s of think time plus the responses: the last arrival's margin


def run_seconds(text: str) -> int:
    """'5m', '90s', '1m30s' or plain seconds."""
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not match or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"run time {text!r}: use e.g. 5m, 90s or 1m30s")
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def ramp_seconds(run_time: int, think_scale: float) -> float:
    """How long staff keep arriving: all but the last journey's length, and at least half the run."""
    return max(run_time / 2, run_time - JOURNEY_S * think_scale)


def seed_database(kind: str, url: str, args: argparse.Namespace, today: date) -> Seeded:
    """Seed through an app of our own in this process, then let go of every connection before the run."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        think = {kind: [low * args.think_scale, high * args.think_scale] for kind, (low, high) in THINK.items()}
        seeded = seed(kind, args.users, args.appraisers, today, args.export, think)
        db.session.remove()
        db.engine.dispose()
    return seeded


def run_locust(base: str, plan_path: Path, results_path: Path, users: int, rate: float, run_time: int,
               log: Path) -> None:
    """Locust headless in its own process (one core at most, gevent), bounded by the run time."""
    env = {**os.environ, PLAN_ENV: str(plan_path), RESULTS_ENV: str(results_path),
           "PYTHONPATH": str(servers.PROJECT_DIR)}
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
               "--users", str(users), "--spawn-rate", f"{rate:.3f}", "--run-time", f"{run_time}s",
               "--stop-timeout", "0", "--only-summary", "--logfile", str(log), "--loglevel", "INFO",
               "--exit-code-on-error", "0"]
    with open(log.with_suffix(".out"), "ab") as output:
        subprocess.run(command, cwd=servers.PROJECT_DIR, env=env, stdout=output,  # noqa: S603
                       stderr=subprocess.STDOUT, check=True, timeout=run_time + 180)


def stored_on_save_days(url: str, days: list[str]) -> tuple[int, int]:
    """Activities on the days filed during the run, and how many of them are submitted or approved."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            on_days = Activity.activity_date.in_([date.fromisoformat(day) for day in days])
            stored = connection.scalar(select(func.count()).select_from(Activity).where(on_days))
            sent = connection.scalar(select(func.count()).select_from(Activity).where(
                on_days, Activity.status.in_([ActivityStatus.SUBMITTED, ActivityStatus.APPROVED])))
    finally:
        engine.dispose()
    return stored, sent


CHAINED = ("The above exception was the direct cause", "During handling of the above exception")


def logged_errors(log: Path) -> tuple[int, str]:
    """Errors logged with a traceback (a chained exception counted once), and the first of them."""
    text = log.read_text(errors="replace") if log.exists() else ""
    count = text.count("Traceback (most recent call last)") - sum(text.count(marker) for marker in CHAINED)
    return count, text[text.index("Traceback"):][:2500] if count else ""


def keep_logs(folder: Path, target: Path) -> None:
    """Copy the run's logs and the locust samples out of the temporary folder before it goes."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("migrate.log", "gunicorn.log", "worker.log", "locust.log", "locust.out", "results.json", "cpu.tsv"):
        if (folder / name).exists():
            shutil.copy2(folder / name, target / name)


def run(kind: str, args: argparse.Namespace) -> report.RunResult:
    """One database from creation to drop; returns its part of the report."""
    today = jakarta_now().date()
    users = args.users + args.appraisers + 1
    ramp = ramp_seconds(args.run_time, args.think_scale)
    rate = users / ramp
    with throwaway_database(kind) as url, tempfile.TemporaryDirectory(prefix="kinerja-loadtest-") as tmp, \
            servers.private_redis(args.redis_db) as redis_url:
        folder = Path(tmp)
        env = servers.app_environment(url, redis_url, folder)
        print(f"[{kind}] migrating and seeding…", file=sys.stderr, flush=True)
        servers.migrate(env, folder / "migrate.log")
        seeded = seed_database(kind, url, args, today)
        plan_path, results_path = folder / "plan.json", folder / "results.json"
        seeded.plan.save(plan_path)
        print(f"[{kind}] {seeded.employees:,} employees and {seeded.activities:,} activities in "
              f"{seeded.seconds:.0f} s; starting gunicorn, the worker and locust for {args.run_time} s…",
              file=sys.stderr, flush=True)
        with servers.serving(env, folder) as served:
            load_before = os.getloadavg()[0]
            cpu_before = served.cpu()
            children_before = os.times()
            started = time.monotonic()
            run_locust(served.base, plan_path, results_path, users, rate, args.run_time, folder / "locust.log")
            elapsed = time.monotonic() - started
            children_after = os.times()
            locust_cpu = (children_after.children_user + children_after.children_system
                          - children_before.children_user - children_before.children_system)
            load_after = os.getloadavg()[0]
            server_cpu, worker_cpu = (after - before for after, before in zip(served.cpu(), cpu_before,
                                                                               strict=True))
        if args.logs:
            keep_logs(folder, args.logs / kind)
        server_errors, server_text = logged_errors(served.server_log)
        worker_errors, worker_text = logged_errors(folder / "worker.log")
        for text in (server_text, worker_text):
            if text:
                print(text, file=sys.stderr)
        stored, sent = stored_on_save_days(url, seeded.plan.save_days)
        locust_log = (folder / "locust.log").read_text(errors="replace")
        cpu_warnings = locust_log.count("CPU usage above")
        days = seeded.seeded_days
        context = {
            "users": f"{args.users:,} staff + {args.appraisers} appraisers + 1 BKD admin",
            "arrival": f"{rate:.1f} users/s over the first {ramp:.0f} s (appraisers and the admin first), "
                       f"then no new arrivals; locust ran {elapsed:.0f} s",
            "seed": f"{seeded.employees:,} employees, {seeded.activities:,} activities on {len(days)} earlier "
                    f"working days ({days[0]:%d %b}–{days[-1]:%d %b %Y}) in {seeded.seconds:.0f} s"
            if days else f"{seeded.employees:,} employees, no earlier activities",
            "save days": ", ".join(seeded.plan.save_days),
            "activities on the save days after the run": f"{stored:,} stored, {sent:,} submitted or approved",
            "gunicorn": " ".join(servers.gunicorn_command(0)[3:]),
            "locust CPU warnings": cpu_warnings,
            "machine load (1-min load average, 2 cores)": f"{load_before:.1f} before the run, {load_after:.1f} at "
                                                           f"its end (other engineers' jobs share the machine)",
            "server errors": server_errors,
            "job worker errors": worker_errors,
        }
        result = report.load(kind, results_path, context, served.server_log, folder / "cpu.tsv")
        answered = sum(row.server[0] for row in result.rows if row.server)
        context["CPU used"] = (
            f"gunicorn {server_cpu:.0f} s for {answered:,} answered requests ({server_cpu / answered * 1000:.0f} ms "
            f"each, so at most {answered / server_cpu * (os.cpu_count() or 1):.0f} req/s on {os.cpu_count()} idle "
            f"cores for the app alone), job worker {worker_cpu:.0f} s, locust {locust_cpu:.0f} s, over "
            f"{elapsed:.0f} s" if answered and server_cpu else "n/a")
        return result


def scenario(args: argparse.Namespace) -> list[str]:
    cpu = platform.processor() or platform.machine()
    think = ", ".join(f"{kind} {low * args.think_scale:g}–{high * args.think_scale:g} s"
                      for kind, (low, high) in THINK.items())
    return [
        f"run {jakarta_now():%Y-%m-%d %H:%M} WIB on {os.cpu_count()} cores ({cpu}), locust, gunicorn, the RQ worker "
        f"and the database on the same machine; run time {args.run_time} s per database",
        "staff: sign in (form + POST with CSRF), dashboard, month calendar, day page, five activities through the "
        "quick-add form (each POST followed by the day page it redirects to), submit the day; appraisers: sign "
        "in, then rounds of inbox → select everyone waiting → preview → bulk approve; BKD admin: reports page, "
        f"start the {args.export} export, poll its progress until done, download",
        f"think times: {think}",
        f"passwords hashed with the production method ({ProductionConfig.PASSWORD_HASH_METHOD}); "
        f"LOGIN_LIMIT_PER_IP raised to {servers.LOGIN_LIMIT_PER_IP} (every user comes from 127.0.0.1)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="postgresql")
    parser.add_argument("--users", type=int, default=2000, help="simulated staff")
    parser.add_argument("--appraisers", type=int, default=50, help="appraisers (unit heads), bulk-approving")
    parser.add_argument("--run-time", type=run_seconds, default=run_seconds("5m"), help="per database, e.g. 5m")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--redis-db", type=int, default=13, help="an empty database number on the shared Redis")
    parser.add_argument("--think-scale", type=float, default=1.0,
                        help="multiply the think times (below 1 for short development runs)")
    parser.add_argument("--logs", type=Path, help="keep the server, worker and locust logs in this folder")
    parser.add_argument("--export", default="regency_bkn", help="the regency-wide export the admin starts")
    args = parser.parse_args()
    if args.users < args.appraisers or args.appraisers < 1:
        parser.error("need at least one appraiser and no more appraisers than staff")
    kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    results = [run(kind, args) for kind in kinds]
    text = report.document("Month-end load test", scenario(args), results)
    if args.out:
        args.out.write_text(text)
    print(text)
    judged = [result for result in results if result.kind == "postgresql"] or results  # the target's database
    sys.exit(0 if all(result.passed for result in judged) else 1)


if __name__ == "__main__":
    main()
