"""TPP outputs: the daftar nominatif of an agency (PDF in the official layout, XLSX), the regency recap workbook,
the payroll file (XLSX, CSV) and each employee's slip with its explanation (PDF, one or an agency's bundle).
PDFs go through the reports' safe renderer, tables through the formula-safe writers; each is built by one
`*_file` function, run as a background job (kinerja/tpp/tasks.py) or by `flask tpp export`
(kinerja/tpp/commands.py), from the same rows the pages show (services.agencies_month / person_month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from kinerja import clock
from kinerja.core.signatory import acting_title
from kinerja.errors import ValidationFailed
from kinerja.exports import Sheet, csv_bytes, xlsx_bytes, xlsx_sheets_bytes
from kinerja.extensions import db
from kinerja.i18n import format_date, format_datetime
from kinerja.models import Agency, Employee, TppPeriod
from kinerja.reports.data import people, regency_info, signature_date, signers
from kinerja.reports.pdf import logo_src, page_css, qr_svg, render_html
from kinerja.reports.render import render_pdf
from kinerja.tpp import services
from kinerja.tpp.engine import LineKind, Result, totals
from kinerja.tpp.explain import cut_dates, describe, percent, rupiah
from kinerja.tpp.month import Computed, scope_ids
from kinerja.tpp.rules import grouped, rule_set_for
from kinerja.workcalendar import month_days


@dataclass(frozen=True)
class OutputFile:
    name: str  # the file name written (job folder, `flask tpp export --out`)
    title: str  # the name offered for download
    content: bytes


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


def nominative_pdf(listing: AgencyList, today: date, code: str = "", verify_url: str = "") -> bytes:
    """The daftar nominatif TPP, A4 landscape, signed by the bendahara and the Kepala OPD (or their Plh/Plt); with
    a verification code and its QR code when it is stored to be signed electronically."""
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
            "money": grouped, "code": code, "verify_url": verify_url, "qr": qr_svg(verify_url) if code else "",
            "page_css": page_css(_("Daftar nominatif TPP %(agency)s %(period)s",
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


NOMINATIVE_WIDTHS = (5, 32, 20, 6, 30, 6, 13, 13, 9, 13, 13, 13, 13, 13, 13, 13)


def nominative_rows(items: list[Computed]) -> list[list]:
    """One line per employee and the total line (the sums of the lines above)."""
    rows = [nominative_values(number, item) for number, item in enumerate(items, start=1)]
    summed = totals(item.result for item in items)
    rows.append(["", _("Jumlah"), "", "", "", "", "", summed["base"], "", summed["kinerja"],
                 summed["discipline_share"], summed["discipline_cuts"], summed["third"], summed["gross"],
                 summed["penalty"], summed["net"]])
    return rows


def nominative_xlsx(listing: AgencyList) -> bytes:
    with force_locale("id"):
        return xlsx_bytes(f"TPP {listing.agency.short_name}", nominative_headers(), nominative_rows(listing.rows),
                          widths=NOMINATIVE_WIDTHS)


def nominative_file(agency: Agency, first: date, today: date, kind: str) -> OutputFile:
    """The daftar nominatif of the agency, `kind` "pdf" or "xlsx"."""
    listing = agency_list(agency, first, today)
    content = nominative_pdf(listing, today) if kind == "pdf" else nominative_xlsx(listing)
    return OutputFile(f"tpp-nominatif-{agency.code}-{first:%Y-%m}.{kind}",
                      f"Daftar nominatif TPP {agency.code} {first:%Y-%m}.{kind}", content)


def payroll_headers() -> list[str]:
    return [_("NIP"), _("Nama"), _("Kode OPD"), _("Kotor"), _("Potongan terlambat/pulang cepat"),
            _("Potongan tidak presensi"), _("Potongan tanpa keterangan"), _("Hukuman disiplin"), _("Bersih"),
            _("Nama bank"), _("Nomor rekening")]


PAYROLL_ACCOUNT_COLUMN = 10  # formatted as text: an account number keeps its leading zeros and every digit


def payroll_values(item: Computed, code: str, bank: tuple[str | None, str | None] = (None, None)) -> list:
    """One payroll line: gross, each kind of deduction, net (whole Rupiah), the bank and account (empty when not
    recorded)."""
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
            cuts["absent"], result.penalty, result.net, bank[0] or "", bank[1] or ""]


def bank_accounts(first: date, agency_ids: list[int] | None) -> dict[int, tuple[str, str]]:
    """The recorded bank and account of everyone assigned in the month to the agencies (all when None), in one
    query (the employees are a subquery, never a list of ids)."""
    last = month_days(first.year, first.month)[1]
    return {row.id: (row.bank_name, row.bank_account) for row in db.session.execute(
        select(Employee.id, Employee.bank_name, Employee.bank_account)
        .where(Employee.id.in_(scope_ids(first, last, agency_ids, None)), Employee.bank_account.is_not(None)))}


def payroll_rows(first: date, today: date, agency_ids: list[int] | None) -> list[list]:
    """Every employee of the agencies (all when None), by agency code; locked agencies from their slips."""
    months = services.agencies_month(first, today, agency_ids)
    codes = dict(db.session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(list(months)))).all())
    banks = bank_accounts(first, agency_ids)
    return [payroll_values(item, codes[agency_id], banks.get(item.person.employee_id, (None, None)))
            for agency_id in sorted(months, key=lambda key: codes[key]) for item in months[agency_id][0]]


def payroll_file(rows: list[list], kind: str) -> bytes:
    with force_locale("id"):
        if kind == "csv":
            return csv_bytes(payroll_headers(), rows)
        return xlsx_bytes(_("Berkas gaji TPP"), payroll_headers(), rows,
                          widths=(20, 32, 12, 13, 13, 13, 13, 13, 13, 18, 22),
                          text_columns={0, PAYROLL_ACCOUNT_COLUMN})


def payroll_export(first: date, today: date, agency: Agency | None, kind: str) -> OutputFile:
    """The payroll file of one agency or of every agency (None), `kind` "xlsx" or "csv"."""
    rows = payroll_rows(first, today, [agency.id] if agency else None)
    scope = agency.code if agency else "semua-OPD"
    return OutputFile(f"tpp-gaji-{scope}-{first:%Y-%m}.{kind}", f"Berkas gaji TPP {scope} {first:%Y-%m}.{kind}",
                      payroll_file(rows, kind))


# --- The regency recap ------------------------------------------------------------------------------------------

RECAP_KEYS = ("base", "kinerja", "discipline_share", "discipline_cuts", "third", "gross", "penalty", "net")


def recap_headers() -> list[str]:
    return [_("Kode OPD"), _("Nama OPD"), _("Pegawai"), _("Dasar (Rp)"), _("Kinerja (Rp)"),
            _("Bagian disiplin (Rp)"), _("Potongan disiplin (Rp)"), _("Bagian ketiga (Rp)"), _("Kotor (Rp)"),
            _("Hukuman (Rp)"), _("Bersih (Rp)"), _("Status"), _("Dikunci pada")]


def locked_local(period: TppPeriod | None) -> datetime | None:
    """When the month was locked, in the regency's time (a spreadsheet has no time zones)."""
    if period is None:
        return None
    return period.locked_at.astimezone(clock.zone()).replace(tzinfo=None, microsecond=0)


