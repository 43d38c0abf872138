"""The report exports as background jobs (see kinerja.jobs): packs of employee PDFs, recaps, BKD's workbook,
the BKN-shape activities, and rendering ahead into the store.

Every function takes a context with the JobContext interface (`set_total`, `advance`, `cancelled`, `fail_item`,
`output_path`, `finish_file`), so the command line runs the very same code with a terminal progress bar.
One employee that fails is listed with the reason while the others go on.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from kinerja import clock
from kinerja.core import periods
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.jobs import job_kind, map_in_processes
from kinerja.models import Activity, ActivityStatus, Agency
from kinerja.reports import data, documents, pdf, store, xlsx
from kinerja.workcalendar import month_days

CHUNK = 200  # employees loaded and checked against the store at a time


class Cancelled(Exception):
    """Raised from a progress callback when the job's cancelling was asked for."""


def parse_month(text: str) -> date:
    first = periods.parse_month(str(text))
    if first is None:
        raise ValidationFailed(_("Bulan tidak valid."))
    return first


def cancellable_progress(ctx):
    """A progress callback for the writers that stops them (raising Cancelled) once cancelling is asked for."""

    def progress(count: int) -> None:
        ctx.advance(count)
        if ctx.cancelled():
            raise Cancelled

    return progress


def agency_row(agency_id: int | None):
    if agency_id is None:
        return None
    row = db.session.execute(select(Agency.id, Agency.code, Agency.name, Agency.short_name)
                             .where(Agency.id == agency_id)).first()
    if row is None:
        raise ValidationFailed(_("OPD tidak ditemukan."))
    return row


def render_one(item: tuple[int, str, str]) -> str:
    """In a worker process: render and store one employee's PDF; returns the stored file's path."""
    employee_id, first, today = item
    found = documents.employee_document(employee_id, date.fromisoformat(first), date.fromisoformat(today), store.PDF)
    if found is None:
        raise LookupError(_("Pegawai tidak memiliki penugasan pada bulan ini."))
    return str(found[1].path)


def ensure_stored(ctx, first: date, employee_ids: list[int], today: date) -> dict[int, tuple[Path, str, str]]:
    """Each employee's PDF of the month for the current data: reused from the store when its hash matches,
    else rendered (in REPORT_PROCESSES processes). Returns {employee: (path, file name, agency name)};
    the employees that failed are recorded on the context and left out."""
    ready: dict[int, tuple[Path, str, str]] = {}
    missing: dict[int, tuple[str, str, str]] = {}  # employee -> (label, file name, agency)
    for start in range(0, len(employee_ids), CHUNK):
        if ctx.cancelled():
            raise Cancelled
        chunk = employee_ids[start:start + CHUNK]
        months = data.employee_months(chunk, first, today)
        stored = store.current_documents([(employee_id, first.year, first.month) for employee_id in chunk])
        done = 0
        for employee_id in chunk:
            month = months.get(employee_id)
            if month is None:
                ctx.fail_item(str(employee_id), _("Pegawai tidak memiliki penugasan pada bulan ini."))
                done += 1
                continue
            name = documents.file_name(month, ".pdf")
            data_hash = month.data_hash()
            match = next((document for document in stored.get((employee_id, first.year, first.month), [])
                          if document.data_hash == data_hash), None)
            path = store.path_of(match) if match is not None else None
            if path is not None and path.is_file():
                ready[employee_id] = (path, name, month.agency_name)
                done += 1
            else:
                missing[employee_id] = (f"{month.employee.name} ({month.employee.id_number})", name, month.agency_name)
        ctx.advance(done)
        db.session.rollback()  # let go of the read snapshot between chunks

    def on_result(item, result, error):
        employee_id = item[0]
        label, name, agency = missing[employee_id]
        if error:
            ctx.fail_item(label, error)
        else:
            ready[employee_id] = (Path(result), name, agency)
        ctx.advance(1)
        return not ctx.cancelled()

    map_in_processes(render_one, [(employee_id, first.isoformat(), today.isoformat()) for employee_id in missing],
                     processes=current_app.config["REPORT_PROCESSES"],
                     recycle=current_app.config["REPORT_RECYCLE_AFTER"], on_result=on_result)
    if ctx.cancelled():
        raise Cancelled
    return ready


def safe_part(text: str) -> str:
    return documents.UNSAFE_NAME.sub("", text).strip()[:80] or "OPD"


def write_zip(target: Path, entries: Iterable[tuple[Path, str]]) -> None:
    """PDFs are already compressed: stored as they are, so the pack costs little more than copying."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for path, name in entries:
            archive.write(path, name)


def run_cancellable(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Cancelled:
        return None


@job_kind("pdf_pack")
def pdf_pack(ctx, params: dict) -> None:
    """A ZIP of every employee's PDF of the month, for one agency or (no agency) the whole regency."""
    run_cancellable(_pdf_pack, ctx, params)


