"""The XLSX side of the monthly reports: the employee's report, the agency recap, BKD's regency workbook and the
BKN e-Kinerja daily-progress export.

Writers take the frozen data of kinerja.reports.model and never query. Headings are Indonesian msgids through
Flask-Babel, rendered under `force_locale("id")` (official documents are Indonesian), so an app context is needed.
All user text goes through `exports.safe_text` (a formula stays text; control characters are removed).

The two small workbooks (employee, agency recap) use openpyxl's normal mode (merged cells, a signature block),
written through SheetWriter and the row helpers next to it, which the SKP documents share
(kinerja.skp.document_files).
The two large ones (regency, BKN) are streamed with XlsxWriter's constant_memory mode, at flat memory: each sheet
goes to its own temporary file, row by row, and the workbook is zipped when closed.
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from datetime import date, time
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet as XlsxSheet

from kinerja.core.signatory import acting_title
from kinerja.exports import safe_text, safe_value, sheet_title, unique_sheet_title
from kinerja.reports.model import BKN_HEADER, AgencyRecap, BknRow, EmployeeMonth, Person, RecapRow

# Excel's row limit per sheet (header included). Tests lower it to prove the BKN export splits across sheets.
MAX_SHEET_ROWS = 1_048_576
# A sheet's XML must stay under 2 GiB (a bigger zip entry needs ZIP64, which Excel reads badly, and XlsxWriter
# refuses it without use_zip64): the BKN export starts a new sheet before, should very long texts make 1 M rows
# that big (estimated from the text, see bkn_xlsx).
MAX_SHEET_BYTES = 1_900_000_000
PROGRESS_EVERY = 1_000
MODES = ("WFO", "WFH", "DL")
PREDIKAT_CODES = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")

DATE_FORMAT = "DD/MM/YYYY"
TIME_FORMAT = "HH:MM"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
DRAFT_FILL = PatternFill("solid", fgColor="F8CBAD")
FINAL_FILL = PatternFill("solid", fgColor="C6EFCE")
BOLD = Font(bold=True)
KOP_FONT = Font(bold=True, size=12)
TITLE_FONT = Font(bold=True, size=14)
NAME_FONT = Font(bold=True, underline="single")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")
LINE_HEIGHT = 15.0  # points per line of 11-point text


Output = BinaryIO | str | Path


# ----------------------------------------------------------------------------------------------------------------
# Shared helpers


def _text(value: str | None) -> str:
    return safe_text(value or "")


def _fraction(percent: float) -> float:
    """A percentage (0..100) as the fraction Excel's "0.0%" format expects."""
    return percent / 100.0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def signing_title(person: Person, default: str) -> str:
    """`default` for the titular signer; the acting one's own position, "Plh./Plt." first, when standing in."""
    if not person.acting:
        return default
    position = person.position or default
    return position if position.startswith(person.acting) else acting_title(person.acting, position)


def id_line(person: Person | None) -> str:
    """"NIP 1987..." under a signature, as the PDF; dots to fill in by hand without a known signer."""
    if person is None:
        return f"{_('NIP')} " + "." * 40
    return f"{person.id_label} {person.id_number}"


def print_setup(sheet, *, landscape: bool, title_rows: str | None) -> None:
    """A4, fit to one page wide (any number of pages tall), sensible margins, page numbers in the footer."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = _("Halaman &P dari &N")


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _estimated_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a (merged) cell `width` characters wide: Excel never autofits merged cells."""
    per_line = max(1, int(width * 1.1))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in (text or "").split("\n"))


class SheetWriter:
    """A normal-mode sheet written top to bottom: a row cursor plus the column widths of the layout."""

    def __init__(self, sheet, widths: Sequence[float]):
        self.sheet = sheet
        self.widths = list(widths)
        self.row = 1
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    @property
    def last_column(self) -> int:
        return len(self.widths)

    def width(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1:last])

    def put(self, column: int, value, *, last: int | None = None, font=None, fill=None, alignment=None,
            border: bool = False, number_format: str | None = None):
        """One value at (current row, column), merged up to column `last` if given."""
        cell = self.sheet.cell(row=self.row, column=column, value=safe_value(value))
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        if last is not None and last > column:
            self.sheet.merge_cells(start_row=self.row, start_column=column, end_row=self.row, end_column=last)
        if border:
            for index in range(column, (last or column) + 1):
                self.sheet.cell(row=self.row, column=index).border = BORDER
        return cell

    def line(self, value, *, font=None, alignment=CENTER, fill=None, height: float | None = None):
        """A full-width merged line (kop, titles)."""
        self.put(1, value, last=self.last_column, font=font, alignment=alignment, fill=fill)
        if height:
            self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def fit_height(self, *texts_and_widths: tuple[str, float]) -> None:
        lines = max(_estimated_lines(text, width) for text, width in texts_and_widths)
        if lines > 1:
            self.sheet.row_dimensions[self.row].height = LINE_HEIGHT * lines

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def header(self, labels: Sequence[str]) -> int:
        """A bold, filled, bordered header row across the columns; returns its row number."""
        for column, label in enumerate(labels, start=1):
            self.put(column, label, font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=True)
        header_row = self.row
        self.row += 1
        return header_row


