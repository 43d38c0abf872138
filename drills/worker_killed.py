"""Drill worker_killed: the RQ worker and its work horse are killed (SIGKILL) in the middle of a PDF pack.

Expected: the job page reports the job failed within FAIL_BOUND seconds (nothing else restarts, the page's own
polling is what finds out), offers "retry", and a retry run by a new worker finishes with a downloadable ZIP.
"""

from __future__ import annotations

import io
import signal
import time
import zipfile
from pathlib import Path

from drills.client import DEMO_BKD, Browser, job_state, start_export, wait_healthy, wait_job
from drills.result import DrillResult
from drills.servers import World, descendants

EXPORT = "regency_pack"  # every employee's PDF: long enough to be killed mid-way
START_BOUND = 120.0  # seconds for the job to be running with some PDFs rendered
FAIL_BOUND = 100.0  # seconds from the kill until the job page says failed
RETRY_BOUND = 600.0  # seconds for the retried pack to finish


def alive(pid: int) -> bool:
    """Whether the process still exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def retry(result: DrillResult, browser: Browser, job_id: str) -> str | None:
    """Press "retry" on the job page; returns the new job's id."""
    page = browser.request("GET", f"/tugas/{job_id}")
    if not result.expect(f"/tugas/{job_id}/ulangi" in page.text, "the failed job's page offers no retry"):
        return None
    response = browser.request("POST", f"/tugas/{job_id}/ulangi", data={"csrf_token": browser.csrf_token})
    location = response.headers.get("Location", "")
    if not result.expect(response.status_code == 302 and location.rstrip("/") != f"/tugas/{job_id}",
                         f"retry answered HTTP {response.status_code} -> {location}"):
        return None
    return location.rsplit("/", 1)[-1]


def check_download(result: DrillResult, browser: Browser, state: dict) -> None:
    response = browser.request("GET", state["download_url"])
    if not result.expect(response.status_code == 200, f"download answered HTTP {response.status_code}"):
        return
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        result.expect(archive.testzip() is None, "the downloaded ZIP is damaged")
    result.figures["zip_pdfs"] = len(names)
    result.expect(len(names) > 0, "the downloaded ZIP is empty")


def run(world: World) -> DrillResult:
    result = DrillResult("worker_killed")
    world.start_servers()
    world.gunicorn()
    worker = world.worker()
    wait_healthy(world.base_url)
    bkd = Browser(world.base_url)
    bkd.sign_in(*DEMO_BKD)

    outcome, job_id = start_export(bkd, EXPORT, 0)
    if not result.expect(job_id is not None, f"the export did not start (HTTP {outcome.status})"):
        return result
    state = wait_job(bkd, job_id, START_BOUND, until=lambda s: (s["status"] == "running" and s["done"] > 0)
                     or s["finished"])
    if not result.expect(state["status"] == "running", f"the job was {state['status']} before the kill"):
        return result
    tree = [worker.pid, *descendants(worker.pid)]  # the worker, its work horse and the horse's renderers
    worker.kill_group(signal.SIGKILL)
    killed = time.monotonic()
    result.figures.update({"killed_at": f"{state['done']}/{state['total']}", "killed_processes": len(tree)})
    result.expect(len(tree) >= 2, "no work horse was found under the worker")
    time.sleep(1)
    result.expect(not [pid for pid in tree if alive(pid)], "a killed process is still alive")
    state = wait_job(bkd, job_id, FAIL_BOUND)
    detected = time.monotonic() - killed
    result.figures.update({"failed_after_s": round(detected, 1), "status_after_kill": state["status"]})
    if not result.expect(state["status"] == "failed",
                         f"job still {state['status']} {FAIL_BOUND:.0f} s after its worker was killed"):
        return result
    result.expect(bool(state["error"]), "the failed job shows no reason")

    world.worker()
    new_id = retry(result, bkd, job_id)
    if new_id is None:
        return result
    started = time.monotonic()
    state = wait_job(bkd, new_id, RETRY_BOUND)
    result.figures.update({"retry_s": round(time.monotonic() - started, 1), "retry_status": state["status"]})
    if result.expect(state["status"] == "done", f"the retried job ended {state['status']}: {state.get('error')}"):
        check_download(result, bkd, state)
    result.expect(job_state(bkd, job_id)["status"] == "failed", "the killed job changed state after the retry")
    return result
