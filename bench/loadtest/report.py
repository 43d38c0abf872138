"""The Markdown report of a load-test run: per endpoint requests, failures, p50/p95/p99 and throughput; totals;
the journeys' counters; and the verdict against the target (no errors; p95 <= 300 ms for pages and saves)."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TARGET_P95_MS = 300
TARGET_CATEGORIES = ("page", "save")  # "pages and saves" of the target
CATEGORY_NOTES = {
    "page": "page: a GET that renders HTML for the user (the page after each save included)",
    "save": "save: a POST that stores the user's own work (an activity, submitting the day)",
    "bulk": "bulk: the appraiser's bulk-approval preview and decision over a whole unit (hundreds of items)",
    "sign-in": "sign-in: POST /masuk, a deliberately costly password check (production hash)",
    "job": "job: starting the export, polling its progress (JSON), downloading the file",
}


# gunicorn's access log (deploy/gunicorn.conf.py): ... "METHOD PATH HTTP/1.1" STATUS ... 0.123456s
ACCESS_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d{3}) .* ([\d.]+)s$')
DAY, MONTH, JOB = r"\d{4}-\d{2}-\d{2}", r"\d{4}-\d{2}", r"[0-9a-f]{32}"
# Paths as the locustfile names them, to put the server's own time beside the time the client saw.
SERVER_NAMES = [
    ("GET", r"/masuk", "/masuk (sign-in form)"),
    ("POST", r"/masuk", "/masuk (sign in)"),
    ("GET", r"/", "/ (dashboard)"),
    ("GET", rf"/kegiatan/bulan/{MONTH}", "/kegiatan/bulan/[month] (calendar)"),
    ("GET", rf"/kegiatan/{DAY}", "/kegiatan/[day] (day page)"),
    ("POST", rf"/kegiatan/{DAY}", "/kegiatan/[day] (save activity)"),
    ("POST", rf"/kegiatan/hari/{DAY}/ajukan", "/kegiatan/hari/[day]/ajukan (submit day)"),
    ("GET", r"/pemeriksaan/", "/pemeriksaan/ (review inbox)"),
    ("POST", r"/pemeriksaan/pratinjau", "/pemeriksaan/pratinjau (bulk preview)"),
    ("POST", r"/pemeriksaan/setujui-massal", "/pemeriksaan/setujui-massal (bulk approve)"),
    ("GET", r"/laporan/", "/laporan/ (reports page)"),
    ("POST", r"/laporan/ekspor", "/laporan/ekspor (start export)"),
    ("GET", rf"/tugas/{JOB}", "/tugas/[job] (progress page)"),
    ("GET", rf"/tugas/{JOB}\.json", "/tugas/[job].json (progress poll)"),
    ("GET", rf"/tugas/{JOB}/unduh", "/tugas/[job]/unduh (download)"),
]


def server_times(access_log: Path) -> dict[tuple[str, str], list[float]]:
    """Milliseconds gunicorn spent on each request (from its access log), by the locustfile's names: beside
    the client's times they tell the work from the wait in the queue."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    if not access_log.exists():
        return times
    for line in access_log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if match is None:
            continue
        method, path, _status, seconds = match.groups()
        name = named(method, path)
        if name is not None:
            times[(method, name)].append(float(seconds) * 1000)
    return times


def named(method: str, path: str) -> str | None:
    """The locustfile's name of a request, or None for one it never makes."""
    path = path.split("?")[0]
    for name_method, pattern, name in SERVER_NAMES:
        if name_method == method and re.fullmatch(pattern, path):
            return name
    return None


