"""Drill pg_restart: PostgreSQL stops in the middle of the load and comes back.

Two signed-in clients keep loading pages (a staff member also saving activities) while PostgreSQL is stopped
(`pg_ctl stop -m fast`) for GAP_SECONDS and started again. Expected: every request during the gap gets the
friendly Indonesian 503 page with Retry-After (none a 500, a dropped connection or a long wait), /health says
503; after the restart pages and saves succeed within RECOVERY_BOUND seconds with the same gunicorn, no
worker restarted, and exactly one activity row per save the app confirmed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drills.client import DEMO_BKD, DEMO_STAFF, ActivityFiler, Browser, Outcome, filing_day, wait_healthy
from drills.result import DrillResult, status_counts
from drills.servers import World

WARMUP_SECONDS = 3.0
GAP_SECONDS = 6.0
RESPONSE_BOUND = 5.0  # no request may hang longer than this, gap or not
RECOVERY_BOUND = 15.0  # pages and saves work again within this after PostgreSQL accepts connections
SETTLE_SECONDS = 3.0  # load kept up after recovery, to see it lasts
MIN_GAP_REQUESTS = 5


def load_loop(stop: threading.Event, outcomes: list[Outcome], steps: list[Callable[[], Outcome]]) -> None:
    """Run the steps round and round until told to stop, recording every outcome."""
    while not stop.is_set():
        for step in steps:
            outcomes.append(step())
            time.sleep(0.05)


def page(browser: Browser, path: str, label: str = "page") -> Callable[[], Outcome]:
    return lambda: browser.probe(label, "GET", path)[0]


def recovered_at(outcomes: list[Outcome], since: float) -> float | None:
    """When both a page and a save had succeeded after `since` (the end of the later one), else None."""
    page_ok = [o.ended for o in outcomes if o.started >= since and o.label == "page" and o.status == 200]
    save_ok = [o.ended for o in outcomes if o.started >= since and o.label == "save" and o.status == 302]
    return max(min(page_ok), min(save_ok)) if page_ok and save_ok else None


def log_count(world: World, text: str) -> int:
    log = world.root / "gunicorn.log"
    return log.read_text(errors="replace").count(text) if log.exists() else 0


def booted_workers(world: World) -> int:
    return log_count(world, "Booting worker")


def check_gap(result: DrillResult, gap: list[Outcome]) -> None:
    result.expect(len(gap) >= MIN_GAP_REQUESTS, f"only {len(gap)} requests fell in the gap")
    for outcome in gap:
        if outcome.label == "health":
            result.expect(outcome.status == 503, f"/health said {outcome.status} while PostgreSQL was down")
            continue
        if not result.expect(outcome.status == 503, f"{outcome.label} got {outcome.status or outcome.error} "
                                                    "while PostgreSQL was down (expected 503)"):
            continue
        result.expect(outcome.friendly, f"{outcome.label}: the 503 is not the friendly Indonesian page")
        result.expect(outcome.retry_after is not None, f"{outcome.label}: the 503 has no Retry-After")


def check_everywhere(result: DrillResult, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        result.expect(outcome.error is None, f"{outcome.label}: {outcome.error} (connection error or timeout)")
        result.expect(outcome.status is None or outcome.status < 500 or outcome.status == 503,
                      f"{outcome.label}: HTTP {outcome.status}")
        result.expect(outcome.elapsed <= RESPONSE_BOUND, f"{outcome.label} took {outcome.elapsed:.1f} s")


def run(world: World) -> DrillResult:
    result = DrillResult("pg_restart")
    world.start_servers()
    app = world.gunicorn()
    wait_healthy(world.base_url)
    staff, reader = Browser(world.base_url, timeout=RESPONSE_BOUND * 2), Browser(world.base_url,
                                                                                 timeout=RESPONSE_BOUND * 2)
    staff.sign_in(*DEMO_STAFF)
    reader.sign_in(*DEMO_BKD)
    day = filing_day()
    filer = ActivityFiler(staff, day, "pg_restart")
    workers_before, master = booted_workers(world), app.pid

    outcomes: list[Outcome] = []
    stop = threading.Event()
    loops = [
        [page(staff, f"/kegiatan/{day.isoformat()}"), lambda: filer.save()[0], page(staff, "/health", "health")],
        [page(reader, "/"), page(reader, "/laporan/"), page(reader, "/tugas/")],
    ]
    threads = [threading.Thread(target=load_loop, args=(stop, outcomes, steps), daemon=True) for steps in loops]
    for thread in threads:
        thread.start()
    try:
        time.sleep(WARMUP_SECONDS)
        stopping = time.monotonic()
        world.postgres.stop("fast")
        down = time.monotonic()
        time.sleep(GAP_SECONDS)
        starting = time.monotonic()
        world.postgres.start()
        up = time.monotonic()
        deadline = up + RECOVERY_BOUND
        while recovered_at(outcomes, up) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(SETTLE_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=RESPONSE_BOUND * 3)

    recovered = recovered_at(outcomes, up)
    gap = [o for o in outcomes if o.started >= down and o.ended <= starting]
    before = [o for o in outcomes if o.ended < stopping]
    after = [o for o in outcomes if recovered is not None and o.started >= recovered]
    rows = int(world.postgres.scalar(
        "SELECT count(*) FROM activity WHERE description LIKE 'Latihan gangguan pg_restart%'"))

    result.figures.update({
        "gap_s": round(starting - down, 1), "stop_s": round(down - stopping, 1), "start_s": round(up - starting, 1),
        "requests": len(outcomes), "gap_requests": len(gap), "gap_statuses": status_counts(gap),
        "recovery_s": round(recovered - up, 1) if recovered else "never",
        "slowest_s": round(max((o.elapsed for o in outcomes), default=0), 2),
        "saves": filer.saved, "rows": rows, "all_statuses": status_counts(outcomes),
        # requests whose connection died after their response was made (ended quietly, see kinerja.database)
        "lost_at_teardown": log_count(world, "Database connection lost while ending the request"),
    })
    result.expect(all(o.status in (200, 302) for o in before), f"before the stop: {status_counts(before)}")
    check_everywhere(result, outcomes)
    check_gap(result, gap)
    result.expect(recovered is not None, f"no page and save succeeded within {RECOVERY_BOUND:.0f} s of the restart")
    result.expect(bool(after) and all(o.status in (200, 302) for o in after),
                  f"after recovery: {status_counts(after)}")
    result.expect(app.alive() and app.pid == master, "gunicorn's master process is gone")
    result.expect(booted_workers(world) == workers_before, "gunicorn restarted a worker during the drill")
    result.expect(rows == filer.saved, f"{filer.saved} saves confirmed but {rows} activity rows stored")
    return result
