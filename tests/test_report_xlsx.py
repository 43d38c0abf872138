"""The XLSX reports (kinerja.reports.xlsx), read back with openpyxl: content, types, print set-up, safety."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kinerja.reports import xlsx
from kinerja.reports.model import BKN_HEADER, ActivityLine, BknRow
from tests.report_samples import ACTING, APPRAISER, EMPLOYEE, agency_recap, employee_month, recap_row

INJECTIONS = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


def texts(sheet) -> list[str]:
    return [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def find(sheet, value):
    """The first cell whose value is `value`."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in sheet {sheet.title!r}")


def find_last(sheet, value):
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == value]
    assert cells, f"{value!r} not in sheet {sheet.title!r}"
    return cells[-1]


def row_values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def assert_formula_safe(cell, original: str) -> None:
    assert cell.data_type == "s"
    assert cell.value == "'" + original


def assert_streamed_print_setup(sheet) -> None:
    """A4 landscape, one page wide (XlsxWriter leaves out fitToWidth="1", the schema's default), page numbers."""
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.oddFooter.center.text == "Halaman &P dari &N"


def line(description: str) -> ActivityLine:
    return ActivityLine(day=date(2026, 10, 30), start=time(15, 0), end=time(15, 45), minutes=45,
                        description=description, quantity=Decimal("2.50"), unit="Berkas", mode="WFH",
                        status="approved", status_label="Disetujui")


# ---------------------------------------------------------------------------------------------------- employee


def test_employee_report_content(ctx):
    month = employee_month(12)
    data = xlsx.employee_xlsx(month, code="K7Q2-PX9M", verify_url="https://kinerja.example/v/K7Q2-PX9M")
    sheet = read(data).active
    all_text = texts(sheet)
    for expected in ("PEMERINTAH KOTA CIMAHI", "DINAS KOMUNIKASI DAN INFORMATIKA", "LAPORAN KINERJA BULANAN",
                     "Periode: Oktober 2026", EMPLOYEE.name, EMPLOYEE.id_number, EMPLOYEE.rank, APPRAISER.name,
                     APPRAISER.id_number, APPRAISER.position, "FINAL (semua kegiatan disetujui)",
                     "Kode verifikasi: K7Q2-PX9M",
                     "Cimahi, 31 Oktober 2026", "Pegawai yang Dinilai", "Pejabat Penilai Kinerja",
                     f"NIP {EMPLOYEE.id_number}", f"NIP {APPRAISER.id_number}", "Baik", "A. Kegiatan harian",
                     "B. Ringkasan bulan", "C. Realisasi SKP", "D. Evaluasi"):
        assert expected in all_text, expected
    assert any("https://kinerja.example/v/K7Q2-PX9M" in text for text in all_text)

    header = find(sheet, "Uraian kegiatan").row
    assert row_values(sheet, header) == ["No", "Tanggal", "Waktu", "Uraian kegiatan", "Output", "Satuan", "Mode",
                                         "Status"]
    first = sheet[header + 1]
    assert first[0].value == 1
    assert first[1].value == datetime(2026, 10, 1) and first[1].number_format == "DD/MM/YYYY"
    assert first[2].value == "07:00–08:00"
    assert first[3].value == month.activities[0].description and first[3].alignment.wrap_text
    assert first[4].value == 1 and first[4].data_type == "n"
    assert [cell.value for cell in sheet[header + 12]][:1] == [12]
    assert sheet[header + 13][0].value is None  # the table ends with the month's 12 activities
    assert sheet[header][0].font.bold

    # Summary: numbers, not text; SKP realisation is realised + adjustment.
    assert sheet.cell(row=find(sheet, "Hari kerja").row, column=4).value == 22
    assert sheet.cell(row=find(sheet, "Menit efektif disetujui").row, column=4).value == 12 * 60
    indicator = find(sheet, "Terpeliharanya aplikasi layanan publik (Utama)").row
    assert [sheet.cell(row=indicator, column=column).value for column in (5, 6, 7, 8)] == [12, 11, 1, 12]
    assert sheet.cell(row=indicator, column=4).value.startswith("Jumlah aplikasi yang dipelihara\nSatuan: Aplikasi")
    assert sheet.cell(row=find(sheet, "% target").row, column=4).value == pytest.approx(12 * 60 / (22 * 300))
    assert sheet.cell(row=find(sheet, "Terlambat").row, column=4).value == 35
    assert sheet.cell(row=find(sheet, "Predikat kinerja").row, column=4).value == "Baik"


