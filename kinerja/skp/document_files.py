"""The SKP and evaluation documents as files: PDF through the reports' safe renderer, XLSX with openpyxl in the
same style as the monthly report workbook. Writers take the frozen documents of kinerja.skp.documents."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from kinerja.exports import sheet_title
from kinerja.reports import xlsx as book
from kinerja.reports.pdf import logo_src, page_css, qr_svg, render_html
from kinerja.reports.render import render_pdf
from kinerja.skp.documents import EvaluationDocument, Header, RhkRow, SkpDocument

UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)
# No | RHK pimpinan | RHK | Aspek | IKI | Target | Realisasi | Umpan balik
WIDTHS = (5, 30, 30, 11, 30, 14, 16, 30)


def file_name(title: str, header: Header, period: str, suffix: str) -> str:
    """'SKP 2026 198703152010012003 Siti Rahmawati.pdf' (nothing a file system refuses)."""
    name = UNSAFE_NAME.sub("", header.employee.name.split(",")[0]).strip()
    return f"{title} {UNSAFE_NAME.sub('', period)} {header.employee.id_number} {name}{suffix}"


def _html(template: str, doc, code: str, verify_url: str) -> str:
    with force_locale("id"):
        return render_html(template, {"doc": doc, "logo": logo_src(doc.header.logo), "page_css": page_css(),
                                      "code": code, "verify_url": verify_url,
                                      "qr": qr_svg(verify_url) if code else ""})


def skp_pdf(doc: SkpDocument, code: str = "", verify_url: str = "") -> bytes:
    """The SKP as PDF; with a verification code and its QR code when it is stored to be signed electronically."""
    return render_pdf(_html("reports/skp.html", doc, code, verify_url))


def evaluation_pdf(doc: EvaluationDocument, code: str = "", verify_url: str = "") -> bytes:
    return render_pdf(_html("reports/skp_evaluation.html", doc, code, verify_url))


def _start(title: str, header: Header, lines: Sequence[str], draft: bool) -> tuple[Workbook, book.SheetWriter]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    page = book.SheetWriter(sheet, WIDTHS)
    page.line(header.regency.upper(), font=book.KOP_FONT)
    page.line(header.agency.upper(), font=book.KOP_FONT)
    page.skip()
    page.line(title.upper(), font=book.TITLE_FONT, height=20)
    for text in lines:
        page.line(text, font=book.BOLD)
    if draft:
        page.line(_("DRAF"), font=book.BOLD, fill=book.DRAFT_FILL)
    page.skip()
    _identity(page, header)
    return workbook, page


def _identity(page: book.SheetWriter, header: Header) -> None:
    page.put(1, _("NO"), font=book.BOLD, fill=book.HEADER_FILL, border=True, alignment=book.CENTER)
    page.put(2, _("PEGAWAI YANG DINILAI"), last=4, font=book.BOLD, fill=book.HEADER_FILL, border=True,
             alignment=book.CENTER)
    page.put(5, _("PEJABAT PENILAI KINERJA"), last=8, font=book.BOLD, fill=book.HEADER_FILL, border=True,
             alignment=book.CENTER)
    page.skip()
    employee, appraiser = header.employee, header.appraiser
    for number, (label, mine, theirs) in enumerate((
        (_("NAMA"), employee.name, appraiser.name if appraiser else "-"),
        (_("NIP"), employee.id_number, appraiser.id_number if appraiser else "-"),
        (_("PANGKAT/GOL. RUANG"), employee.rank, appraiser.rank if appraiser else "-"),
        (_("JABATAN"), employee.position, appraiser.position if appraiser else "-"),
        (_("UNIT KERJA"), employee.unit, appraiser.unit if appraiser else "-"),
    ), start=1):
        page.put(1, number, border=True)
        page.put(2, label, border=True)
        page.put(3, mine, last=4, border=True, alignment=book.WRAP)
        page.put(5, label, border=True)
        page.put(6, theirs, last=8, border=True, alignment=book.WRAP)
        page.fit_height((mine, page.width(3, 4)), (theirs, page.width(6, 8)))
        page.skip()
    page.skip()


def _table_header(page: book.SheetWriter, labels: Sequence[str]) -> int:
    """A header row; with fewer labels than columns the last one spans the rest."""
    header_row = page.row
    _row(page, labels, font=book.BOLD, fill=book.HEADER_FILL, alignment=book.CENTER)
    page.sheet.row_dimensions[header_row].height = book.LINE_HEIGHT * 3
    return header_row


def _row(page: book.SheetWriter, values: Sequence, *, font=None, fill=None, alignment=None) -> None:
    """One bordered row of the table; with fewer values than columns the last one spans the rest."""
    for column, value in enumerate(values, start=1):
        last = page.last_column if column == len(values) else None
        page.put(column, value, last=last, border=True, font=font, fill=fill,
                 alignment=alignment or (book.TOP if column == 1 else book.WRAP))
    page.fit_height(*((str(value), page.width(column, page.last_column if column == len(values) else column))
                      for column, value in enumerate(values, start=1)))
    page.skip()


def _behaviours(page: book.SheetWriter, doc) -> None:
    book.section_row(page, _("PERILAKU KERJA"))
    page.put(1, _("NO"), font=book.BOLD, fill=book.HEADER_FILL, border=True, alignment=book.CENTER)
    page.put(2, _("PERILAKU KERJA"), last=3, font=book.BOLD, fill=book.HEADER_FILL, border=True,
             alignment=book.CENTER)
    page.put(4, _("EKSPEKTASI KHUSUS PIMPINAN"), last=8, font=book.BOLD, fill=book.HEADER_FILL, border=True,
             alignment=book.CENTER)
    page.skip()
    for number, behaviour in enumerate(doc.behaviours, start=1):
        page.put(1, number, border=True)
        page.put(2, behaviour.value, last=3, border=True)
        page.put(4, behaviour.expectation or "-", last=8, border=True, alignment=book.WRAP)
        page.fit_height((behaviour.expectation, page.width(4, 8)))
        page.skip()
    page.skip()


def _signatures(page: book.SheetWriter, header: Header) -> None:
    appraiser = header.appraiser
    page.put(5, f"{header.city}, {header.signature_date}", last=8, alignment=book.CENTER)
    page.skip()
    page.put(1, _("Pegawai yang Dinilai"), last=4, alignment=book.CENTER)
    title = _("Pejabat Penilai Kinerja")
    page.put(5, book.signing_title(appraiser, title) if appraiser else title, last=8, alignment=book.CENTER)
    page.skip(4)
    page.put(1, header.employee.name, last=4, font=book.NAME_FONT, alignment=book.CENTER)
    page.put(5, appraiser.name if appraiser else "(" + "." * 48 + ")", last=8, font=book.NAME_FONT,
             alignment=book.CENTER)
    page.skip()
    page.put(1, book.id_line(header.employee), last=4, alignment=book.CENTER)
    page.put(5, book.id_line(appraiser), last=8, alignment=book.CENTER)
    page.skip(2)


def _finish(workbook: Workbook, page: book.SheetWriter, header_row: int, draft: bool) -> bytes:
    sheet = page.sheet
    book.print_setup(sheet, landscape=True, title_rows=f"{header_row}:{header_row}")
    if draft:
        sheet.oddHeader.right.text = _("DRAF")
    sheet.print_area = f"A1:{get_column_letter(page.last_column)}{page.row - 1}"
    return book.workbook_bytes(workbook)


def _plan_rows(page: book.SheetWriter, title: str, rows: tuple[RhkRow, ...]) -> None:
    page.put(1, title, last=page.last_column, font=book.BOLD, fill=book.SECTION_FILL, border=True)
    page.skip()
    for number, row in enumerate(rows, start=1):
        for iki in row.indicators or [None]:
            _row(page, (number, row.parent, row.text, iki.aspect if iki else "", iki.text if iki else "-",
                        iki.target if iki else ""))
    if not rows:
        page.put(1, _("Tidak ada RHK"), last=page.last_column, border=True, alignment=book.CENTER)
        page.skip()


def skp_xlsx(doc: SkpDocument) -> bytes:
    """The SKP as a workbook: the same sections as the PDF, A4 landscape fitted to width."""
    with force_locale("id"):
        workbook, page = _start(_("Sasaran Kinerja Pegawai"), doc.header, (
            _("PENDEKATAN HASIL KERJA KUANTITATIF"),
            _("PERIODE PENILAIAN: %(period)s", period=doc.period_label),
            f"{_('Versi %(version)s', version=doc.version)} · {doc.status_label}"), doc.is_draft)
        book.section_row(page, _("HASIL KERJA"))
        header_row = _table_header(page, (
            _("NO"), _("RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI"), _("RENCANA HASIL KERJA"), _("ASPEK"),
            _("INDIKATOR KINERJA INDIVIDU"), _("TARGET")))
        _plan_rows(page, _("A. Utama"), doc.main)
        _plan_rows(page, _("B. Tambahan"), doc.additional)
        page.skip()
        _behaviours(page, doc)
        _signatures(page, doc.header)
        book.section_row(page, _("LAMPIRAN SASARAN KINERJA PEGAWAI"))
        for label, text in doc.lampiran:
            page.put(1, label.upper(), last=page.last_column, font=book.BOLD)
            page.skip()
            page.put(1, text or "-", last=page.last_column, alignment=book.WRAP)
            page.fit_height((text, page.width(1, page.last_column)))
            page.skip()
        sheet = page.sheet
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
        return _finish(workbook, page, header_row, doc.is_draft)


def evaluation_xlsx(doc: EvaluationDocument) -> bytes:
    """The evaluation as a workbook: realisation and feedback per IKI, ratings, predikat, signatures."""
    with force_locale("id"):
        workbook, page = _start(_("Evaluasi Kinerja Pegawai"), doc.header, (
            _("PERIODE: %(kind)s", kind=doc.period_kind),
            _("PERIODE PENILAIAN: %(period)s", period=doc.period_label)), doc.is_draft)
        book.labelled_row(page, _("CAPAIAN KINERJA ORGANISASI"), doc.organisation_predikat)
        page.skip()
        book.section_row(page, _("HASIL KERJA"))
        header_row = _table_header(page, (
            _("NO"), _("RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI"), _("RENCANA HASIL KERJA"), _("ASPEK"),
            _("INDIKATOR KINERJA INDIVIDU"), _("TARGET"), _("REALISASI BERDASARKAN BUKTI DUKUNG"),
            _("UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG")))
        for number, row in enumerate(doc.results, start=1):
            _row(page, (number, row.parent, f"{row.rhk} ({row.kind.label})", row.aspect, row.indicator,
                        row.target, row.realised, row.feedback))
        if not doc.results:
            page.put(1, _("Tidak ada indikator kinerja"), last=page.last_column, border=True, alignment=book.CENTER)
            page.skip()
        unrated = _("Belum dinilai")
        book.labelled_row(page, _("RATING HASIL KERJA"), doc.rating_result or unrated)
        page.skip()
        _behaviours(page, doc)
        book.labelled_row(page, _("RATING PERILAKU KERJA"), doc.rating_behaviour or unrated)
        book.labelled_row(page, _("PREDIKAT KINERJA PEGAWAI"), doc.predikat or unrated)
        for month, predikat in doc.months:
            book.labelled_row(page, month, predikat)
        page.skip()
        _signatures(page, doc.header)
        sheet = page.sheet
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
        return _finish(workbook, page, header_row, doc.is_draft)
