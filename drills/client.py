"""A signed-in browser for the drills: requests.Session through the real sign-in form with its CSRF token."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from drills.servers import DrillError, wait_until
from kinerja import clock

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FRIENDLY_503 = "Layanan sementara tidak tersedia"  # the Indonesian message of templates/errors/unavailable.html
SAVED_FLASH = "Kegiatan disimpan sebagai draf"
DRILL_TIMEZONE = ZoneInfo("Asia/Jakarta")  # the demo regency's agencies
DEMO_STAFF = ("197912242002012547", "Pegawai-Cimahi-2026")
DEMO_BKD = ("admin.bkd", "AdminBKD-Cimahi-2026")
NEW_PASSWORD = "Latihan-Gangguan-2026"  # noqa: S105 - a throwaway database's demo account


@dataclass
class Outcome:
    """One request the drill made: when, what, and how it ended (a status or the exception's name)."""

    label: str
    started: float
    elapsed: float
    status: int | None
    error: str | None = None
    friendly: bool = False
    retry_after: str | None = None

    @property
    def ended(self) -> float:
        return self.started + self.elapsed


@dataclass
class Browser:
    base_url: str
    timeout: float = 15.0
    session: requests.Session = field(default_factory=requests.Session)
    csrf_token: str | None = None

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.base_url + path, **kwargs)

    def probe(self, label: str, method: str, path: str, **kwargs) -> tuple[Outcome, requests.Response | None]:
        """Make a request and record how it ended; connection errors and timeouts are recorded, not raised."""
        started = time.monotonic()
        try:
            response = self.request(method, path, **kwargs)
        except requests.RequestException as error:
            return Outcome(label, started, time.monotonic() - started, None, type(error).__name__), None
        return Outcome(label, started, time.monotonic() - started, response.status_code,
                       friendly=FRIENDLY_503 in response.text,
                       retry_after=response.headers.get("Retry-After")), response

    def token_from(self, path: str) -> str:
        """The session's CSRF token, read from a form page (Flask-WTF accepts it for every form)."""
        response = self.request("GET", path)
        found = CSRF_INPUT.search(response.text)
        if response.status_code != 200 or found is None:
            raise DrillError(f"no CSRF token on {path} (HTTP {response.status_code})")
        self.csrf_token = found.group(1) or found.group(2)
        return self.csrf_token

    def sign_in(self, identifier: str, password: str) -> None:
        """Sign in through the form; a first sign-in changes the demo password as the app asks."""
        token = self.token_from("/masuk")
        response = self.request("POST", "/masuk", data={"csrf_token": token, "identifier": identifier,
                                                        "password": password, "next": ""})
        if response.status_code != 302:
            raise DrillError(f"sign-in of {identifier} refused (HTTP {response.status_code})")
        if response.headers["Location"].endswith("/kata-sandi"):
            token = self.token_from("/kata-sandi")
            changed = self.request("POST", "/kata-sandi", data={
                "csrf_token": token, "current_password": password, "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD})
            if changed.status_code != 302:
                raise DrillError(f"password change of {identifier} refused (HTTP {changed.status_code})")
        self.token_from("/")


def wait_healthy(base_url: str, timeout: float = 60) -> float:
    """Wait until /health answers 200 (the app and its database are up); returns the seconds it took."""

    def healthy() -> bool:
        try:
            return requests.get(base_url + "/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    return wait_until(healthy, timeout, "/health to answer 200")


def filing_day() -> date:
    """The last working day before today (agency time): open for filing, its early hours free of demo data."""
    day = clock.today(DRILL_TIMEZONE) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass
class ActivityFiler:
    """Files one-minute activities from 00:00 on a day, each form with its own client token, resent on failure
    as a user would press Save again (the token keeps a resent form from being saved twice)."""

    browser: Browser
    day: date
    label: str = "drill"
    slot: int = 0
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    saved: int = 0

    def form(self) -> dict[str, str]:
        start = datetime(2000, 1, 1) + timedelta(minutes=self.slot)
        end = start + timedelta(minutes=1)
        return {"csrf_token": self.browser.csrf_token or "", "start_time": f"{start:%H:%M}",
                "end_time": f"{end:%H:%M}", "description": f"Latihan gangguan {self.label} #{self.slot}",
                "quantity": "1", "unit": "dokumen", "work_mode": "WFO", "category": "tugas_utama",
                "client_token": self.token, "indicator_id": "0", "assignment_letter": "", "link": ""}

    def save(self, files: list | None = None) -> tuple[Outcome, requests.Response | None]:
        """Post the current form; on a redirect (saved) move on to the next slot with a new token."""
        outcome, response = self.browser.probe("save", "POST", f"/kegiatan/{self.day.isoformat()}",
                                               data=self.form(), files=files)
        if outcome.status == 302:
            self.saved += 1
            self.slot += 1
            self.token = str(uuid.uuid4())
        return outcome, response


def previous_month() -> str:
    """The month before this one (agency time), as YYYY-MM: always reportable."""
    first = clock.today(DRILL_TIMEZONE).replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def start_export(browser: Browser, export: str, agency_id: int, month: str | None = None) -> tuple[Outcome, str | None]:
    """Start an export from the reports page's form; returns the outcome and the job's id when one started."""
    outcome, response = browser.probe("export", "POST", "/laporan/ekspor", data={
        "csrf_token": browser.csrf_token or "", "export": export, "month": month or previous_month(),
        "agency_id": str(agency_id)})
    location = response.headers.get("Location", "") if response is not None else ""
    found = re.search(r"/tugas/([0-9a-f]{32})$", location)
    return outcome, found.group(1) if found else None


def job_state(browser: Browser, job_id: str) -> dict:
    """The job's progress as its page polls it (/tugas/<id>.json)."""
    response = browser.request("GET", f"/tugas/{job_id}.json")
    if response.status_code != 200:
        raise DrillError(f"job {job_id}: progress answered HTTP {response.status_code}")
    return response.json()


def wait_job(browser: Browser, job_id: str, timeout: float, until: Callable[[dict], bool] | None = None) -> dict:
    """Poll the job until it finished (or `until` holds) or `timeout` passed; returns its last state."""
    until = until or (lambda state: bool(state["finished"]))
    deadline = time.monotonic() + timeout
    state = job_state(browser, job_id)
    while not until(state) and time.monotonic() < deadline:
        time.sleep(0.5)
        state = job_state(browser, job_id)
    return state