def test_employee_report_print_setup(ctx):
    sheet = read(xlsx.employee_xlsx(employee_month(40), code="X", verify_url="https://x/v/X")).active
    header = find(sheet, "Uraian kegiatan").row
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "portrait"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["D"].width > 40  # the description column is the wide one


def test_employee_report_acting_appraiser_draft_and_not_rated(ctx):
    month = employee_month(5, acting=True, draft=True, rated=False)
    sheet = read(xlsx.employee_xlsx(month, code="C0DE", verify_url="https://x/v/C0DE")).active
    all_text = texts(sheet)
    signer = find_last(sheet, ACTING.name)  # the signature, below the identity block
    assert sheet.cell(row=signer.row - 4, column=signer.column).value == "Plh. Kepala Bidang Aplikasi Informatika"
    assert "Pejabat Penilai Kinerja" not in all_text
    assert "DRAF (belum semua kegiatan disetujui)" in all_text
    assert "Belum dinilai" in all_text
    assert sheet.oddHeader.right.text == "DRAF"


def test_employee_report_without_appraiser(ctx):
    month = dataclasses.replace(employee_month(3), appraiser=None)
    sheet = read(xlsx.employee_xlsx(month, code="C", verify_url="https://x/v/C")).active
    title = find(sheet, "Pejabat Penilai Kinerja")
    name_cell = sheet.cell(row=title.row + 4, column=title.column)
    assert name_cell.value.startswith("(...")  # a blank line to sign on


def test_employee_report_keeps_formulas_as_text_and_drops_control_characters(ctx):
    month = employee_month(1)
    for text in INJECTIONS:
        month = dataclasses.replace(month, activities=(*month.activities, line(text)))
    month = dataclasses.replace(month, activities=(*month.activities, line("Rapat\x07 koordinasi")))
    sheet = read(xlsx.employee_xlsx(month, code="C", verify_url="https://x/v/C")).active
    for text in INJECTIONS:
        assert_formula_safe(find(sheet, "'" + text), text)
    assert "Rapat koordinasi" in texts(sheet)
    quantity = find(sheet, "'+1").offset(column=1)
    assert quantity.value == 2.5 and quantity.data_type == "n"


# ---------------------------------------------------------------------------------------------------- agency


def test_agency_recap_content_and_totals(ctx):
    recap = agency_recap(4)
    sheet = read(xlsx.agency_recap_xlsx(recap)).active
    header = find(sheet, "Nama").row
    assert row_values(sheet, header) == [
        "No", "Nama", "NIP", "Gol", "Jabatan", "Unit kerja", "Hari kerja", "Hari mengisi", "Mengisi (%)",
        "Menit disetujui", "Target menit", "% target", "Disetujui", "Menunggu", "Dikembalikan", "WFO", "WFH", "DL",
        "Predikat"]
    first = row_values(sheet, header + 1)
    row = recap.rows[0]
    assert first[:8] == [1, row.name, row.id_number, "III/b", row.position, row.unit, 22, row.days_filed]
    assert first[8] == pytest.approx(row.filed_percent / 100)
    assert sheet.cell(row=header + 1, column=9).number_format == "0.0%"
    assert first[9:] == [row.approved_minutes, 6600, pytest.approx(row.minutes_percent / 100), 100, row.pending,
                         row.returned, 12, 8, 2, row.predikat]
    assert sheet.cell(row=header + 1, column=3).data_type == "s"  # an 18-digit NIP stays text

    totals = row_values(sheet, header + 5)
    assert totals[1] == "Jumlah"
    assert totals[6:8] == [88, recap.total("days_filed")]
    assert totals[8] == pytest.approx(recap.filed_percent / 100)
    assert totals[9] == sum(r.approved_minutes for r in recap.rows)
    assert totals[12:18] == [400, recap.total("pending"), recap.total("returned"), 48, 32, 8]
    assert sheet.cell(row=header + 5, column=2).font.bold

    assert "Cimahi, 31 Oktober 2026" in texts(sheet)
    signer = find(sheet, APPRAISER.name)
    assert signer.font.bold
    assert sheet.cell(row=signer.row - 4, column=signer.column).value == "Kepala Dinas Komunikasi dan Informatika"
    assert sheet.cell(row=signer.row + 1, column=signer.column).value == f"NIP {APPRAISER.id_number}"


