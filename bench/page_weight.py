"""Page weight in a real browser: what the sign-in page and a signed-in staff home transfer, cold and warm.

python -m bench.page_weight [--server flask|gunicorn|both] [--keep]
python -m bench.page_weight --url https://kinerja.example.go.id --login NIP --password …   (a running installation)

Seeds the demo regency into a throwaway instance folder, builds the static files as `make run` does
(`python -m kinerja.assets build`), serves the app the way `make run` does (`flask run`) and/or with gunicorn,
and loads each page in Chromium twice in one browser context: first with an empty cache, then again (a
returning user, the cache warm). Bytes are what went over the wire per request as Chromium's DevTools protocol
counts them (`Network.loadingFinished` encodedDataLength: headers plus the body as sent, compressed or not).
With --url it measures an installation already running, e.g. behind nginx (self-signed certificates accepted),
signed in as a staff account that needs no password change.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("KINERJA_CHROMIUM", "/usr/bin/chromium")
COLD_BUDGET = 150 * 1024
WARM_BUDGET = 20 * 1024
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic"]
NEW_PASSWORD = "Bench-Mangga-Rambutan-73!"  # a throwaway demo instance


@dataclass
class Fetch:
    url: str
    status: int = 0
    encoding: str = ""
    cache_control: str = ""
    from_cache: bool = False
    transferred: int = 0


@dataclass
class Load:
    name: str
    fetches: dict[str, Fetch] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(fetch.transferred for fetch in self.fetches.values())

    @property
    def over_network(self) -> list[Fetch]:
        return [fetch for fetch in self.fetches.values() if fetch.transferred]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_instance(folder: Path) -> tuple[dict[str, str], str, str]:
    """A fresh SQLite instance with the demo regency; returns the environment and the demo staff sign-in."""
    env = {**os.environ, "KINERJA_INSTANCE_PATH": str(folder), "KINERJA_ENV": "development",
           "JOB_RUNNER": "none", "PRERENDER_SETTLE_SECONDS": "3600"}
    env.pop("DATABASE_URL", None)
    run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env)
    seeded = run([str(BIN / "flask"), "--app", "wsgi", "seed-demo"], env)
    match = re.search(r"^\s*Pegawai\s+(\S+)\s+(\S+)\s*$", seeded, re.MULTILINE)
    if not match:
        raise SystemExit(f"seed-demo printed no staff sign-in:\n{seeded}")
    run([str(BIN / "python"), "-m", "kinerja.assets", "build"], env)  # as `make run` does before serving
    return env, match.group(1), match.group(2)


def run(command: list[str], env: dict[str, str]) -> str:
    """Run one of this project's commands (fixed arguments), returning what it printed."""
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True,  # noqa: S603 - our own
                          text=True).stdout


def start_server(kind: str, env: dict[str, str], port: int) -> subprocess.Popen:
    if kind == "flask":
        command = [str(BIN / "flask"), "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env,  # noqa: S603 - our own commands
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"{kind} did not answer on port {port}")


def watch(context, page) -> callable:
    """Start counting the page's requests over CDP; the returned function gives the load counted so far."""
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    fetches: dict[str, Fetch] = {}

    def sent(event) -> None:
        if not event["request"]["url"].startswith("data:"):  # inline pictures in the stylesheet: nothing fetched
            fetches[event["requestId"]] = Fetch(url=event["request"]["url"])

    def received(event) -> None:
        if event["requestId"] not in fetches:
            return
        fetch = fetches[event["requestId"]]
        response = event["response"]
        headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
        fetch.status = response["status"]
        fetch.encoding = headers.get("content-encoding", "")
        fetch.cache_control = headers.get("cache-control", "")
        fetch.from_cache = fetch.from_cache or response.get("fromDiskCache", False)

    def cached(event) -> None:
        if event["requestId"] in fetches:
            fetches[event["requestId"]].from_cache = True

    def finished(event) -> None:
        if event["requestId"] in fetches:
            fetches[event["requestId"]].transferred = int(event["encodedDataLength"])

    session.on("Network.requestWillBeSent", sent)
    session.on("Network.responseReceived", received)
    session.on("Network.requestServedFromCache", cached)
    session.on("Network.loadingFinished", finished)

    def take(name: str) -> Load:
        load = Load(name, dict(fetches))
        fetches.clear()
        return load

    return take


