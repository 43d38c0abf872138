"""The Excel template for the activity import: a data sheet with drop-down lists for mode and category and two
example rows, and a sheet "Petunjuk" with the instructions and the allowed values."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kinerja import clock
from kinerja.activities.import_cells import CATEGORY_NAMES
from kinerja.activities.importer import COLUMNS, MAX_ROWS, SHEET_NAME
from kinerja.core.assignments import assignment_on
from kinerja.models import Employee, WorkMode
from kinerja.settings import setting
from kinerja.workcalendar import calendar_between

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
FORMATS = {"activity_date": "yyyy-mm-dd", "start_time": "hh:mm", "end_time": "hh:mm"}


def coming_working_days(today: date, work_week: int, count: int = 2) -> list[date]:
    """The next working days after today (weekends and holidays skipped)."""
    days = calendar_between(today + timedelta(days=1), today + timedelta(days=21), work_week)
    return [day.day for day in days if not day.off][:count]


def example_rows(days: list[date]) -> list[list]:
    first, second = days
    return [
        [first, time(7, 30), time(9, 0), _("Menyusun laporan kegiatan bulanan"), 1, _("laporan"), "WFO", None,
         "Tugas utama", "https://drive.contoh.go.id/laporan-bulanan"],
        [second, time(9, 0), time(11, 30), _("Rapat koordinasi program di kantor kecamatan"), 1, _("notulen"), "DL",
         "800/123/2026", "Instruksi pimpinan", None],
    ]


def list_validation(values: list[str], title: str, message: str, last_row: int, column: int) -> DataValidation:
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1='"{}"'.format(",".join(values)), allow_blank=True,
                                showErrorMessage=True, errorTitle=title, error=message)
    validation.add(f"{letter}2:{letter}{last_row}")
    return validation


def instructions() -> list[tuple[str, str]]:
    modes = ", ".join(mode.value for mode in WorkMode)
    return [
        (_("Satu baris = satu kegiatan"), _("Isi lembar \"%(sheet)s\" mulai baris 2; jangan ubah baris judul. "
                                            "Paling banyak %(n)d baris per berkas.", sheet=SHEET_NAME, n=MAX_ROWS)),
        (_("Semua atau tidak sama sekali"), _("Jika satu baris saja salah, tidak ada kegiatan yang disimpan. "
                                              "Perbaiki baris yang ditunjukkan lalu unggah lagi berkas yang sama.")),
        ("Tanggal", _("Format 2026-11-20 atau 20/11/2026. Tidak boleh di masa depan dan paling lambat %(n)d hari "
                      "kerja ke belakang, sama seperti pengisian harian.", n=setting("BACKDATE_WORKING_DAYS"))),
        ("Jam mulai / Jam selesai", _("Format 08:00 atau 8.00. Jam selesai harus setelah jam mulai (tidak "
                                      "melewati tengah malam); kegiatan dalam satu hari tidak boleh bertabrakan.")),
        ("Uraian kegiatan", _("Wajib diisi, paling banyak 2000 karakter.")),
        ("Kuantitas / Satuan", _("Kuantitas lebih dari 0, misalnya 1 atau 2,5; satuan misalnya dokumen, laporan.")),
        ("Mode (WFO/WFH/DL)", _("Salah satu dari: %(modes)s. DL (dinas luar) wajib mengisi No. surat tugas.",
                                modes=modes)),
        ("Kategori", _("Salah satu dari: %(names)s. Jika kosong: Tugas utama.", names=", ".join(CATEGORY_NAMES))),
        ("Tautan bukti", _("Opsional: alamat http(s) lengkap; beberapa tautan dipisah spasi atau titik koma.")),
        (_("Hasil"), _("Semua kegiatan disimpan sebagai draf; periksa lalu ajukan dari halaman kegiatan.")),
        (_("Contoh"), _("Dua baris contoh pada lembar \"%(sheet)s\" boleh ditimpa atau dihapus.", sheet=SHEET_NAME)),
    ]


def build_template(today: date, work_week: int) -> bytes:
    """The template as .xlsx bytes, with examples on the next two working days after today."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append([column.header for column in COLUMNS])
    for row in example_rows(coming_working_days(today, work_week)):
        sheet.append(row)
    last_row = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        header = sheet.cell(row=1, column=index)
        header.font, header.fill = Font(bold=True), HEADER_FILL
        if column.key in FORMATS:
            for row_number in range(2, last_row + 1):
                sheet.cell(row=row_number, column=index).number_format = FORMATS[column.key]
    keys = [column.key for column in COLUMNS]
    sheet.add_data_validation(list_validation(
        [mode.value for mode in WorkMode], _("Mode kerja"), _("Pilih WFO, WFH atau DL."), last_row,
        keys.index("work_mode") + 1))
    sheet.add_data_validation(list_validation(
        list(CATEGORY_NAMES), _("Kategori"), _("Pilih kategori dari daftar."), last_row, keys.index("category") + 1))
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Petunjuk")
    guide.append([_("Petunjuk impor kegiatan")])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([])
    for topic, text in instructions():
        guide.append([topic, text])
    guide.append([])
    guide.append([_("Nilai yang diizinkan")])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    guide.append(["Mode (WFO/WFH/DL)", *[mode.value for mode in WorkMode]])
    guide.append(["Kategori", *CATEGORY_NAMES])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 90
    for cell in guide["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in guide["A"]:
        cell.alignment = Alignment(vertical="top")
        if cell.row > 2:
            cell.font = Font(bold=True)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_for(employee: Employee) -> bytes:
    """The template for the employee: examples on their agency's coming working days."""
    assignment = assignment_on(employee.id, clock.today())
    agency = assignment.agency if assignment else None
    today = clock.today(agency.timezone if agency else None)
    return build_template(today, agency.work_week if agency else 5)
