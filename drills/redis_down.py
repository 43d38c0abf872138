"""Drill redis_down: Redis stops while the app and its RQ worker run, then comes back empty.

Expected while Redis is down: pages and sign-in keep working (rate limits fall back to memory), and an export
started from the reports page either runs on the local runner to a downloadable file or is refused with a clear
message: never a 500, never a job left queued. After Redis returns (empty: it keeps nothing on disk), exports
run again within JOB_BOUND seconds, and a job that sat in Redis's queue when Redis went away (its worker was
stopped) is not left queued forever: following its page hands it to a runner again.
"""

from __future__ import annotations

import time

from drills.client import DEMO_BKD, DEMO_STAFF, Browser, Outcome, start_export, wait_healthy, wait_job
from drills.result import DrillResult, status_counts
from drills.servers import AppProcess, World

JOB_BOUND = 90.0  # seconds for an agency recap to finish, whichever runner takes it
LOST_BOUND = 150.0  # seconds for the job Redis lost to finish (it is handed on once 30 s old)
PAGES = ("/", "/laporan/", "/tugas/")
EXPORT = "recap_xlsx"


def agency_id(world: World) -> int:
    return int(world.postgres.scalar("SELECT id FROM agency WHERE code = 'DISDUKCAPIL'"))


def export_and_follow(result: DrillResult, browser: Browser, agency: int, phase: str) -> tuple[Outcome, str]:
    """Start the export and follow it to its end; returns the request's outcome and how it ended."""
    outcome, job_id = start_export(browser, EXPORT, agency)
    if outcome.status != 302:
        result.expect(False, f"{phase}: starting the export answered {outcome.status or outcome.error}")
        return outcome, "error"
    if job_id is None:
        # Refused with a message on the reports page: it must say why.
        page = browser.request("GET", "/laporan/")
        result.expect("alert" in page.text, f"{phase}: export refused without a message")
        return outcome, "refused"
    started = time.monotonic()
    state = wait_job(browser, job_id, JOB_BOUND)
    took = round(time.monotonic() - started, 1)
    result.figures[f"{phase}_job_s"] = took
    if not result.expect(state["finished"], f"{phase}: job still {state['status']} after {JOB_BOUND:.0f} s"):
        return outcome, state["status"]
    if state["status"] == "done":
        download = browser.request("GET", state["download_url"])
        result.expect(download.status_code == 200 and len(download.content) > 0,
                      f"{phase}: the result could not be downloaded (HTTP {download.status_code})")
    else:
        result.expect(bool(state["error"]), f"{phase}: job {state['status']} without a message")
    return outcome, state["status"]


def ran_on(world: World, job_id_hint: str) -> str:
    """'rq' when the RQ worker's log names the job, else 'local'."""
    log = (world.root / "worker.log").read_text(errors="replace") if (world.root / "worker.log").exists() else ""
    return "rq" if job_id_hint in log else "local"


def lost_job(result: DrillResult, world: World, browser: Browser, agency: int, worker: AppProcess) -> None:
    """A job waiting in Redis's queue (its worker stopped) when Redis restarts empty must still run."""
    worker.stop()
    _outcome, job_id = start_export(browser, EXPORT, agency)
    world.redis.stop()
    world.redis.start()
    world.worker()
    if not result.expect(job_id is not None, "the export before the Redis restart did not start"):
        return
    started = time.monotonic()
    state = wait_job(browser, job_id, LOST_BOUND)["status"]
    result.figures["lost_job"] = f"{state} after {time.monotonic() - started:.0f} s"
    result.expect(state == "done", f"the job Redis lost is {state} after {LOST_BOUND:.0f} s")


def run(world: World) -> DrillResult:
    result = DrillResult("redis_down")
    world.start_servers()
    world.gunicorn()
    worker = world.worker()
    wait_healthy(world.base_url)
    bkd = Browser(world.base_url)
    bkd.sign_in(*DEMO_BKD)
    agency = agency_id(world)
    _outcome, baseline = export_and_follow(result, bkd, agency, "baseline")
    result.expect(baseline == "done", f"baseline export (Redis up) ended {baseline}")

    world.redis.stop()
    pages = [bkd.probe("page", "GET", path)[0] for path in PAGES]
    staff = Browser(world.base_url)
    signed_in = time.monotonic()
    staff.sign_in(*DEMO_STAFF)
    result.figures["sign_in_s"] = round(time.monotonic() - signed_in, 2)
    pages += [staff.probe("page", "GET", path)[0] for path in ("/", "/kegiatan/")]
    wrong = staff.probe("wrong_password", "POST", "/masuk", data={"csrf_token": staff.csrf_token,
                                                                 "identifier": "nobody", "password": "x"})[0]
    result.expect(all(o.status in (200, 302) for o in pages), f"pages with Redis down: {status_counts(pages)}")
    result.expect(wrong.status in (200, 302), f"a refused sign-in with Redis down answered {wrong.status}")
    down_outcome, down_end = export_and_follow(result, bkd, agency, "down")
    result.expect(down_end in ("done", "refused"), f"export with Redis down ended {down_end}")

    world.redis.start()  # the worker that ran before the outage reconnects by itself
    back_outcome, back_end = export_and_follow(result, bkd, agency, "back")
    result.expect(back_end == "done", f"export after Redis returned ended {back_end}")
    latest = world.postgres.scalar("SELECT id FROM job ORDER BY created_at DESC LIMIT 1")
    result.expect(worker.alive(), "the RQ worker died with Redis")
    lost_job(result, world, bkd, agency, worker)
    stuck = int(world.postgres.scalar("SELECT count(*) FROM job WHERE status IN ('queued', 'running')"))
    result.expect(stuck == 0, f"{stuck} job(s) left queued or running")
    result.figures.update({
        "pages_down": status_counts(pages), "export_down": f"{down_outcome.status}->{down_end}",
        "export_back": f"{back_outcome.status}->{back_end}", "back_ran_on": ran_on(world, latest),
        "stuck_jobs": stuck,
    })
    return result
