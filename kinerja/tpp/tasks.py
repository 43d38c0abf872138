"""TPP outputs as background jobs (see kinerja.jobs): the nominative list of an agency, the payroll file of an
agency or of the regency, the regency recap workbook and the slips (one employee's, or an agency's bundle), with
progress, run by the same workers as the report exports. The files are built by kinerja/tpp/documents.py, as
`flask tpp export` builds them."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from kinerja import clock
from kinerja.core import periods
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.jobs import job_kind
from kinerja.models import Agency
from kinerja.tpp import documents


def month_of(params: dict):
    first = periods.parse_month(str(params.get("month", "")))
    if first is None:
        raise ValidationFailed(_("Bulan tidak valid."))
    return first


def agency_of(params: dict) -> Agency:
    agency = db.session.get(Agency, int(params["agency_id"]))
    if agency is None:
        raise ValidationFailed(_("OPD tidak ditemukan."))
    return agency


def write_one(ctx, build: Callable[[], documents.OutputFile]) -> None:
    """Build one file and offer it for download."""
    ctx.set_total(1)
    output = build()
    target = ctx.output_path(output.name)
    target.write_bytes(output.content)
    ctx.advance(1)
    ctx.finish_file(target, output.title)


@job_kind("tpp_nominative")
def nominative(ctx, params: dict) -> None:
    """The daftar nominatif TPP of one agency, as PDF or XLSX."""
    first, today, agency = month_of(params), clock.today(), agency_of(params)
    kind = "pdf" if params.get("format") == "pdf" else "xlsx"
    write_one(ctx, lambda: documents.nominative_file(agency, first, today, kind))


@job_kind("tpp_payroll")
def payroll(ctx, params: dict) -> None:
    """The payroll file (NIP, name, gross, each deduction, net, bank account) of one agency or of every agency."""
    first, today = month_of(params), clock.today()
    agency = agency_of(params) if params.get("agency_id") is not None else None
    kind = "csv" if params.get("format") == "csv" else "xlsx"
    write_one(ctx, lambda: documents.payroll_export(first, today, agency, kind))


@job_kind("tpp_recap")
def recap(ctx, params: dict) -> None:
    """The regency recap workbook: one line per agency and a sheet per agency."""
    first, today = month_of(params), clock.today()
    write_one(ctx, lambda: documents.recap_file(first, today))


@job_kind("tpp_slip")
def slip(ctx, params: dict) -> None:
    """One employee's slip (employee_id), or every slip of an agency in one PDF (agency_id). Whoever started the
    job was allowed to see them (kinerja/tpp/views.py checks before creating it)."""
    first, today = month_of(params), clock.today()
    if params.get("employee_id") is not None:
        employee_id = int(params["employee_id"])
        write_one(ctx, lambda: documents.employee_slip_file(employee_id, first, today))
    else:
        agency = agency_of(params)
        write_one(ctx, lambda: documents.agency_slips_file(agency, first, today))
