"""Month-end rush on Kinerja: staff file their last days and submit, appraisers bulk-approve, BKD exports.

Run by `python -m bench.loadtest`, which seeds the database, writes the plan (bench.loadtest.plan) and starts
locust with LOADTEST_PLAN and LOADTEST_RESULTS set. Every user drives the real HTML forms with the CSRF token
parsed from the page, and follows each redirect with its own request so that a save and the page after it are
timed apart. A refusal of the app (a form shown again with an error, a missing flash) counts as a failure.

- StaffUser (one per staff identity, arriving at the spawn rate): sign in, dashboard, month calendar, day page,
  five activities saved through the quick-add form, "submit the day's activities"; then it stays idle.
- AppraiserUser (fixed count): sign in, then rounds of inbox -> select everyone waiting -> preview -> approve.
- AdminUser (one BKD administrator): sign in, reports page, start the regency-wide export, poll its progress
  (JSON, as the page's script does) until it ends, download the file.

Samples are collected per request name with their category (page, save, bulk, sign-in, job) and written as JSON
when locust quits; the runner turns them into the report.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.loadtest.plan import PLAN_ENV, RESULTS_ENV, Plan

PLAN = Plan.load(Path(os.environ[PLAN_ENV]))
RESULTS_PATH = Path(os.environ[RESULTS_ENV])

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
CLIENT_TOKEN = re.compile(r'<input[^>]*name="client_token"[^>]*value="([^"]+)"')
WAITING_PERSON = re.compile(r'<input[^>]*name="employee_ids" value="(\d+)"[^>]*>')
PREVIEW_ID = re.compile(r'<input type="hidden" name="ids" value="(\d+)">')
FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
FIELD_ERROR = re.compile(r'class="(?:invalid-feedback[^"]*|alert[^"]*)"[^>]*>\s*(.*?)\s*<', re.S)

# Five blocks of a working day (07:30-16:00 with a midday break), the shape a staff member files in a rush.
SLOTS = [("07:30", "08:45"), ("08:45", "10:15"), ("10:15", "11:45"), ("13:00", "14:30"), ("14:30", "16:00")]
DESCRIPTIONS = [
    "Melayani perekaman KTP-el pemohon", "Verifikasi berkas permohonan pindah datang",
    "Menginput data hasil pelayanan ke aplikasi", "Menyusun laporan harian pelayanan",
    "Mengarsipkan berkas permohonan yang telah selesai", "Mengagendakan surat masuk dan mendistribusikannya",
    "Menyiapkan bahan rapat koordinasi bidang", "Memverifikasi kelengkapan dokumen pemohon",
]
UNITS = ["berkas", "dokumen", "laporan", "orang", "surat"]

staff_numbers = itertools.count()
appraiser_numbers = itertools.count()


class JourneyFailed(Exception):
    """A step went wrong (already recorded as a failed request): the user stops its journey."""


class Collector:
    """Response times per (method, name) with the name's category, failures with their reasons, counters."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.failures: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.categories: dict[str, str] = {}
        self.counters: Counter = Counter()
        self.notes: dict[str, object] = {}
        self.first: float | None = None
        self.last: float = 0.0

    def record(self, request_type: str, name: str, response_time: float, exception, start_time: float) -> None:
        key = (request_type, name)
        self.samples[key].append(response_time)
        if exception is not None:
            self.failures[key][str(exception)[:200]] += 1
        self.first = start_time if self.first is None else min(self.first, start_time)
        self.last = max(self.last, start_time + response_time / 1000)

    def write(self, path: Path) -> None:
        endpoints = [
            {"method": method, "name": name, "category": self.categories.get(name, "other"), "times_ms": times,
             "failures": dict(self.failures.get((method, name), {}))}
            for (method, name), times in self.samples.items()
        ]
        path.write_text(json.dumps({
            "endpoints": endpoints, "counters": dict(self.counters), "notes": self.notes,
            "window_s": (self.last - self.first) if self.first is not None else 0.0,
        }))


COLLECTOR = Collector()


@events.request.add_listener
def on_request(request_type, name, response_time, exception, start_time=None, **_kwargs) -> None:
    COLLECTOR.record(request_type, name, response_time, exception, start_time or time.time())


@events.quitting.add_listener
def on_quitting(environment, **_kwargs) -> None:
    COLLECTOR.write(RESULTS_PATH)


def pause(kind: str) -> None:
    """Think time of the kind named in the plan (reading a page, filling a form, between review rounds)."""
    low, high = PLAN.think.get(kind, [1.0, 3.0])
    gevent.sleep(random.uniform(low, high))


def refusal(body: str) -> str:
    """The error messages a refused form shows, for the failure report."""
    return "; ".join(FIELD_ERROR.findall(body))[:200] or "no message on the page"


