"""Month-end report exports at regency scale, end to end from the database (SQLite file), each step in a fresh
process so its time and peak memory are its own.

Data: 10,000 employees in 20 agencies of 500, each with 110 approved activities in October 2026 (1.1 M rows).

(a) one agency's pack of 500 PDFs with nothing stored: REPORT_PROCESSES rendering processes, recycled every
    REPORT_RECYCLE_AFTER documents; wall time and the peak RSS of the largest rendering process;
(b) the same pack again, every report now stored: load, hash, match, ZIP;
(c) the whole regency's pack of 10,000 PDFs when everything is stored. The store is filled for this step by
    linking one rendered PDF under each employee's current data hash (rendering 10,000 reports would take an
    hour): the step measures what the month-end pack does when the reports were rendered ahead;
(d) BKD's regency workbook (recap of every agency, 10,000 rows), data loading included;
(e) the BKN-shape activities of one agency (55,000 rows) and (f) of the whole regency (1.1 M rows), streamed
    from the database; peak RSS of the step's process.

python -m bench.reports_pack [--quick]   (--quick: 2,000 employees, packs of 100, no 1.1 M-row step)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as hour
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 20)
ACTIVITIES_PER_DAY = 5


class Context:
    """The JobContext interface, silent."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.total, self.done, self.failures, self.result = folder, 0, 0, [], None

    def set_total(self, n: int) -> None:
        self.total = n

    def advance(self, n: int = 1) -> None:
        self.done += n

    def cancelled(self) -> bool:
        return False

    def fail_item(self, item: str, reason: str) -> None:
        self.failures.append((item, reason))

    def output_path(self, filename: str) -> Path:
        return self.folder / filename

    def finish_file(self, path: Path, download_name: str) -> None:
        self.result = path


def make_app(url: str, folder: str):
    from kinerja import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, REPORT_FOLDER=str(Path(folder) / "reports"),
                      UPLOAD_FOLDER=str(Path(folder) / "uploads"), REPORT_PROCESSES=min(2, os.cpu_count() or 1),
                      REPORT_RECYCLE_AFTER=250)


def prepare(url: str, folder: str, employees: int, agencies: int) -> None:
    from bench.generate import generate
    from kinerja import clock
    from kinerja.extensions import db
    from kinerja.models import Activity, ActivityCategory, ActivityStatus, WorkMode
    from kinerja.workcalendar import holidays_between, is_weekend

    app = make_app(url, folder)
    with app.app_context():
        db.create_all()
        generated = generate(employees=employees, agencies=agencies, units_per_agency=10)
        days_off = holidays_between(MONTH, date(2026, 10, 31))
        days = [MONTH + timedelta(days=n) for n in range(31)]
        days = [day for day in days if not is_weekend(day, 5) and day not in days_off][:22]
        now = clock.utcnow()
        rows = []
        for employee_id in range(1, generated.employees + 1):
            for day in days:
                for slot in range(ACTIVITIES_PER_DAY):
                    start = hour(7 + slot + (1 if slot >= 3 else 0), 30)
                    rows.append({
                        "employee_id": employee_id, "activity_date": day, "start_time": start,
                        "end_time": hour(start.hour + 1, 30), "duration_minutes": 60,
                        "description": f"Menyusun dan memeriksa dokumen layanan nomor {slot + 1} untuk {day:%d %B}",
                        "quantity": 1, "unit": "dokumen", "work_mode": (WorkMode.WFO, WorkMode.WFH)[slot % 2],
                        "category": ActivityCategory.MAIN, "status": ActivityStatus.APPROVED, "off_day": False,
                        "version": 1, "created_at": now, "updated_at": now, "submitted_at": now,
                        "reviewed_at": now})
            if len(rows) >= 100_000:
                db.session.execute(insert(Activity), rows)
                rows = []
        if rows:
            db.session.execute(insert(Activity), rows)
        db.session.commit()