def _pdf_pack(ctx, params: dict) -> None:
    first, today = parse_month(params["month"]), clock.today()
    agency = agency_row(params.get("agency_id"))
    ids = data.month_employee_ids(first, agency_id=agency.id if agency else None)
    ctx.set_total(len(ids))
    ready = ensure_stored(ctx, first, ids, today)
    label = agency.code if agency else "KABUPATEN-KOTA"
    target = ctx.output_path(f"pack-{label}-{first:%Y-%m}.zip")
    entries = []
    for employee_id in ids:
        if employee_id in ready:
            path, name, agency_name = ready[employee_id]
            entries.append((path, name if agency else f"{safe_part(agency_name)}/{name}"))
    write_zip(target, entries)
    ctx.finish_file(target, f"Laporan Kinerja {label} {first:%Y-%m}.zip")


@job_kind("prerender")
def prerender(ctx, params: dict) -> None:
    """Render ahead into the store what is missing or stale: the given months, or an agency's whole month."""
    run_cancellable(_prerender, ctx, params)


def _prerender(ctx, params: dict) -> None:
    today = clock.today()
    groups: dict[date, list[int]] = {}
    if "subjects" in params:
        for employee_id, year, month in params["subjects"]:
            groups.setdefault(date(int(year), int(month), 1), []).append(int(employee_id))
    else:
        first = parse_month(params["month"])
        groups[first] = data.month_employee_ids(first, agency_id=int(params["agency_id"]))
    ctx.set_total(sum(len(ids) for ids in groups.values()))
    for first, ids in sorted(groups.items()):
        ensure_stored(ctx, first, ids, today)


@job_kind("agency_recap")
def agency_recap(ctx, params: dict) -> None:
    """The agency recap (rekapitulasi OPD) as PDF or XLSX."""
    first, today = parse_month(params["month"]), clock.today()
    agency = agency_row(int(params["agency_id"]))
    ctx.set_total(1)
    recap = data.agency_recaps([agency.id], first, today)[0]
    suffix = ".pdf" if params.get("format") == "pdf" else ".xlsx"
    content = pdf.agency_recap_pdf(recap) if suffix == ".pdf" else xlsx.agency_recap_xlsx(recap)
    target = ctx.output_path(f"rekap-{agency.code}-{first:%Y-%m}{suffix}")
    target.write_bytes(content)
    ctx.advance(1)
    ctx.finish_file(target, f"Rekapitulasi {agency.code} {first:%Y-%m}{suffix}")


@job_kind("regency_xlsx")
def regency_workbook(ctx, params: dict) -> None:
    """BKD's workbook: a summary sheet per agency and a recap sheet for each agency."""
    run_cancellable(_regency_workbook, ctx, params)


def _regency_workbook(ctx, params: dict) -> None:
    first, today = parse_month(params["month"]), clock.today()
    recaps = data.agency_recaps(None, first, today)
    ctx.set_total(len(recaps))
    target = ctx.output_path(f"rekap-kabupaten-{first:%Y-%m}.xlsx")
    with force_locale("id"):
        title = recaps[0].regency if recaps else _("Rekapitulasi kinerja")
        period = recaps[0].period_label if recaps else f"{first:%Y-%m}"
    xlsx.regency_xlsx(recaps, target, title=title, period_label=period, progress=cancellable_progress(ctx))
    ctx.finish_file(target, f"Rekapitulasi Kinerja {first:%Y-%m}.xlsx")


def bkn_scope(first: date, params: dict) -> tuple[list[int] | None, str]:
    if params.get("employee_id") is not None:
        return [int(params["employee_id"])], str(params["employee_id"])
    agency = agency_row(params.get("agency_id"))
    if agency is None:
        return None, "KABUPATEN-KOTA"
    return data.month_employee_ids(first, agency_id=agency.id), agency.code


def approved_count(first: date, employee_ids: list[int] | None) -> int:
    start, end = month_days(first.year, first.month)
    query = select(func.count()).select_from(Activity).where(
        Activity.activity_date.between(start, end), Activity.status == ActivityStatus.APPROVED)
    if employee_ids is not None:
        query = query.where(Activity.employee_id.in_(employee_ids or [-1]))
    return db.session.scalar(query) or 0


def evidence_url_pattern() -> str:
    return store.external_url("activities.evidence_file", evidence_id=0)[:-1] + "{id}"


@job_kind("bkn_xlsx")
def bkn_workbook(ctx, params: dict) -> None:
    """The month's approved activities in BKN's daily-progress shape (streamed, any size)."""
    run_cancellable(_bkn_workbook, ctx, params)


def _bkn_workbook(ctx, params: dict) -> None:
    first = parse_month(params["month"])
    ids, label = bkn_scope(first, params)
    ctx.set_total(approved_count(first, ids))
    db.session.rollback()
    target = ctx.output_path(f"bkn-{label}-{first:%Y-%m}.xlsx")
    xlsx.bkn_xlsx(data.bkn_rows(first, ids, evidence_url_pattern()), target, progress=cancellable_progress(ctx))
    ctx.finish_file(target, f"Kegiatan Harian BKN {label} {first:%Y-%m}.xlsx")