def location_path(response) -> str:
    location = response.headers.get("Location") or response.headers.get("location") or ""
    return re.sub(r"^https?://[^/]+", "", location)


class KinerjaUser(FastHttpUser):
    """A browser: cookies, the CSRF token of the last page, requests named and categorised for the report."""

    abstract = True
    wait_time = constant(0)

    def call(self, method: str, path: str, name: str, category: str, *, expect: int = 200,
             redirect_to: str | None = None, must_contain: str | None = None, data=None):
        """Send one request without following redirects; record it as failed unless it answered `expect`
        (and for a redirect, went to a path matching the pattern `redirect_to`; for a page, contained the text)."""
        COLLECTOR.categories[name] = category
        # Encoded here: a list value (several ids) must become repeated fields, as a browser sends them.
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else None
        with self.client.request(method, path, name=name, data=body, headers=headers, allow_redirects=False,
                                 catch_response=True) as response:
            body = response.text or ""
            if response.status_code != expect:
                reason = f"{response.status_code} instead of {expect}"
                if not response.status_code:  # no answer at all: the connection failed or timed out
                    reason = f"no answer ({type(getattr(response, 'error', None)).__name__})"
                if response.status_code == 200:
                    reason += f": {refusal(body)}"
                elif response.status_code in (301, 302, 303):
                    reason += f" to {location_path(response)}"
                response.failure(reason)
                raise JourneyFailed(reason)
            if redirect_to is not None and not re.fullmatch(redirect_to + r"(?:[?#].*)?", location_path(response)):
                reason = f"redirected to {location_path(response)} instead of {redirect_to}"
                response.failure(reason)
                raise JourneyFailed(reason)
            if must_contain is not None and must_contain not in body:
                reason = f"page without {must_contain!r}: {refusal(body)}"
                response.failure(reason)
                raise JourneyFailed(reason)
            response.success()
            return response

    def csrf(self, body: str) -> str:
        found = CSRF.search(body)
        if found is None:
            raise JourneyFailed("no CSRF token on the page")
        return found.group(1)

    def sign_in(self, identifier: str) -> None:
        """The sign-in form, then its POST (CSRF on, as in production), landing on the dashboard."""
        form = self.call("GET", "/masuk", "/masuk (sign-in form)", "page", must_contain="csrf_token")
        data = {"csrf_token": self.csrf(form.text), "next": "", "identifier": identifier,
                "password": PLAN.password}
        self.call("POST", "/masuk", "/masuk (sign in)", "sign-in", expect=302, redirect_to="/", data=data)
        self.call("GET", "/", "/ (dashboard)", "page")

    def idle(self) -> None:
        """The journey is over: stay signed in and quiet until the run ends."""
        while True:
            gevent.sleep(3600)


class StaffUser(KinerjaUser):
    """A staff member filing the rest of the month at the last minute."""

    weight = 1

    def on_start(self) -> None:
        number = next(staff_numbers)
        if number >= len(PLAN.staff):
            raise StopUser
        self.identifier = PLAN.staff[number]
        self.day = PLAN.save_days[number % len(PLAN.save_days)]
        self.number = number

    @task
    def month_end(self) -> None:
        COLLECTOR.counters["staff started"] += 1
        try:
            self.journey()
        except JourneyFailed:
            COLLECTOR.counters["staff journeys stopped by a failure"] += 1
        else:
            COLLECTOR.counters["staff journeys completed"] += 1
        self.idle()

    def journey(self) -> None:
        self.sign_in(self.identifier)
        pause("page")
        self.call("GET", f"/kegiatan/bulan/{PLAN.month}", "/kegiatan/bulan/[month] (calendar)", "page")
        pause("page")
        day_path = f"/kegiatan/{self.day}"
        page = self.call("GET", day_path, "/kegiatan/[day] (day page)", "page")
        for k, (start, end) in enumerate(SLOTS):
            pause("form")
            token = CLIENT_TOKEN.search(page.text)
            if token is None:
                raise JourneyFailed("no client token in the quick-add form")
            pick = self.number + k
            data = {
                "csrf_token": self.csrf(page.text), "client_token": token.group(1), "start_time": start,
                "end_time": end, "description": DESCRIPTIONS[pick % len(DESCRIPTIONS)], "quantity": str(1 + k % 3),
                "unit": UNITS[pick % len(UNITS)], "work_mode": "WFO", "category": "tugas_utama",
                "assignment_letter": "", "link": "", "indicator_id": "0",
            }
            self.call("POST", day_path, "/kegiatan/[day] (save activity)", "save", expect=302,
                      redirect_to=re.escape(day_path), data=data)
            COLLECTOR.counters["activities saved"] += 1
            page = self.call("GET", day_path, "/kegiatan/[day] (day page)", "page",
                             must_contain="Kegiatan disimpan sebagai draf.")
        pause("page")
        self.call("POST", f"/kegiatan/hari/{self.day}/ajukan", "/kegiatan/hari/[day]/ajukan (submit day)", "save",
                  expect=302, redirect_to=re.escape(day_path), data={"csrf_token": self.csrf(page.text)})
        self.call("GET", day_path, "/kegiatan/[day] (day page)", "page",
                  must_contain=f"{len(SLOTS)} kegiatan diajukan ke atasan.")
        COLLECTOR.counters["activities submitted"] += len(SLOTS)