def test_agency_recap_print_setup_and_acting_head(ctx):
    sheet = read(xlsx.agency_recap_xlsx(agency_recap(3, head=ACTING))).active
    header = find(sheet, "Nama").row
    assert sheet.freeze_panes == f"C{header + 1}"
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    signer = find(sheet, ACTING.name)
    title = sheet.cell(row=signer.row - 4, column=signer.column).value
    assert title == "Plh. Kepala Dinas Komunikasi dan Informatika"


def test_agency_recap_without_head_and_with_hostile_names(ctx):
    rows = tuple(dataclasses.replace(recap_row(number), name=text)
                 for number, text in enumerate((*INJECTIONS, "Budi\x07 Santoso"), start=1))
    recap = dataclasses.replace(agency_recap(0, head=None), rows=rows)
    sheet = read(xlsx.agency_recap_xlsx(recap)).active
    for text in INJECTIONS:
        assert_formula_safe(find(sheet, "'" + text), text)
    assert "Budi Santoso" in texts(sheet)
    assert "Kepala Dinas Komunikasi dan Informatika" in texts(sheet)


# ---------------------------------------------------------------------------------------------------- regency


def test_regency_workbook_summary_first_with_percentages(ctx, tmp_path):
    first = agency_recap(6)
    second = dataclasses.replace(agency_recap(3), agency_id=2, agency_code="BKPSDM", agency_short_name="BKPSDM",
                                 agency_name="Badan Kepegawaian dan Pengembangan SDM")
    calls = []
    path = tmp_path / "regency.xlsx"
    xlsx.regency_xlsx(iter([first, second]), path, title="Rekapitulasi Kota Cimahi", period_label="Oktober 2026",
                      progress=calls.append)
    assert calls == [1, 1]
    book = load_workbook(path)
    assert book.sheetnames == ["Ringkasan", "Diskominfo", "BKPSDM"]
    summary = book["Ringkasan"]
    assert summary["A1"].value == "Rekapitulasi Kota Cimahi"
    assert row_values(summary, 4) == ["Kode", "OPD", "Pegawai", "Mengisi (%)", "Persetujuan (%)", "Menit (%)",
                                      "WFO (%)", "WFH (%)", "DL (%)", "Sangat Baik", "Baik", "Butuh Perbaikan",
                                      "Kurang", "Sangat Kurang"]
    line = row_values(summary, 5)
    assert line[:3] == ["DISKOMINFO", "Dinas Komunikasi dan Informatika", 6]
    assert line[3] == pytest.approx(first.filed_percent / 100)
    assert line[4] == pytest.approx(first.approval_percent / 100)
    assert line[5] == pytest.approx(first.minutes_percent / 100)
    assert line[6:9] == [pytest.approx(12 / 22), pytest.approx(8 / 22), pytest.approx(2 / 22)]
    assert line[9:] == [3, 3, 0, 0, 0]  # rows alternate Baik / Sangat Baik
    assert summary.cell(row=5, column=4).number_format == "0.0%"
    assert row_values(summary, 6)[:3] == ["BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", 3]
    totals = row_values(summary, 7)
    assert totals[1:3] == ["Jumlah", 9]
    approved = first.total("approved") + second.total("approved")
    sent = approved + sum(r.total("pending") + r.total("returned") for r in (first, second))
    assert totals[4] == pytest.approx(approved / sent)
    assert totals[9:11] == [5, 4]
    assert summary.freeze_panes == "C5" and summary.print_title_rows == "$4:$4"
    assert_streamed_print_setup(summary)

    agency = book["Diskominfo"]
    assert agency["A1"].value == "Dinas Komunikasi dan Informatika"
    assert row_values(agency, 4)[:3] == ["No", "Nama", "NIP"]
    row = row_values(agency, 5)
    assert row[:3] == [1, first.rows[0].name, first.rows[0].id_number]
    assert row[8] == pytest.approx(first.rows[0].filed_percent / 100)
    assert agency.cell(row=5, column=10).number_format == "#,##0"
    assert row_values(agency, 11)[1] == "Jumlah" and row_values(agency, 11)[9] == first.total("approved_minutes")
    assert agency.max_row == 11
    assert agency.freeze_panes == "C5" and agency.print_title_rows == "$4:$4"
    assert_streamed_print_setup(agency)