def step(name: str, url: str, folder: str) -> dict:
    """Run one measured step in this (fresh) process; returns seconds, peak RSS and what it made."""
    from kinerja import clock
    from kinerja.database import read_only_transactions
    from kinerja.extensions import db
    from kinerja.models import Agency, ReportDocument
    from kinerja.reports import data, documents, store, tasks, xlsx

    app = make_app(url, folder)
    out = Path(folder) / "out" / name
    out.mkdir(parents=True, exist_ok=True)
    context = Context(out)
    result: dict = {}
    with app.app_context():
        first_agency = db.session.scalar(select(Agency.id).order_by(Agency.id).limit(1))
        # The reports of October, as seen in November, here and in the rendering processes started below.
        os.environ[clock.SETTING] = clock.setting(datetime.combine(TODAY, hour(10), ZoneInfo("Asia/Jakarta")))
        if name == "fill-store":  # not measured: link one rendered PDF under every employee's current hash
            ids = data.month_employee_ids(MONTH)
            sample = documents.employee_document(ids[0], MONTH, TODAY, store.PDF)[1].path
            for start in range(0, len(ids), 500):
                months = data.employee_months(ids[start:start + 500], MONTH, TODAY)
                rows = []
                for month in months.values():
                    name_ = f"bench-{month.employee_id}.pdf"
                    target = sample.parent / name_
                    if not target.exists():
                        os.link(sample, target)
                    rows.append({"code": f"B{month.employee_id:07d}", "kind": store.PDF,
                                 "employee_id": month.employee_id, "year": 2026, "month": 10,
                                 "data_hash": month.data_hash(), "draft": month.is_draft, "stored_name": name_,
                                 "size_bytes": sample.stat().st_size, "created_at": clock.utcnow()})
                db.session.execute(insert(ReportDocument).prefix_with("OR IGNORE"), rows)
                db.session.commit()
            return {"filled": len(ids)}
        started, rss_before = time.perf_counter(), current_rss_mb()
        with read_only_transactions():
            if name in ("pack-agency", "pack-agency-stored"):
                tasks._pdf_pack(context, {"month": "2026-10", "agency_id": first_agency})
            elif name == "pack-regency-stored":
                tasks._pdf_pack(context, {"month": "2026-10"})
            elif name == "regency-xlsx":
                recaps = data.agency_recaps(None, MONTH, TODAY)
                loaded = time.perf_counter()
                xlsx.regency_xlsx(recaps, out / "regency.xlsx", title="Bench", period_label="Oktober 2026")
                result["load_s"] = round(loaded - started, 2)
                result["rows"] = sum(len(recap.rows) for recap in recaps)
            elif name in ("bkn-agency", "bkn-regency"):
                ids = data.month_employee_ids(MONTH, agency_id=first_agency) if name == "bkn-agency" else None
                result["rows"] = xlsx.bkn_xlsx(data.bkn_rows(MONTH, ids, "http://bench/bukti/{id}"),
                                               out / "bkn.xlsx")
        result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = peak_rss_mb()
    result["growth_mb"] = round(result["peak_rss_mb"] - rss_before, 1)
    result["worker_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    result["documents"] = context.total
    result["failures"] = len(context.failures)
    if context.result is not None:
        result["mb"] = round(Path(context.result).stat().st_size / 1e6, 1)
    return result


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM starts afresh at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_step(name: str, url: str, folder: str) -> dict:
    command = [sys.executable, "-m", "bench.reports_pack", "--step", name, "--db", url, "--folder", folder]
    output = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - this module
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated step names (pack-agency, pack-agency-stored, "
                        "pack-regency-stored, regency-xlsx, bkn-agency, bkn-regency)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "prepare":
        employees, agencies = (int(part) for part in args.folder.split(":")[1:])
        prepare(args.db, args.folder.split(":")[0], employees, agencies)
        print(json.dumps({}))
        return
    if args.step:
        print(json.dumps(step(args.step, args.db, args.folder)))
        return
    employees, agencies = (2_000, 20) if args.quick else (10_000, 20)
    folder = tempfile.mkdtemp(prefix="kinerja-bench-reports-")
    try:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        run_step("prepare", url, f"{folder}:{employees}:{agencies}")  # in its own process: keeps this one small
        print(f"data: {employees:,} employees in {agencies} agencies, {employees * 110:,} approved activities "
              f"({time.perf_counter() - started:.0f} s to generate); {os.cpu_count()} cores")
        rows = [
            ("(a) agency pack, nothing stored", "pack-agency", 150, 250),
            ("(b) same pack, all stored", "pack-agency-stored", 10, None),
        ]
        results = {}
        wanted = set(args.only.split(",")) if args.only else None
        for _label, name, _target, _memory in rows:
            if wanted is None or name in wanted:
                results[name] = run_step(name, url, folder)
        if wanted is None or "pack-regency-stored" in wanted:
            run_step("fill-store", url, folder)
        more = [("(c) regency pack, all stored", "pack-regency-stored", 180, None),
                ("(d) regency recap workbook", "regency-xlsx", 2, None),
                ("(e) BKN shape, one agency", "bkn-agency", 8, None)]
        if not args.quick:
            more.append(("(f) BKN shape, whole regency", "bkn-regency", 120, 100))
        for _label, name, _target, _memory in more:
            if wanted is None or name in wanted:
                results[name] = run_step(name, url, folder)
        print(f"{'step':<34} {'seconds':>8} {'target':>7} {'items':>8} {'peak MB':>8} {'growth':>7} "
              f"{'worker MB':>9}  verdict")
        for label, name, target, memory in rows + more:
            if name not in results:
                continue
            found = results[name]
            items = found.get("rows") or found.get("documents")
            peak = found["peak_rss_mb"]
            worker = found["worker_peak_rss_mb"]
            measured = found["seconds"] - found.get("load_s", 0)  # (d): the workbook; its loading is printed apart
            slow = measured > target
            heavy = memory is not None and (worker if name == "pack-agency" else found["growth_mb"]) > memory
            verdict = "SLOW" if slow else "HEAVY" if heavy else "ok"
            print(f"{label:<34} {found['seconds']:8.1f} {target:7d} {items or 0:8,} {peak:8.1f} "
                  f"{found['growth_mb']:7.1f} {worker:9.1f}  "
                  f"{verdict}" + (f"  (failures: {found['failures']})" if found.get("failures") else ""))
        print("peak MB: the step's own process (app and libraries included); growth: peak minus its size when the "
              "measured work began (the memory targets of (f)); worker MB: the largest rendering process of (a).")
        if "regency-xlsx" in results:
            load = results["regency-xlsx"]["load_s"]
            print(f"(d) is loading {load} s + writing {results['regency-xlsx']['seconds'] - load:.2f} s "
                  "(the 2 s target is the workbook's)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