def server_cpu(cpu_log: Path) -> dict[tuple[str, str], list[float]]:
    """CPU milliseconds gunicorn's worker spent on each request (bench/loadtest/gunicorn_cpu.conf.py), by the
    locustfile's names."""
    used: dict[tuple[str, str], list[float]] = defaultdict(list)
    if not cpu_log.exists():
        return used
    for line in cpu_log.read_text(errors="replace").splitlines():
        method, _tab, rest = line.partition("\t")
        path, _tab, milliseconds = rest.partition("\t")
        name = named(method, path)
        if name is not None and milliseconds:
            used[(method, name)].append(float(milliseconds))
    return used


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Row:
    method: str
    name: str
    category: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float
    reasons: dict[str, int] = field(default_factory=dict)
    server: tuple[int, float, float] | None = None  # requests gunicorn finished, its p50 and p95 (ms)
    cpu: tuple[float, float] | None = None  # gunicorn's CPU per request, mean and p95 (ms)

    @property
    def targeted(self) -> bool:
        return self.category in TARGET_CATEGORIES

    @property
    def over_target(self) -> bool:
        return self.targeted and self.p95 > TARGET_P95_MS


@dataclass
class RunResult:
    """One database's run: the locust samples plus what the runner saw around it."""

    kind: str
    rows: list[Row]
    total: Row
    counters: dict[str, int]
    notes: dict[str, object]
    window_s: float
    context: dict[str, object]

    @property
    def failures(self) -> int:
        return (self.total.failures + int(self.context.get("server errors", 0))
                + int(self.context.get("job worker errors", 0)))

    @property
    def over_target(self) -> list[Row]:
        return [row for row in self.rows if row.over_target]

    @property
    def passed(self) -> bool:
        return self.failures == 0 and not self.over_target and self.total.requests > 0

    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


def make_row(method: str, name: str, category: str, times: list[float], failures: int, window_s: float,
             reasons: dict[str, int] | None = None) -> Row:
    ordered = sorted(times)
    return Row(method, name, category, len(ordered), failures, percentile(ordered, 0.50),
               percentile(ordered, 0.95), percentile(ordered, 0.99), len(ordered) / window_s if window_s else 0.0,
               reasons or {})


def load(kind: str, path: Path, context: dict[str, object], access_log: Path | None = None,
         cpu_log: Path | None = None) -> RunResult:
    """Read the locustfile's JSON into rows sorted by category then name, with gunicorn's own times and CPU."""
    data = json.loads(path.read_text())
    window = float(data["window_s"])
    rows = [make_row(item["method"], item["name"], item["category"], item["times_ms"],
                     sum(item["failures"].values()), window, item["failures"]) for item in data["endpoints"]]
    served = server_times(access_log) if access_log else {}
    used = server_cpu(cpu_log) if cpu_log else {}
    for row in rows:
        ordered = sorted(served.get((row.method, row.name), []))
        if ordered:
            row.server = (len(ordered), percentile(ordered, 0.50), percentile(ordered, 0.95))
        spent = sorted(used.get((row.method, row.name), []))
        if spent:
            row.cpu = (sum(spent) / len(spent), percentile(spent, 0.95))
    order = {name: index for index, name in enumerate(CATEGORY_NOTES)}
    rows.sort(key=lambda row: (order.get(row.category, 99), row.name, row.method))
    every = [time for item in data["endpoints"] for time in item["times_ms"]]
    total = make_row("", "Total", "", every, sum(row.failures for row in rows), window)
    return RunResult(kind, rows, total, data["counters"], data["notes"], window, context)


def ms(value: float) -> str:
    return f"{value:,.0f}"


def endpoint_table(result: RunResult) -> list[str]:
    lines = [
        "| Endpoint | Category | Requests | Failures | p50 ms | p95 ms | p99 ms | req/s | p95 ≤ 300 ms "
        "| in gunicorn: done, p50, p95 ms | gunicorn CPU per request: mean, p95 ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|:-:|--:|--:|",
    ]
    for row in result.rows:
        mark = ("**over**" if row.over_target else "ok") if row.targeted else "–"
        server = f"{row.server[0]:,}, {ms(row.server[1])}, {ms(row.server[2])}" if row.server else "–"
        cpu = f"{row.cpu[0]:,.1f}, {row.cpu[1]:,.1f}" if row.cpu else "–"
        lines.append(f"| {row.method} {row.name} | {row.category} | {row.requests:,} | {row.failures:,} | "
                     f"{ms(row.p50)} | {ms(row.p95)} | {ms(row.p99)} | {row.rps:.1f} | {mark} | {server} | {cpu} |")
    total = result.total
    lines.append(f"| **Total** | | **{total.requests:,}** | **{total.failures:,}** | {ms(total.p50)} | "
                 f"{ms(total.p95)} | {ms(total.p99)} | **{total.rps:.1f}** | | | |")
    return lines