def recap_xlsx(first: date, today: date) -> bytes:
    """The regency's month: a "Rekap" sheet with one line per agency and the total line (the sums of the lines
    above), then one sheet per agency with its employees as in the daftar nominatif. Locked agencies from their
    slips, the others computed now, all in a fixed number of queries."""
    months = services.agencies_month(first, today)
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.code)))
    with force_locale("id"):
        recap, summed = [], dict.fromkeys(RECAP_KEYS, 0)
        staff = 0
        for agency in agencies:
            items, period = months.get(agency.id, ([], None))
            total = totals(item.result for item in items)
            staff += len(items)
            for key in RECAP_KEYS:
                summed[key] += total[key]
            recap.append([agency.code, agency.name, len(items), *(total[key] for key in RECAP_KEYS),
                          _("Dikunci") if period else _("Pratinjau"), locked_local(period)])
        recap.append(["", _("Jumlah"), staff, *(summed[key] for key in RECAP_KEYS), "", None])
        sheets = [Sheet(_("Rekap"), recap_headers(), recap, widths=(12, 40, 9, 15, 15, 15, 15, 15, 15, 15, 15, 11, 17),
                        text_columns={0})]
        sheets += [Sheet(agency.code, nominative_headers(), nominative_rows(months.get(agency.id, ([], None))[0]),
                         widths=NOMINATIVE_WIDTHS) for agency in agencies]
        return xlsx_sheets_bytes(sheets)