def sign_in(context, base: str, login: str, password: str, may_change_password: bool) -> None:
    """Sign the demo staff member in without loading any page (the browser's cache stays empty)."""
    def csrf(path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', context.request.get(base + path).text()).group(1)

    # Over HTTPS Flask-WTF wants the Referer a browser would send with the form.
    response = context.request.post(base + "/masuk", headers={"Referer": f"{base}/masuk"}, form={
        "identifier": login, "password": password, "csrf_token": csrf("/masuk")})
    if response.url.endswith("/kata-sandi"):  # the demo's first sign-in asks for a new password
        if not may_change_password:
            raise SystemExit(f"{login} must change its password first: sign in once by hand")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text()).group(1)
        response = context.request.post(base + "/kata-sandi", headers={"Referer": f"{base}/kata-sandi"}, form={
            "current_password": password, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
            "csrf_token": token})
    if response.url.rstrip("/") != base:
        raise SystemExit(f"signing in ended at {response.url}")


def measure(browser, base: str, login: str, password: str, demo: bool = True) -> list[Load]:
    loads = []
    for name, path, signed_in in (("sign-in page", "/masuk", False), ("staff home", "/", True)):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID",
                                      ignore_https_errors=not demo)
        if signed_in:
            sign_in(context, base, login, password, may_change_password=demo)
        page = context.new_page()
        take = watch(context, page)
        for state in ("cold", "warm"):
            page.goto(base + path, wait_until="networkidle")
            loads.append(take(f"{name}, {state}"))
        context.close()
    return loads


def report(kind: str, loads: list[Load]) -> bool:
    fine = True
    for load in loads:
        budget = COLD_BUDGET if load.name.endswith("cold") else WARM_BUDGET
        verdict = "ok" if load.total <= budget else "HEAVY"
        fine = fine and verdict == "ok"
        print(f"\n[{kind}] {load.name}: {len(load.fetches)} requests, {len(load.over_network)} over the network, "
              f"{load.total / 1024:.1f} KB transferred (budget {budget // 1024} KB)  {verdict}")
        print(f"  {'bytes':>8}  {'status':>6}  {'encoding':<8}  {'cache':<9}  url")
        for fetch in sorted(load.fetches.values(), key=lambda fetch: -fetch.transferred):
            where = "cache" if fetch.from_cache or not fetch.transferred else "network"
            path = re.sub(r"^https?://[^/]+", "", fetch.url)
            print(f"  {fetch.transferred:>8,}  {fetch.status:>6}  {fetch.encoding or '-':<8}  {where:<9}  {path}"
                  f"{'  [' + fetch.cache_control + ']' if fetch.cache_control and where == 'network' else ''}")
    return fine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="flask", choices=["flask", "gunicorn", "both"])
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (printed)")
    parser.add_argument("--url", help="measure this running installation instead (with --login and --password)")
    parser.add_argument("--login", help="a staff account's NIP, with --url")
    parser.add_argument("--password", help="its password, with --url")
    args, _unknown = parser.parse_known_args()
    if not Path(CHROMIUM).exists():
        print(f"page weight: skipped, Chromium not found at {CHROMIUM}")
        return
    from playwright.sync_api import sync_playwright

    print("Page weight: sign-in page and staff home in Chromium, cold and warm cache")
    if args.url:
        if not (args.login and args.password):
            parser.error("--url needs --login and --password")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            fine = report(args.url, measure(browser, args.url.rstrip("/"), args.login, args.password, demo=False))
            browser.close()
        print(f"\npage weight: {'ok' if fine else 'HEAVY'}")
        return
    folder = Path(tempfile.mkdtemp(prefix="kinerja-weight-"))
    env, login, password = prepare_instance(folder)
    fine = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for kind in (["flask", "gunicorn"] if args.server == "both" else [args.server]):
            port = free_port()
            server = start_server(kind, env, port)
            try:
                fine = report(kind, measure(browser, f"http://127.0.0.1:{port}", login, password)) and fine
                password = NEW_PASSWORD  # the first round changed the demo's initial password
            finally:
                server.terminate()
                server.wait(timeout=10)
        browser.close()
    print(f"\npage weight: {'ok' if fine else 'HEAVY'}")
    if args.keep:
        print(f"instance kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