def test_regency_sheet_names_are_cleaned_and_unique(ctx):
    long_name = "Dinas Pekerjaan Umum dan Penataan Ruang Kota"
    cleaned = "Dinas  PU   A B  C D"
    names = ["Dinas [PU]: A*B?/C\\D", cleaned, long_name, long_name + " Lama", "Ringkasan", "diskominfo",
             "Diskominfo"]
    recaps = [dataclasses.replace(agency_recap(1), agency_id=index, agency_short_name=name, agency_code=f"K{index}")
              for index, name in enumerate(names)]
    output = io.BytesIO()
    xlsx.regency_xlsx(recaps, output, title="Rekap", period_label="Oktober 2026")
    sheetnames = load_workbook(io.BytesIO(output.getvalue())).sheetnames
    assert sheetnames[0] == "Ringkasan"
    assert len(sheetnames) == 8
    assert len({name.casefold() for name in sheetnames}) == 8
    for name in sheetnames:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
    assert sheetnames[1:3] == [cleaned, cleaned + " (2)"]
    assert sheetnames[3] == long_name[:31]
    assert sheetnames[4].endswith(" (2)") and len(sheetnames[4]) == 31
    assert sheetnames[5] == "Ringkasan (2)"
    assert sheetnames[6:] == ["diskominfo", "Diskominfo (2)"]


def test_regency_hostile_text_stays_text(ctx):
    rows = tuple(dataclasses.replace(recap_row(number), name=text)
                 for number, text in enumerate((*INJECTIONS, "Ani\x07 <b>&amp;"), start=1))
    recap = dataclasses.replace(agency_recap(0), rows=rows, agency_name='=cmd|" /C calc"!A0')
    output = io.BytesIO()
    xlsx.regency_xlsx([recap], output, title="@Rekap", period_label="Oktober 2026")
    book = load_workbook(io.BytesIO(output.getvalue()))
    sheet = book["Diskominfo"]
    for text in INJECTIONS:
        assert_formula_safe(find(sheet, "'" + text), text)
    assert "Ani <b>&amp;" in texts(sheet)
    assert_formula_safe(book["Ringkasan"]["A1"], "@Rekap")
    assert_formula_safe(book["Ringkasan"]["B5"], '=cmd|" /C calc"!A0')


# ---------------------------------------------------------------------------------------------------- BKN


def bkn_rows(count: int, description: str = "Menyusun laporan pemeliharaan server"):
    for number in range(count):
        yield BknRow(id_number=f"19870315201001{number:04d}", name=f"Pegawai {number}",
                     planned_action="Pemeliharaan aplikasi bulanan", day=date(2026, 10, 1 + number % 28),
                     start=time(7, 30), end=time(8, 45), description=description, quantity=Decimal("1.50"),
                     unit="Dokumen", evidence="https://x/bukti/1\nhttps://x/bukti/2" if number % 2 else "")