def recap_file(first: date, today: date) -> OutputFile:
    return OutputFile(f"tpp-rekap-{first:%Y-%m}.xlsx", f"Rekap TPP {first:%Y-%m}.xlsx", recap_xlsx(first, today))


# --- Slips --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipLine:
    text: str
    dates: str  # the days a deduction counted, "3, 4, 10"
    amount: int | None  # None for a line that only explains


@dataclass(frozen=True)
class Slip:
    """One employee's month as the slip shows it."""

    name: str
    id_number: str
    grade: str
    position: str
    class_grade: int
    agency: str
    bank: str  # "Bank X 0123456789", or "" when not recorded
    result: Result
    lines: list[SlipLine]
    locked_at: str  # "8 Desember 2026 10.00 WIB", or "" for a preview
    reference: str


def slip_lines(result: Result) -> list[SlipLine]:
    """Every line as the explanation words it (kinerja/tpp/explain.py), with the amount it adds or takes."""
    return [SlipLine(describe(line), cut_dates(line) if line.params.get("dates") else "",
                     line.amount if line.kind is not LineKind.INFO or line.code == "base" else None)
            for line in result.lines]


def make_slip(item: Computed, agency: Agency, period: TppPeriod | None, reference: str,
              bank: tuple[str | None, str | None]) -> Slip:
    person = item.person
    return Slip(person.name, person.id_number, person.grade, person.position, person.class_grade, agency.name,
                f"{bank[0]} {bank[1]}" if bank[1] else "", item.result, slip_lines(item.result),
                format_datetime(period.locked_at) if period else "", reference)


def slips_pdf(first: date, slips: list[Slip]) -> bytes:
    """The slips, one per page (A4 portrait), each marked locked or SEMENTARA (a preview that may still change)."""
    regency = regency_info()
    html = render_html("tpp/slip_pdf.html", {
        "regency": regency, "logo": logo_src(regency.logo), "slips": slips,
        "period_label": format_date(first, "MMMM y"), "money": rupiah,
        "page_css": page_css(_("Slip TPP %(period)s", period=format_date(first, "MMMM y")))})
    return render_pdf(html)


def employee_slip_file(employee_id: int, first: date, today: date) -> OutputFile:
    """One employee's slip: the locked slip when their agency's month is locked, else computed now."""
    found = services.person_month(employee_id, first, today)
    if found.row is None or found.rule_set is None:
        raise ValidationFailed(_("Tidak ada TPP bulan %(month)s untuk pegawai ini.",
                                 month=format_date(first, "MMMM y")))
    person = found.row.person
    agency = db.session.get(Agency, person.agency_id)
    bank = db.session.execute(select(Employee.bank_name, Employee.bank_account)
                              .where(Employee.id == employee_id)).one()
    with force_locale("id"):
        slip = make_slip(found.row, agency, found.period, found.rule_set.reference, tuple(bank))
        content = slips_pdf(first, [slip])
    return OutputFile(f"tpp-slip-{person.id_number}-{first:%Y-%m}.pdf",
                      f"Slip TPP {person.id_number} {first:%Y-%m}.pdf", content)


def agency_slips_file(agency: Agency, first: date, today: date) -> OutputFile:
    """Every slip of the agency's month in one PDF, one slip per page, in the order of the daftar nominatif."""
    rows, period = services.agency_month(agency, first, today)
    rule_set = period.rule_set if period is not None else rule_set_for(first)
    reference = rule_set.reference if rule_set else "-"
    banks = bank_accounts(first, [agency.id])
    with force_locale("id"):
        slips = [make_slip(item, agency, period, reference, banks.get(item.person.employee_id, (None, None)))
                 for item in rows]
        content = slips_pdf(first, slips)
    return OutputFile(f"tpp-slip-{agency.code}-{first:%Y-%m}.pdf", f"Slip TPP {agency.code} {first:%Y-%m}.pdf",
                      content)
