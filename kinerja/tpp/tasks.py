"""TPP outputs as background jobs (see kinerja.jobs): the nominative list of an agency and the payroll file of an
agency or of the regency, with progress, run by the same workers as the report exports."""

from __future__ import annotations

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


@job_kind("tpp_nominative")
def nominative(ctx, params: dict) -> None:
    """The daftar nominatif TPP of one agency, as PDF or XLSX."""
    first, today, agency = month_of(params), clock.today(), agency_of(params)
    ctx.set_total(1)
    listing = documents.agency_list(agency, first, today)
    suffix = ".pdf" if params.get("format") == "pdf" else ".xlsx"
    content = documents.nominative_pdf(listing, today) if suffix == ".pdf" else documents.nominative_xlsx(listing)
    target = ctx.output_path(f"tpp-nominatif-{agency.code}-{first:%Y-%m}{suffix}")
    target.write_bytes(content)
    ctx.advance(1)
    ctx.finish_file(target, f"Daftar nominatif TPP {agency.code} {first:%Y-%m}{suffix}")


@job_kind("tpp_payroll")
def payroll(ctx, params: dict) -> None:
    """The payroll file (NIP, name, gross, each deduction, net) of one agency or of every agency."""
    first, today = month_of(params), clock.today()
    agency = agency_of(params) if params.get("agency_id") is not None else None
    ctx.set_total(1)
    rows = documents.payroll_rows(first, today, [agency.id] if agency else None)
    kind = "csv" if params.get("format") == "csv" else "xlsx"
    scope = agency.code if agency else "semua-OPD"
    target = ctx.output_path(f"tpp-gaji-{scope}-{first:%Y-%m}.{kind}")
    target.write_bytes(documents.payroll_file(rows, kind))
    ctx.advance(1)
    ctx.finish_file(target, f"Berkas gaji TPP {scope} {first:%Y-%m}.{kind}")