def test_bkn_export_shape_and_types(ctx):
    output = io.BytesIO()
    calls = []
    assert xlsx.bkn_xlsx(bkn_rows(2_500), output, progress=calls.append) == 2_500
    assert calls == [1_000, 1_000, 500]
    book = load_workbook(io.BytesIO(output.getvalue()))
    assert book.sheetnames == ["Kegiatan"]
    sheet = book.active
    assert tuple(row_values(sheet, 1)) == BKN_HEADER
    assert sheet["A1"].font.bold
    assert sheet.max_row == 2_501
    first = sheet[2]
    assert [cell.value for cell in first[:3]] == ["198703152010010000", "Pegawai 0", "Pemeliharaan aplikasi bulanan"]
    assert first[0].data_type == "s"
    assert first[3].value == datetime(2026, 10, 1) and first[3].number_format == "DD/MM/YYYY"
    assert first[4].value == time(7, 30) and first[4].number_format == "HH:MM"
    assert first[5].value == time(8, 45)
    assert first[7].value == 1.5 and first[7].data_type == "n"
    assert first[9].value is None
    assert sheet["J3"].value == "https://x/bukti/1\nhttps://x/bukti/2"
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert_streamed_print_setup(sheet)


def test_bkn_export_splits_sheets_before_the_row_limit(ctx, monkeypatch, tmp_path):
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 1_000)  # 999 rows and the header per sheet
    path = tmp_path / "bkn.xlsx"
    assert xlsx.bkn_xlsx(bkn_rows(2_100), path) == 2_100
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Kegiatan", "Kegiatan 2", "Kegiatan 3"]
    counts = [sum(1 for _row in book[name].iter_rows()) for name in book.sheetnames]
    assert counts == [1_000, 1_000, 2_100 - 2 * 999 + 1]
    assert [next(book[name].iter_rows(values_only=True)) for name in book.sheetnames] == [BKN_HEADER] * 3
    last = list(book["Kegiatan 3"].iter_rows(values_only=True))[-1]
    assert last[1] == "Pegawai 2099"


def test_bkn_export_splits_sheets_before_the_size_limit(ctx, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 200_000)
    output = io.BytesIO()
    assert xlsx.bkn_xlsx(bkn_rows(3_000, description="x" * 400), output) == 3_000
    book = load_workbook(io.BytesIO(output.getvalue()), read_only=True)
    assert len(book.sheetnames) > 1
    assert sum(sum(1 for _row in book[name].iter_rows()) - 1 for name in book.sheetnames) == 3_000


def test_bkn_export_streams_without_materialising(ctx):
    consumed = []

    def rows():
        for row in bkn_rows(3):
            consumed.append(row)
            yield row

    generator = rows()
    output = io.BytesIO()
    assert xlsx.bkn_xlsx(generator, output) == 3
    assert len(consumed) == 3
    assert next(generator, None) is None


def test_bkn_export_of_nothing_is_a_valid_workbook(ctx):
    output = io.BytesIO()
    assert xlsx.bkn_xlsx(iter(()), output) == 0
    book = load_workbook(io.BytesIO(output.getvalue()))
    assert book.sheetnames == ["Kegiatan"]
    assert tuple(row_values(book.active, 1)) == BKN_HEADER


def test_bkn_export_hostile_text(ctx):
    rows = [dataclasses.replace(next(bkn_rows(1)), description=text, evidence=text) for text in INJECTIONS]
    rows.append(dataclasses.replace(next(bkn_rows(1)), description="Rapat\x07\x00 <koordinasi> & evaluasi"))
    output = io.BytesIO()
    xlsx.bkn_xlsx(rows, output)
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    for number, text in enumerate(INJECTIONS, start=2):
        assert_formula_safe(sheet.cell(row=number, column=7), text)
        assert_formula_safe(sheet.cell(row=number, column=10), text)
    assert sheet.cell(row=6, column=7).value == "Rapat <koordinasi> & evaluasi"


def test_unique_sheet_title():
    used: set[str] = set()
    assert xlsx.unique_sheet_title("A/B", used) == "A B"
    assert xlsx.unique_sheet_title("a b", used) == "a b (2)"
    assert xlsx.unique_sheet_title("History", used) == "History (2)"  # a name Excel reserves
    assert xlsx.unique_sheet_title("''", used) == "Sheet"


def test_regency_workbook_without_agencies(ctx, tmp_path):
    path = tmp_path / "empty.xlsx"
    xlsx.regency_xlsx([], str(path), title="Rekap", period_label="Oktober 2026")
    book = load_workbook(path)
    assert book.sheetnames == ["Ringkasan"]
    assert row_values(book.active, 5)[1:3] == ["Jumlah", 0]