# ----------------------------------------------------------------------------------------------------------------
# Employee monthly report (the same sections and wording as templates/reports/_employee_body.html)

# No | Tanggal | Waktu | Uraian kegiatan | Output | Satuan | Mode | Status
EMPLOYEE_WIDTHS = (5, 12, 13, 52, 9, 12, 7, 14)
LABEL_FIRST, LABEL_LAST = 1, 3  # identity labels: A:C
EMPLOYEE_VALUE = (4, 4)  # the employee's column: D
APPRAISER_VALUE = (5, 8)  # the appraiser's columns: E:H
MINUTES_FORMAT = '#,##0 "menit"'


def employee_xlsx(month: EmployeeMonth, *, code: str, verify_url: str) -> bytes:
    """The laporan kinerja bulanan as a workbook: same content as the official PDF, printable on A4 portrait."""
    with force_locale("id"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_title(_("Laporan"))
        page = SheetWriter(sheet, EMPLOYEE_WIDTHS)
        _employee_heading(page, month)
        _employee_identity(page, month)
        header_row = _employee_activities(page, month)
        _employee_summary(page, month)
        _employee_indicators(page, month)
        _employee_evaluation(page, month)
        _employee_signatures(page, month)
        _employee_verification(page, code, verify_url)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
        print_setup(sheet, landscape=False, title_rows=f"{header_row}:{header_row}")
        if month.is_draft:  # on every printed page, as the PDF's DRAF stamp
            sheet.oddHeader.right.text = _("DRAF")
        sheet.print_area = f"A1:{get_column_letter(page.last_column)}{page.row - 1}"
        workbook.properties.title = f"{_('Laporan kinerja bulanan')} {month.period_label}"
        return workbook_bytes(workbook)


def _percent_target() -> str:
    """The PDF's msgid, written "%% target" for Jinja's formatting, which plain gettext() does not do."""
    return _("%% target").replace("%%", "%")


def _status_text(month: EmployeeMonth) -> str:
    return _("DRAF (belum semua kegiatan disetujui)") if month.is_draft else _("FINAL (semua kegiatan disetujui)")


def _employee_heading(page: SheetWriter, month: EmployeeMonth) -> None:
    page.line(month.regency.upper(), font=KOP_FONT)
    page.line(month.agency_name.upper(), font=KOP_FONT)
    page.skip()
    page.line(_("LAPORAN KINERJA BULANAN"), font=TITLE_FONT, height=20)
    page.line(_("Periode: %(period)s", period=month.period_label), font=BOLD)
    page.line(_status_text(month), font=BOLD, fill=DRAFT_FILL if month.is_draft else FINAL_FILL)
    page.skip()


def _employee_identity(page: SheetWriter, month: EmployeeMonth) -> None:
    """The two identity blocks side by side: labels, the employee, the appraiser (blank when outside the system)."""
    employee, appraiser = month.employee, month.appraiser
    page.put(LABEL_FIRST, "", last=LABEL_LAST, fill=SECTION_FILL, border=True)
    page.put(EMPLOYEE_VALUE[0], _("Pegawai yang dinilai"), last=EMPLOYEE_VALUE[1], font=BOLD, fill=SECTION_FILL,
             alignment=CENTER, border=True)
    page.put(APPRAISER_VALUE[0], _("Pejabat penilai kinerja"), last=APPRAISER_VALUE[1], font=BOLD,
             fill=SECTION_FILL, alignment=CENTER, border=True)
    page.skip()
    id_label = employee.id_label
    if appraiser is not None and appraiser.id_label != employee.id_label:  # NIP / NIK: say both
        id_label = f"{employee.id_label} / {appraiser.id_label}"
    rows = (
        (_("Nama"), employee.name, appraiser.name if appraiser else ""),
        (id_label, employee.id_number, appraiser.id_number if appraiser else ""),
        (_("Pangkat/Gol."), employee.rank, appraiser.rank if appraiser else ""),
        (_("Jabatan"), employee.position, appraiser.position if appraiser else ""),
        (_("Unit kerja"), employee.unit, appraiser.unit if appraiser else ""),
    )
    for label, mine, theirs in rows:
        page.put(LABEL_FIRST, label, last=LABEL_LAST, font=BOLD, alignment=WRAP, border=True)
        page.put(EMPLOYEE_VALUE[0], mine, last=EMPLOYEE_VALUE[1], alignment=WRAP, border=True)
        page.put(APPRAISER_VALUE[0], theirs, last=APPRAISER_VALUE[1], alignment=WRAP, border=True)
        page.fit_height((mine, page.width(*EMPLOYEE_VALUE)), (theirs, page.width(*APPRAISER_VALUE)))
        page.skip()
    if month.earlier_appraisers:
        text = _("Pejabat penilai lain dalam bulan ini: %(names)s", names=", ".join(month.earlier_appraisers))
        page.put(1, text, last=page.last_column, alignment=WRAP)
        page.fit_height((text, page.width(1, page.last_column)))
        page.skip()
    page.skip()


def _employee_activities(page: SheetWriter, month: EmployeeMonth) -> int:
    section_row(page, _("A. Kegiatan harian"))
    header_row = page.header((_("No"), _("Tanggal"), _("Waktu"), _("Uraian kegiatan"), _("Output"), _("Satuan"),
                              _("Mode"), _("Status")))
    sheet = page.sheet
    for number, line in enumerate(month.activities, start=1):
        row = page.row
        values = (number, line.day, f"{line.start:%H:%M}–{line.end:%H:%M}", safe_text(line.description),
                  line.quantity, safe_text(line.unit), safe_text(line.mode), safe_text(line.status_label))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = BORDER
            cell.alignment = WRAP if column == 4 else TOP
        sheet.cell(row=row, column=2).number_format = DATE_FORMAT
        page.skip()
    if not month.activities:
        page.put(1, _("Tidak ada kegiatan"), last=page.last_column, alignment=CENTER, border=True)
        page.skip()
    page.skip()
    return header_row


def section_row(page: SheetWriter, title: str) -> None:
    page.put(1, title, last=page.last_column, font=BOLD, fill=SECTION_FILL, border=True)
    page.skip()


def labelled_row(page: SheetWriter, label: str, value, number_format: str | None = None) -> None:
    page.put(1, label, last=3, border=True)
    page.put(4, value, number_format=number_format, border=True, alignment=Alignment(horizontal="left"))
    page.skip()


def _employee_summary(page: SheetWriter, month: EmployeeMonth) -> None:
    section_row(page, _("B. Ringkasan bulan"))
    labelled_row(page, _("Hari kerja"), month.working_days)
    labelled_row(page, _("Hari mengisi"), month.days_filed)
    labelled_row(page, _("Menit efektif disetujui"), month.approved_minutes, INTEGER_FORMAT)
    labelled_row(page, _("Target menit"), month.target_minutes, INTEGER_FORMAT)
    labelled_row(page, _percent_target(), _fraction(month.minutes_percent), PERCENT_FORMAT)
    labelled_row(page, _("Menit diajukan"), month.filed_minutes, INTEGER_FORMAT)
    for mode in MODES:
        labelled_row(page, f"{_('Hari kegiatan per mode')}: {mode}", month.mode_days.get(mode, 0))
    for mode in MODES:
        labelled_row(page, f"{_('Presensi per mode')}: {mode}", month.attendance_days.get(mode, 0))
    labelled_row(page, _("Terlambat"), month.late_minutes, MINUTES_FORMAT)
    labelled_row(page, _("Status dokumen"), month.status_label)
    page.skip()


def _employee_indicators(page: SheetWriter, month: EmployeeMonth) -> None:
    section_row(page, _("C. Realisasi SKP"))
    # No | Rencana hasil kerja (B:C) | Indikator kinerja individu (D) | Target | Realisasi | Penyesuaian | Total
    page.put(1, _("No"), font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=True)
    page.put(2, _("Rencana hasil kerja"), last=3, font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=True)
    for column, label in ((4, _("Indikator kinerja individu")), (5, _("Target")), (6, _("Realisasi")),
                          (7, _("Penyesuaian")), (8, _("Total"))):
        page.put(column, label, font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=True)
    page.skip()
    for number, indicator in enumerate(month.indicators, start=1):
        rhk = f"{indicator.rhk} ({indicator.rhk_kind})" if indicator.rhk_kind else indicator.rhk
        details = [indicator.indicator, f"{_('Satuan')}: {indicator.unit}"]
        if indicator.aspect:
            details.append(f"{_('Aspek')}: {indicator.aspect}")
        if indicator.planned_action:
            details.append(f"{_('Rencana aksi')}: {indicator.planned_action}")
        for quantity, unit in indicator.other_units:  # approved output in other units, listed apart
            details.append(f"+ {_number(quantity)} {unit}")
        if indicator.feedback:
            details.append(f"{_('Umpan balik')}: {indicator.feedback}")
        if indicator.note:
            details.append(f"{_('Catatan')}: {indicator.note}")
        text = "\n".join(details)
        page.put(1, number, alignment=TOP, border=True)
        page.put(2, rhk, last=3, alignment=WRAP, border=True)
        page.put(4, text, alignment=WRAP, border=True)
        for column, value in ((5, indicator.target), (6, indicator.realised), (7, indicator.adjustment),
                              (8, indicator.total)):
            page.put(column, value, alignment=TOP, border=True, font=BOLD if column == 8 else None)
        page.fit_height((rhk, page.width(2, 3)), (text, page.width(4, 4)))
        page.skip()
    if not month.indicators:
        page.put(1, _("Tidak ada indikator kinerja"), last=page.last_column, alignment=CENTER, border=True)
        page.skip()
    page.skip()


def _number(value) -> str:
    """A Decimal without useless zeros: 11.00 -> "11", 2.50 -> "2,5" (Indonesian decimal comma)."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",")


def _employee_evaluation(page: SheetWriter, month: EmployeeMonth) -> None:
    section_row(page, _("D. Evaluasi"))
    rated = month.evaluation
    if rated is None:
        page.put(1, _("Belum dinilai"), last=page.last_column, border=True)
        page.skip()
    else:
        for label, value, font in ((_("Rating hasil kerja"), rated.rating_result, None),
                                   (_("Rating perilaku kerja"), rated.rating_behaviour, None),
                                   (_("Predikat kinerja"), rated.predikat, BOLD)):
            page.put(1, label, last=3, border=True)
            page.put(4, value, last=page.last_column, border=True, font=font)
            page.skip()
    for note in month.notes:
        page.put(1, note, last=page.last_column, alignment=WRAP)
        page.fit_height((note, page.width(1, page.last_column)))
        page.skip()
    page.skip()


def _employee_signatures(page: SheetWriter, month: EmployeeMonth) -> None:
    """Left: the employee; right: "<kota>, <tanggal>" and the appraiser (or the Plh./Plt. standing in)."""
    left, right = (1, 4), (5, 8)
    appraiser = month.appraiser
    page.put(right[0], f"{month.city}, {month.signature_date_label}", last=right[1], alignment=CENTER)
    page.skip()
    page.put(left[0], _("Pegawai yang Dinilai"), last=left[1], alignment=CENTER)
    title = _("Pejabat Penilai Kinerja")
    title = signing_title(appraiser, title) if appraiser else title
    page.put(right[0], title, last=right[1], alignment=CENTER)
    page.fit_height((title, page.width(*right)))
    page.skip(4)
    page.put(left[0], month.employee.name, last=left[1], font=NAME_FONT, alignment=CENTER)
    page.put(right[0], appraiser.name if appraiser else "(" + "." * 48 + ")", last=right[1], font=NAME_FONT,
             alignment=CENTER)
    page.skip()
    page.put(left[0], id_line(month.employee), last=left[1], alignment=CENTER)
    page.put(right[0], id_line(appraiser), last=right[1], alignment=CENTER)
    page.skip(2)


def _employee_verification(page: SheetWriter, code: str, verify_url: str) -> None:
    page.put(1, _("Kode verifikasi: %(code)s", code=code), last=page.last_column, font=BOLD)
    page.skip()
    cell = page.put(1, _("Verifikasi keaslian dokumen: %(url)s", url=verify_url), last=page.last_column,
                    alignment=WRAP)
    if verify_url.startswith(("https://", "http://")):
        cell.hyperlink = verify_url
    page.skip()


# ----------------------------------------------------------------------------------------------------------------
# Agency recap (normal mode) and the regency workbook (write-only), sharing the recap columns


def _recap_headers() -> tuple[str, ...]:
    return (_("No"), _("Nama"), _("NIP"), _("Gol"), _("Jabatan"), _("Unit kerja"), _("Hari kerja"),
            _("Hari mengisi"), _("Mengisi (%)"), _("Menit disetujui"), _("Target menit"), _percent_target(),
            _("Disetujui"), _("Menunggu"),
            _("Dikembalikan"), "WFO", "WFH", "DL", _("Predikat"))


RECAP_WIDTHS = (5, 30, 21, 7, 30, 26, 7, 8, 9, 10, 10, 9, 10, 10, 12, 6, 6, 6, 16)
RECAP_PERCENT_COLUMNS = (9, 12)  # 1-based: % mengisi, % target
RECAP_INTEGER_COLUMNS = (10, 11)  # minutes


def _recap_values(number: int, row: RecapRow) -> list:
    """One employee's recap line; percentages as fractions (shown by a "0.0%" format)."""
    return [
        number, safe_text(row.name), safe_text(row.id_number), safe_text(row.grade), safe_text(row.position),
        safe_text(row.unit), row.working_days, row.days_filed, _fraction(row.filed_percent), row.approved_minutes,
        row.target_minutes, _fraction(row.minutes_percent), row.approved, row.pending, row.returned,
        row.mode_days.get("WFO", 0), row.mode_days.get("WFH", 0), row.mode_days.get("DL", 0),
        safe_text(row.predikat) if row.predikat else None,
    ]


def _recap_totals(recap: AgencyRecap) -> list:
    return [
        None, _("Jumlah"), None, None, None, None, recap.total("working_days"), recap.total("days_filed"),
        _fraction(recap.filed_percent), recap.total("approved_minutes"), recap.total("target_minutes"),
        _fraction(recap.minutes_percent), recap.total("approved"), recap.total("pending"), recap.total("returned"),
        recap.mode_total("WFO"), recap.mode_total("WFH"), recap.mode_total("DL"), None,
    ]


def agency_recap_xlsx(recap: AgencyRecap) -> bytes:
    """The rekapitulasi OPD: one line per employee, totals, signed by the Kepala OPD (or the Plh./Plt.)."""
    with force_locale("id"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_title(recap.agency_short_name or recap.agency_code or _("Rekapitulasi kinerja pegawai"))
        page = SheetWriter(sheet, RECAP_WIDTHS)
        page.line(recap.regency.upper(), font=KOP_FONT)
        page.line(recap.agency_name.upper(), font=KOP_FONT)
        page.skip()
        page.line(_("REKAPITULASI KINERJA PEGAWAI"), font=TITLE_FONT, height=20)
        page.line(_("Periode: %(period)s", period=recap.period_label), font=BOLD)
        page.skip()
        header_row = page.header(_recap_headers())
        sheet.row_dimensions[header_row].height = 2 * LINE_HEIGHT
        first_row = page.row
        for number, row in enumerate(recap.rows, start=1):
            if number == 1:
                _recap_cells(sheet, page.row, _recap_values(number, row))
            else:
                _recap_cells_like(sheet, page.row, _recap_values(number, row), first_row)
            page.skip()
        _recap_cells(sheet, page.row, _recap_totals(recap), total=True)
        page.skip(2)
        _recap_signature(page, recap)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3).coordinate  # header and names stay
        print_setup(sheet, landscape=True, title_rows=f"{header_row}:{header_row}")
        sheet.print_area = f"A1:{get_column_letter(page.last_column)}{page.row - 1}"
        workbook.properties.title = f"{_('Rekapitulasi kinerja pegawai')} {recap.agency_name} {recap.period_label}"
        return workbook_bytes(workbook)


def _recap_cells(sheet, row: int, values: Sequence, *, total: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BORDER
        cell.alignment = WRAP if column in (2, 5, 6) else TOP
        if column in RECAP_PERCENT_COLUMNS:
            cell.number_format = PERCENT_FORMAT
        elif column in RECAP_INTEGER_COLUMNS:
            cell.number_format = INTEGER_FORMAT
        if total:
            cell.font = BOLD
            cell.fill = TOTAL_FILL


def _recap_cells_like(sheet, row: int, values: Sequence, model_row: int) -> None:
    """A recap line styled as `model_row`: copying openpyxl's style array is ≈20× faster than assigning the
    border, alignment and format objects again (which hashes them), and a big agency has thousands of lines."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell._style = copy(sheet.cell(row=model_row, column=column)._style)


def _recap_signature(page: SheetWriter, recap: AgencyRecap) -> None:
    """Under the right-hand columns, as the PDF: "Kepala <OPD>", "Plh. Kepala <OPD>" when someone stands in."""
    first, last = 13, page.last_column
    head = recap.head
    title = _("Kepala %(agency)s", agency=recap.agency_name)
    if head is not None and head.acting:
        title = acting_title(head.acting, title)
    lines = (
        (f"{recap.city}, {recap.signature_date_label}", None), (title, None), None, None, None,
        (head.name if head else "(" + "." * 48 + ")", NAME_FONT), (id_line(head), None),
    )
    for entry in lines:
        if entry is not None:
            page.put(first, entry[0], last=last, font=entry[1], alignment=CENTER)
            page.fit_height((entry[0], page.width(first, last)))
        page.skip()


def _summary_headers() -> tuple[str, ...]:
    return (_("Kode"), _("OPD"), _("Pegawai"), _("Mengisi (%)"), _("Persetujuan (%)"), _("Menit (%)"), _("WFO (%)"),
            _("WFH (%)"), _("DL (%)"), _("Sangat Baik"), _("Baik"), _("Butuh Perbaikan"), _("Kurang"),
            _("Sangat Kurang"))


SUMMARY_WIDTHS = (14, 44, 9, 10, 11, 9, 8, 8, 8, 11, 8, 11, 8, 11)
SUMMARY_PERCENT_COLUMNS = range(3, 9)  # 0-based: % mengisi .. % DL


class _Totals:
    """Regency-wide sums, for the summary's last line."""

    def __init__(self):
        self.employees = 0
        self.sums = dict.fromkeys(("working_days", "days_filed", "approved_minutes", "target_minutes", "approved",
                                   "pending", "returned"), 0)
        self.modes = dict.fromkeys(MODES, 0)
        self.predikat = dict.fromkeys(PREDIKAT_CODES, 0)

    def add(self, recap: AgencyRecap) -> None:
        self.employees += len(recap.rows)
        for name in self.sums:
            self.sums[name] += recap.total(name)
        for mode in MODES:
            self.modes[mode] += recap.mode_total(mode)
        for code, count in recap.predikat_counts().items():
            if code in self.predikat:
                self.predikat[code] += count


def _summary_values(recap: AgencyRecap) -> list:
    modes = {mode: recap.mode_total(mode) for mode in MODES}
    mode_days = sum(modes.values())
    counts = recap.predikat_counts()
    return [
        safe_text(recap.agency_code), safe_text(recap.agency_name), len(recap.rows),
        _fraction(recap.filed_percent), _fraction(recap.approval_percent), _fraction(recap.minutes_percent),
        *(_share(modes[mode], mode_days) for mode in MODES),
        *(counts.get(code, 0) for code in PREDIKAT_CODES),
    ]


def _summary_total_values(totals: _Totals) -> list:
    sums, mode_days = totals.sums, sum(totals.modes.values())
    sent = sums["approved"] + sums["pending"] + sums["returned"]
    return [
        None, _("Jumlah"), totals.employees, _share(sums["days_filed"], sums["working_days"]),
        _share(sums["approved"], sent), _share(sums["approved_minutes"], sums["target_minutes"]),
        *(_share(totals.modes[mode], mode_days) for mode in MODES),
        *(totals.predikat[code] for code in PREDIKAT_CODES),
    ]


# Streamed workbooks (the regency and BKN ones), written with XlsxWriter in constant_memory mode: each sheet's rows
# go to its own temporary file as they are written, so memory stays flat whatever the row count, and sheets may be
# written side by side; close() assembles and zips them. A sheet's rows must be written in order (a row is flushed
# when a later one is started and cannot be revisited); its set-up (widths, panes, printing) may come at any time.
# The temporary files live in a folder of our own, removed even when writing fails halfway.

STREAM_OPTIONS = {
    "constant_memory": True,
    # Text is always written with write_string(); these keep any write() from guessing formulas, links or numbers.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # No use_zip64: Python's ZIP64 records are ones Excel may call corrupt. A sheet whose XML would need them
    # (2 GiB) makes close() raise FileSizeError instead; bkn_xlsx starts a new sheet well before (MAX_SHEET_BYTES).
}

# The streamed sheets' cell formats, as XlsxWriter properties; _stream_formats() adds each once per workbook.
_BORDER_PROPERTIES = {"border": 1, "border_color": "#808080"}
_STREAM_FORMATS = {
    "header": {"bold": True, "pattern": 1, "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter",
               "text_wrap": True, **_BORDER_PROPERTIES},
    "date": {"num_format": DATE_FORMAT},
    "time": {"num_format": TIME_FORMAT},
    "percent": {"num_format": PERCENT_FORMAT},
    "integer": {"num_format": INTEGER_FORMAT},
    "kop": {"bold": True, "font_size": 12},
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
    "total": {"bold": True, "pattern": 1, "bg_color": "#FFF2CC", **_BORDER_PROPERTIES},
    "total_percent": {"bold": True, "pattern": 1, "bg_color": "#FFF2CC", "num_format": PERCENT_FORMAT,
                      **_BORDER_PROPERTIES},
}


def _stream_workbook(out: Output, folder: str) -> xlsxwriter.Workbook:
    """A constant_memory workbook writing to `out` (a path or a binary file object), its temporary files in
    `folder`."""
    return xlsxwriter.Workbook(out, {**STREAM_OPTIONS, "tmpdir": folder})


def _stream_formats(workbook: xlsxwriter.Workbook) -> dict[str, Format]:
    return {kind: workbook.add_format(properties) for kind, properties in _STREAM_FORMATS.items()}


def _kinds_formats(formats: dict[str, Format], kinds: Sequence[str | None]) -> list[Format | None]:
    """One format per column (None: plain values)."""
    return [None if kind is None else formats[kind] for kind in kinds]


def _totals_kinds(kinds: Sequence[str | None]) -> list[str]:
    """A totals row's styles: the fill and border everywhere, percentages kept."""
    return ["total_percent" if kind == "percent" else "total" for kind in kinds]


def _write_row(sheet: XlsxSheet, row: int, values: Sequence, cell_formats: Sequence[Format | None] = (), *,
               fill_blanks: bool = False) -> None:
    """Row `row` (0-based): text formula-safe (exports.safe_text) and always a string, dates and times as such,
    numbers as numbers; None and "" left empty (with the column's format when `fill_blanks`, for a totals row)."""
    for column, value in enumerate(values):
        cell_format = cell_formats[column] if column < len(cell_formats) else None
        if isinstance(value, str):
            value = safe_text(value)
            if value:
                sheet.write_string(row, column, value, cell_format)
                continue
            value = None
        if value is None:
            if fill_blanks and cell_format is not None:
                sheet.write_blank(row, column, None, cell_format)
        elif isinstance(value, (date, time)):  # a datetime is a date
            sheet.write_datetime(row, column, value, cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)


def _stream_sheet(workbook: xlsxwriter.Workbook, title: str, widths: Sequence[float], *, freeze: tuple[int, int],
                  title_row: int) -> XlsxSheet:
    """A landscape sheet, in the workbook's order of creation (the first one active): column widths, frozen panes
    (rows, columns), A4 fit to one page wide, margins, `title_row` (0-based) on every page, page numbers."""
    sheet = workbook.add_worksheet(title)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(*freeze)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.repeat_rows(title_row)
    sheet.set_footer("&C" + _("Halaman &P dari &N"), {"margin": 0.3})
    return sheet


def regency_xlsx(recaps: Iterable[AgencyRecap], out: Output, *, title: str, period_label: str,
                 progress: Callable[[int], None] | None = None) -> None:
    """BKD's workbook: a "Ringkasan" sheet (one line per agency) first, then each agency's recap, streamed.

    The summary sheet is created first and gets its line as each agency's sheet is written; its totals close it.
    """
    with force_locale("id"), tempfile.TemporaryDirectory(prefix="kinerja-xlsx-") as folder:
        workbook = _stream_workbook(out, folder)
        formats = _stream_formats(workbook)
        used: set[str] = set()
        summary = _stream_sheet(workbook, unique_sheet_title(_("Ringkasan"), used), SUMMARY_WIDTHS, freeze=(4, 2),
                                title_row=3)
        _write_row(summary, 0, [title], [formats["title"]])
        _write_row(summary, 1, [_("Periode: %(period)s", period=period_label)], [formats["bold"]])
        _write_row(summary, 3, _summary_headers(), [formats["header"]] * len(SUMMARY_WIDTHS))
        kinds = [None, None, None, *(["percent"] * 6), *([None] * 5)]
        cell_formats = _kinds_formats(formats, kinds)
        totals = _Totals()
        row = 4
        for recap in recaps:
            _agency_sheet(workbook, formats, recap, used, period_label)
            _write_row(summary, row, _summary_values(recap), cell_formats)
            row += 1
            totals.add(recap)
            if progress is not None:
                progress(1)
        _write_row(summary, row, _summary_total_values(totals), _kinds_formats(formats, _totals_kinds(kinds)),
                   fill_blanks=True)
        workbook.close()  # assembles and zips the sheets' temporary files


RECAP_KINDS = [None] * 8 + ["percent", "integer", "integer", "percent"] + [None] * 7


def _agency_sheet(workbook: xlsxwriter.Workbook, formats: dict[str, Format], recap: AgencyRecap, used: set[str],
                  period_label: str) -> None:
    sheet = _stream_sheet(workbook, unique_sheet_title(recap.agency_short_name or recap.agency_code, used),
                          RECAP_WIDTHS, freeze=(4, 2), title_row=3)
    _write_row(sheet, 0, [recap.agency_name], [formats["kop"]])
    _write_row(sheet, 1, [_("Periode: %(period)s", period=recap.period_label or period_label)], [formats["bold"]])
    _write_row(sheet, 3, _recap_headers(), [formats["header"]] * len(RECAP_WIDTHS))
    cell_formats = _kinds_formats(formats, RECAP_KINDS)
    row = 4
    for number, line in enumerate(recap.rows, start=1):
        _write_row(sheet, row, _recap_values(number, line), cell_formats)
        row += 1
    _write_row(sheet, row, _recap_totals(recap), _kinds_formats(formats, _totals_kinds(RECAP_KINDS)),
               fill_blanks=True)


# ----------------------------------------------------------------------------------------------------------------
# BKN e-Kinerja daily progress


BKN_WIDTHS = (21, 30, 36, 12, 10, 11, 60, 10, 12, 40)
# Bytes a BKN row's XML takes at most besides its text: the <row> element and ten <c> elements with their
# references, styles, inline-string markup and numbers (≈ 430 measured with XlsxWriter, under 650 at worst).
BKN_ROW_MARKUP_BYTES = 800
_XML_ESCAPED = ("&", "<", ">")  # written &amp; &lt; &gt;: at most 5 bytes a character


def _xml_bound(text: str) -> int:
    """At least the bytes `text` (a row's texts, joined) takes in the sheet's XML: UTF-8 (4 a character unless it
    is all ASCII), 5 a character should it hold anything XML escapes."""
    if "&" in text or "<" in text or ">" in text:
        return 5 * len(text)
    return len(text) if text.isascii() else 4 * len(text)


def bkn_xlsx(rows: Iterable[BknRow], out: Output, *, progress: Callable[[int], None] | None = None) -> int:
    """NIP, Nama and BKN's daily-progress columns, streamed from `rows` (never held in memory).

    A sheet holds at most MAX_SHEET_ROWS rows with its header, and about MAX_SHEET_BYTES of XML (a zip entry
    over 2 GiB would need ZIP64, which Excel reads badly): further rows go to "Kegiatan 2", "Kegiatan 3"...
    progress(n) is called every PROGRESS_EVERY rows (and once for the rest). Returns the rows written.
    """
    with force_locale("id"), tempfile.TemporaryDirectory(prefix="kinerja-xlsx-") as folder:
        workbook = _stream_workbook(out, folder)
        formats = _stream_formats(workbook)
        header_formats = [formats["header"]] * len(BKN_HEADER)
        day_format, time_format = formats["date"], formats["time"]
        name = _("Kegiatan")
        per_sheet = MAX_SHEET_ROWS - 1
        written = reported = 0
        rows = iter(rows)
        number = 0
        row = next(rows, None)
        while row is not None or number == 0:
            number += 1
            sheet = _stream_sheet(workbook, sheet_title(name if number == 1 else f"{name} {number}"), BKN_WIDTHS,
                                  freeze=(1, 0), title_row=0)
            _write_row(sheet, 0, BKN_HEADER, header_formats)
            write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
            index = size = 0
            while row is not None and index < per_sheet and (index == 0 or size < MAX_SHEET_BYTES):
                index += 1
                # Unrolled: this loop runs a million times for a regency-wide export.
                id_number, person = safe_text(row.id_number), safe_text(row.name)
                planned = safe_text(row.planned_action)
                description, unit, evidence = safe_text(row.description), safe_text(row.unit), safe_text(row.evidence)
                size += BKN_ROW_MARKUP_BYTES + _xml_bound(id_number + person + planned + description + unit + evidence)
                if id_number:
                    write_string(index, 0, id_number)
                if person:
                    write_string(index, 1, person)
                if planned:
                    write_string(index, 2, planned)
                if row.day is not None:
                    write_datetime(index, 3, row.day, day_format)
                if row.start is not None:
                    write_datetime(index, 4, row.start, time_format)
                if row.end is not None:
                    write_datetime(index, 5, row.end, time_format)
                if description:
                    write_string(index, 6, description)
                if row.quantity is not None:
                    write_number(index, 7, row.quantity)
                if unit:
                    write_string(index, 8, unit)
                if evidence:
                    write_string(index, 9, evidence)
                written += 1
                if progress is not None and written - reported >= PROGRESS_EVERY:
                    progress(written - reported)
                    reported = written
                row = next(rows, None)
        workbook.close()  # assembles and zips the sheets' temporary files
        if progress is not None and written > reported:
            progress(written - reported)
        return written
