"""TPP outputs: the daftar nominatif of an agency (PDF in the official layout, XLSX), the regency recap workbook
and the payroll file (XLSX, CSV). PDFs go through the reports' safe renderer, tables through the formula-safe
writers; each is run as a background job (kinerja/tpp/tasks.py) from the same rows the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from kinerja.core.signatory import acting_title
from kinerja.exports import csv_bytes, xlsx_bytes
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Agency
from kinerja.reports.data import people, regency_info, signature_date, signers
from kinerja.reports.pdf import logo_src, page_css, render_html
from kinerja.reports.render import render_pdf
from kinerja.tpp import services
from kinerja.tpp.engine import totals
from kinerja.tpp.explain import percent
from kinerja.tpp.month import Computed
from kinerja.tpp.rules import grouped, rule_set_for


@dataclass(frozen=True)
class AgencyList:
    agency: Agency
    first: date
    rows: list[Computed]
    locked: bool
    reference: str


def agency_list(agency: Agency, first: date, today: date) -> AgencyList:
    rows, period = services.agency_month(agency, first, today)
    rule_set = period.rule_set if period is not None else rule_set_for(first)
    return AgencyList(agency, first, rows, period is not None, rule_set.reference if rule_set else "-")


def nominative_pdf(listing: AgencyList, today: date) -> bytes:
    """The daftar nominatif TPP, A4 landscape, signed by the bendahara and the Kepala OPD (or their Plh/Plt)."""
    with force_locale("id"):
        regency = regency_info()
        signed = signature_date(listing.first, today)
        agency = listing.agency
        head = signers({agency.id: agency.head_id}, {agency.id: signed}).get(agency.id) if agency.head_id else None
        title = _("Kepala %(agency)s", agency=agency.name)
        if head is not None and head.acting:
            title = acting_title(head.acting, title)
        treasurer = people({agency.treasurer_id: signed}).get(agency.treasurer_id) if agency.treasurer_id else None
        html = render_html("tpp/nominative_pdf.html", {
            "agency": agency, "regency": regency, "logo": logo_src(regency.logo), "rows": listing.rows,
            "total": totals(item.result for item in listing.rows), "locked": listing.locked,
            "reference": listing.reference, "period_label": format_date(listing.first, "MMMM y"),
            "signature_date": format_date(signed), "head": head, "head_title": title, "treasurer": treasurer,
            "money": grouped, "page_css": page_css(_("Daftar nominatif TPP %(agency)s %(period)s",
                                                    agency=agency.short_name,
                                                    period=format_date(listing.first, "MMMM y")))})
    return render_pdf(html)


def nominative_headers() -> list[str]:
    return [_("No"), _("Nama"), _("NIP"), _("Gol"), _("Jabatan"), _("Kelas"), _("Pagu (Rp)"), _("Dasar (Rp)"),
            _("% kinerja"), _("Kinerja (Rp)"), _("Bagian disiplin (Rp)"), _("Potongan disiplin (Rp)"),
            _("Bagian ketiga (Rp)"), _("Kotor (Rp)"), _("Hukuman (Rp)"), _("Bersih (Rp)")]


def nominative_values(number: int, item: Computed) -> list:
    person, result = item.person, item.result
    return [number, person.name, person.id_number, person.grade, person.position, person.class_grade,
            person.ceiling, result.base, percent(result.kinerja_rate), result.kinerja, result.discipline_share,
            result.discipline_cuts, result.third, result.gross, result.penalty, result.net]


def nominative_xlsx(listing: AgencyList) -> bytes:
    with force_locale("id"):
        rows = [nominative_values(number, item) for number, item in enumerate(listing.rows, start=1)]
        summed = totals(item.result for item in listing.rows)
        rows.append(["", _("Jumlah"), "", "", "", "", "", summed["base"], "", summed["kinerja"],
                     summed["discipline_share"], summed["discipline_cuts"], summed["third"], summed["gross"],
                     summed["penalty"], summed["net"]])
        return xlsx_bytes(f"TPP {listing.agency.short_name}", nominative_headers(), rows,
                          widths=(5, 32, 20, 6, 30, 6, 13, 13, 9, 13, 13, 13, 13, 13, 13, 13))


def payroll_headers() -> list[str]:
    return [_("NIP"), _("Nama"), _("Kode OPD"), _("Kotor"), _("Potongan terlambat/pulang cepat"),
            _("Potongan tidak presensi"), _("Potongan tanpa keterangan"), _("Hukuman disiplin"), _("Bersih")]


def payroll_values(item: Computed, code: str) -> list:
    """One payroll line: gross, each kind of deduction, net (whole Rupiah)."""
    cuts = {"time": 0, "missing": 0, "absent": 0}
    for line in item.result.lines:
        if line.code in ("late", "early"):
            cuts["time"] -= line.amount
        elif line.code in ("no_check_in", "no_check_out"):
            cuts["missing"] -= line.amount
        elif line.code == "absent":
            cuts["absent"] -= line.amount
        elif line.code == "cap":  # the cap gives back what went over the discipline share: from the last kinds
            back = line.amount
            for key in ("absent", "missing", "time"):
                taken = min(back, cuts[key])
                cuts[key] -= taken
                back -= taken
    result = item.result
    return [item.person.id_number, item.person.name, code, result.gross, cuts["time"], cuts["missing"],
            cuts["absent"], result.penalty, result.net]


def payroll_rows(first: date, today: date, agency_ids: list[int] | None) -> list[list]:
    """Every employee of the agencies (all when None), by agency code; locked agencies from their slips."""
    months = services.agencies_month(first, today, agency_ids)
    codes = dict(db.session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(list(months)))).all())
    return [payroll_values(item, codes[agency_id]) for agency_id in sorted(months, key=lambda key: codes[key])
            for item in months[agency_id][0]]


def payroll_file(rows: list[list], kind: str) -> bytes:
    with force_locale("id"):
        if kind == "csv":
            return csv_bytes(payroll_headers(), rows)
        return xlsx_bytes(_("Berkas gaji TPP"), payroll_headers(), rows, widths=(20, 32, 12, 13, 13, 13, 13, 13, 13))