class AppraiserUser(KinerjaUser):
    """A unit head approving the waiting items of the whole unit in rounds, through the guarded bulk approval."""

    fixed_count = len(PLAN.appraisers)

    def on_start(self) -> None:
        number = next(appraiser_numbers)
        if number >= len(PLAN.appraisers):
            raise StopUser
        try:
            self.sign_in(PLAN.appraisers[number])
        except JourneyFailed:
            COLLECTOR.counters["appraiser sign-ins failed"] += 1
            self.idle()

    @task
    def review_round(self) -> None:
        try:
            self.approve_waiting()
        except JourneyFailed:
            COLLECTOR.counters["appraiser rounds stopped by a failure"] += 1
        pause("review_round")

    def approve_waiting(self) -> None:
        inbox = self.call("GET", "/pemeriksaan/", "/pemeriksaan/ (review inbox)", "page")
        people = [match.group(1) for match in WAITING_PERSON.finditer(inbox.text) if "disabled" not in match.group(0)]
        COLLECTOR.counters["appraiser rounds"] += 1
        if not people:
            return
        pause("page")
        preview = self.call("POST", "/pemeriksaan/pratinjau", "/pemeriksaan/pratinjau (bulk preview)", "bulk",
                            data={"csrf_token": self.csrf(inbox.text), "next": "/pemeriksaan/",
                                  "employee_ids": people})
        ids = PREVIEW_ID.findall(preview.text)
        if not ids:
            return
        pause("page")
        # As the browser sends the form: every id, no flagged item ticked (those stay for a closer look).
        self.call("POST", "/pemeriksaan/setujui-massal", "/pemeriksaan/setujui-massal (bulk approve)", "bulk",
                  expect=302, redirect_to="/pemeriksaan/",
                  data={"csrf_token": self.csrf(preview.text), "next": "/pemeriksaan/", "ids": ids})
        self.call("GET", "/pemeriksaan/", "/pemeriksaan/ (review inbox)", "page", must_contain="kegiatan disetujui.")
        COLLECTOR.counters["bulk approvals"] += 1
        COLLECTOR.counters["items sent for bulk approval"] += len(ids)


class AdminUser(KinerjaUser):
    """The BKD administrator starting the regency-wide export during the rush and following it to the end."""

    fixed_count = 1

    @task
    def export(self) -> None:
        try:
            self.sign_in(PLAN.admin)
            gevent.sleep(PLAN.export_delay_s)
            self.run_export()
        except JourneyFailed as error:
            COLLECTOR.notes["export"] = f"failed: {error}"
        self.idle()

    def export_form(self, body: str) -> dict[str, str]:
        for action, inner in FORM.findall(body):
            fields = dict(HIDDEN.findall(inner))
            if action.endswith("/laporan/ekspor") and fields.get("export") == PLAN.export:
                return {"csrf_token": self.csrf(inner), **fields}
        raise JourneyFailed(f"no {PLAN.export} export button on the reports page")

    def run_export(self) -> None:
        page = self.call("GET", "/laporan/", "/laporan/ (reports page)", "page")
        started = time.monotonic()
        response = self.call("POST", "/laporan/ekspor", "/laporan/ekspor (start export)", "job", expect=302,
                             redirect_to=r"/tugas/[0-9a-f]{32}", data=self.export_form(page.text))
        job_path = location_path(response)
        self.call("GET", job_path, "/tugas/[job] (progress page)", "page")
        while True:
            pause("poll")
            status = self.call("GET", f"{job_path}.json", "/tugas/[job].json (progress poll)", "job").json()
            if status["finished"]:
                break
        seconds = time.monotonic() - started
        COLLECTOR.notes["export"] = (f"{PLAN.export} {status['status']} in {seconds:.0f} s, "
                                     f"{status['done']}/{status['total']} items, {status.get('size_label')}")
        if status["status"] != "done" or not status.get("download_url"):
            COLLECTOR.categories["export job"] = "job"
            COLLECTOR.record("JOB", "export job", seconds * 1000, f"ended {status['status']}: {status.get('error')}",
                             time.time() - seconds)
            return
        self.call("GET", status["download_url"], "/tugas/[job]/unduh (download)", "job")
