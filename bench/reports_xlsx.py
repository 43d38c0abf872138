"""XLSX report writers at scale (kinerja.reports.xlsx), on generated data (no database).

Both large workbooks are written with XlsxWriter's constant_memory mode (each sheet streamed row by row to its own
temporary file, zipped on close).

(a) regency_xlsx: BKD's workbook for 10,000 employees across 40 agencies (summary + one sheet per agency).
(b) bkn_xlsx: the BKN daily-progress export of 55,000 rows (a large agency's month) and of 1,100,000 rows (the
    whole regency: 10,000 staff × 22 days × 5 activities), rows produced by a generator, never held in memory.
    The 1.1 M run is done in a child process so that its peak RSS growth is its own.

python -m bench.reports_xlsx [--quick] [--openpyxl]
    --quick skips the 1.1 M rows run; --openpyxl adds kinerja.exports.xlsx_bytes (the generic export, still on
    openpyxl's write-only mode with a new cell per value, lxml's writer when installed) on 20,000 rows, for
    comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from openpyxl import LXML

from kinerja import create_app
from kinerja.exports import xlsx_bytes
from kinerja.reports.model import BKN_HEADER, AgencyRecap, BknRow
from kinerja.reports.xlsx import bkn_xlsx, regency_xlsx
from tests.report_samples import DESCRIPTIONS, agency_recap, recap_row

REGENCY_EMPLOYEES, REGENCY_AGENCIES, REGENCY_TARGET_S = 10_000, 40, 2.0
BKN_AGENCY_ROWS, BKN_AGENCY_TARGET_S = 55_000, 8.0
BKN_REGENCY_ROWS, BKN_REGENCY_TARGET_S, BKN_MEMORY_TARGET_MB = 1_100_000, 120.0, 100.0


def recaps(employees: int, agencies: int) -> list[AgencyRecap]:
    """`agencies` recaps sharing out `employees` rows (built before timing: the writer's input)."""
    template = agency_recap(0)
    per_agency = employees // agencies
    result = []
    for index in range(agencies):
        first = index * per_agency + 1
        result.append(dataclasses.replace(
            template, agency_id=index + 1, agency_code=f"OPD{index + 1:03d}",
            agency_name=f"Dinas Contoh Nomor {index + 1}", agency_short_name=f"Dinas Contoh {index + 1}",
            rows=tuple(recap_row(number) for number in range(first, first + per_agency)),
        ))
    return result


def bkn_rows(count: int) -> Iterator[BknRow]:
    """`count` activities: 22 days × 5 a day per employee, produced one at a time."""
    start_day = date(2026, 10, 1)
    days = [start_day + timedelta(days=offset) for offset in range(31)]
    days = [day for day in days if day.weekday() < 5][:22]
    for number in range(count):
        employee, slot = divmod(number, 110)
        day, hour = days[slot // 5], 7 + 2 * (slot % 5)
        yield BknRow(
            id_number=f"19870315201001{employee % 10_000:04d}", name=f"Pegawai Contoh {employee:05d}",
            planned_action="Pemeliharaan aplikasi bulanan", day=day, start=clock(hour, 30), end=clock(hour + 1, 30),
            description=DESCRIPTIONS[number % len(DESCRIPTIONS)], quantity=Decimal("1.00"), unit="Dokumen",
            evidence=f"https://kinerja.example.go.id/bukti/{number}" if number % 3 == 0 else "",
        )


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def time_regency(app, folder: Path) -> tuple[float, int]:
    data = recaps(REGENCY_EMPLOYEES, REGENCY_AGENCIES)
    path = folder / "regency.xlsx"
    with app.app_context():
        regency_xlsx(data, path, title="Rekapitulasi Kinerja Pemerintah Kota Contoh", period_label="Oktober 2026")
        start = time.perf_counter()
        regency_xlsx(data, path, title="Rekapitulasi Kinerja Pemerintah Kota Contoh", period_label="Oktober 2026")
        elapsed = time.perf_counter() - start
    return elapsed, path.stat().st_size


def time_bkn(app, count: int, folder: Path) -> dict:
    """Seconds, rows, file size and RSS growth (peak minus the RSS before the run) of one BKN export."""
    path = folder / f"bkn-{count}.xlsx"
    before = current_rss_mb()
    with app.app_context():
        start = time.perf_counter()
        written = bkn_xlsx(bkn_rows(count), path)
        elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "rows": written, "bytes": path.stat().st_size, "rss_growth_mb": rss_mb() - before,
            "rss_before_mb": before}


def make_app():
    return create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")


def child(count: int) -> None:
    """Run one BKN export in this (fresh) process and print its figures as JSON."""
    app = make_app()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(time_bkn(app, count, Path(folder))))


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "SLOW"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 1,100,000-row BKN export")
    parser.add_argument("--openpyxl", action="store_true",
                        help="also time kinerja.exports.xlsx_bytes (generic write-only export) on 20,000 BKN rows")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.child:
        child(args.child)
        return
    print(f"XLSX report writers (regency and BKN: kinerja.reports.xlsx, XlsxWriter {xlsxwriter.__version__} "
          "constant_memory)")
    app = make_app()
    print(f"{'measurement':<52} {'seconds':>8} {'target':>7} {'rows/s':>9} {'MB file':>8} {'RSS+ MB':>8}  verdict")
    with tempfile.TemporaryDirectory() as folder:
        seconds, size = time_regency(app, Path(folder))
        print(f"{'regency_xlsx, 10,000 employees / 40 agencies':<52} {seconds:8.2f} {REGENCY_TARGET_S:7.0f} "
              f"{REGENCY_EMPLOYEES / seconds:9,.0f} {size / 1e6:8.1f} {'':>8}  {verdict(seconds, REGENCY_TARGET_S)}")
        figures = time_bkn(app, BKN_AGENCY_ROWS, Path(folder))
        print(f"{'bkn_xlsx, 55,000 rows':<52} {figures['seconds']:8.2f} {BKN_AGENCY_TARGET_S:7.0f} "
              f"{figures['rows'] / figures['seconds']:9,.0f} {figures['bytes'] / 1e6:8.1f} {'':>8}  "
              f"{verdict(figures['seconds'], BKN_AGENCY_TARGET_S)}")
    if args.openpyxl:
        start = time.perf_counter()
        xlsx_bytes("Kegiatan", BKN_HEADER, (row.cells() for row in bkn_rows(20_000)))
        seconds = time.perf_counter() - start
        label = f"reference: exports.xlsx_bytes{' (lxml)' if LXML else ''}, 20,000 BKN rows"
        print(f"{label:<52} {seconds:8.2f} {'':>7} "
              f"{20_000 / seconds:9,.0f}")
    if args.quick:
        print("bkn_xlsx, 1,100,000 rows: skipped (--quick)")
        return
    result = subprocess.run([sys.executable, "-m", "bench.reports_xlsx", "--child", str(BKN_REGENCY_ROWS)],  # noqa: S603
                            check=True, capture_output=True, text=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    ok = figures["seconds"] <= BKN_REGENCY_TARGET_S and figures["rss_growth_mb"] < BKN_MEMORY_TARGET_MB
    print(f"{'bkn_xlsx, 1,100,000 rows (2 sheets), child process':<52} {figures['seconds']:8.2f} "
          f"{BKN_REGENCY_TARGET_S:7.0f} {figures['rows'] / figures['seconds']:9,.0f} {figures['bytes'] / 1e6:8.1f} "
          f"{figures['rss_growth_mb']:8.1f}  {'ok' if ok else 'SLOW/BIG'} (RSS target < {BKN_MEMORY_TARGET_MB:.0f} MB)")


if __name__ == "__main__":
    main()