def render(result: RunResult) -> str:
    """One database's section of the report."""
    lines = [f"### {result.kind}: {result.verdict()}", ""]
    lines += [f"- {key}: {value}" for key, value in result.context.items()]
    lines.append(f"- measured window: {result.window_s:.0f} s")
    lines += [f"- {key}: {value:,}" for key, value in sorted(result.counters.items())]
    lines += [f"- {key}: {value}" for key, value in result.notes.items()]
    lines += ["", *endpoint_table(result), ""]
    reasons = [(row, reason, count) for row in result.rows for reason, count in row.reasons.items()]
    if reasons:
        lines.append("Failures:")
        lines += [f"- {row.method} {row.name}: {count} × {reason}" for row, reason, count in reasons]
        lines.append("")
    checks = [
        f"errors: {result.failures:,} (failed requests, errors in the server's and the job worker's logs) — "
        f"{'ok' if result.failures == 0 else 'FAIL'}",
        "pages and saves p95 ≤ 300 ms: " + ("ok" if not result.over_target else "FAIL (" + ", ".join(
            f"{row.name} {ms(row.p95)} ms" for row in result.over_target) + ")"),
    ]
    lines += [f"- {check}" for check in checks]
    return "\n".join(lines) + "\n"


def side_by_side(results: list[RunResult]) -> str:
    """Both databases' p50/p95/p99 per endpoint in one table."""
    kinds = [result.kind for result in results]
    header = "| Endpoint | " + " | ".join(f"{kind} req | p50 | p95 | p99" for kind in kinds) + " |"
    lines = [header, "|---|" + "--:|--:|--:|--:|" * len(kinds)]
    names = list(dict.fromkeys((row.method, row.name) for result in results for row in result.rows))
    for method, name in names:
        cells = []
        for result in results:
            row = next((row for row in result.rows if (row.method, row.name) == (method, name)), None)
            cells.append("– | – | – | –" if row is None else
                         f"{row.requests:,} | {ms(row.p50)} | {ms(row.p95)} | {ms(row.p99)}")
        lines.append(f"| {method} {name} | " + " | ".join(cells) + " |")
    totals = " | ".join(f"{r.total.requests:,} | {ms(r.total.p50)} | {ms(r.total.p95)} | {ms(r.total.p99)}"
                        for r in results)
    lines.append(f"| **Total** | {totals} |")
    lines.append("| **Throughput (req/s)** | " + " | ".join(f"{r.total.rps:.1f} | | |" for r in results) + " |")
    lines.append("| **Errors** | " + " | ".join(f"{r.failures:,} | | |" for r in results) + " |")
    lines.append("| **Verdict** | " + " | ".join(f"{r.verdict()} | | |" for r in results) + " |")
    return "\n".join(lines) + "\n"


def document(title: str, scenario: list[str], results: list[RunResult]) -> str:
    """The whole report: scenario, categories, each database, and a side-by-side table when there are two."""
    parts = [f"## {title}", "", *[f"- {line}" for line in scenario], "",
             "Categories (the target — no errors, p95 ≤ 300 ms — applies to every **page** and **save** endpoint; "
             "it is judged on PostgreSQL, SQLite is run for comparison):", "",
             *[f"- {note}" for note in CATEGORY_NOTES.values()], ""]
    parts += [render(result) for result in results]
    if len(results) > 1:
        parts += ["### Side by side", "", side_by_side(results)]
    return "\n".join(parts)
