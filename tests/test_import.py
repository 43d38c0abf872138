"""Bulk import of activities from Excel: the template, reading cells, the rules per row and across rows, and
all-or-nothing saving. The clock is frozen at Wednesday 18 November 2026, 16.00 WIB."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kinerja.activities import importer
from kinerja.activities.import_cells import CellError, clean_text, read_date, read_time
from kinerja.activities.importer import ImportRejected
from kinerja.errors import ValidationFailed
from kinerja.models import Activity, ActivityCategory, ActivityStatus, EvidenceKind, WorkMode
from tests.factories import ActivityFactory, activity_count, freeze_now

HEADERS = [column.header for column in importer.COLUMNS]
DAY = "2026-11-17"  # Tuesday, open for filing


def row(day=DAY, start="08:00", end="09:00", description="Menyusun laporan", quantity=1, unit="dokumen",
        mode="WFO", letter=None, category="Tugas utama", link=None) -> list:
    return [day, start, end, description, quantity, unit, mode, letter, category, link]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kegiatan"
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, content: bytes, name: str = "kegiatan.xlsx"):
    return client.post("/kegiatan/impor", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


@pytest.fixture()
def staff(org, monkeypatch):
    freeze_now(monkeypatch)
    return org.user(org.staff_a)


def rejected(user, rows: list[list]) -> list[importer.RowError]:
    with pytest.raises(ImportRejected) as caught:
        importer.import_activities(user, xlsx(rows))
    return caught.value.errors


# --- the template ----------------------------------------------------------------------------------------------

def test_template_download_has_headers_lists_and_examples(client, auth, staff, org):
    auth.login(org.staff_a.id_number)
    response = client.get("/kegiatan/impor/templat.xlsx")
    assert response.status_code == 200
    assert response.mimetype == importer_type()
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Kegiatan"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    lists = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert '"WFO,WFH,DL"' in lists
    assert '"Tugas utama,Tugas tambahan,Instruksi pimpinan"' in lists
    examples = [sheet.cell(row=number, column=1).value.date() for number in (2, 3)]
    assert examples == [date(2026, 11, 19), date(2026, 11, 20)]  # the coming working days
    guide = [cell.value for cells in workbook["Petunjuk"].iter_rows() for cell in cells]
    assert "Instruksi pimpinan" in guide and "DL" in guide


def importer_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_filled_template_imports_as_is(client, auth, staff, org, db):
    auth.login(org.staff_a.id_number)
    workbook = load_workbook(io.BytesIO(client.get("/kegiatan/impor/templat.xlsx").data))
    sheet = workbook["Kegiatan"]
    sheet["A2"].value, sheet["A3"].value = datetime(2026, 11, 16), datetime(2026, 11, 17)  # past days
    output = io.BytesIO()
    workbook.save(output)
    response = upload(client, output.getvalue())
    assert response.status_code == 302
    activities = db.session.query(Activity).order_by(Activity.activity_date).all()
    assert [(a.work_mode, a.assignment_letter) for a in activities] == [(WorkMode.WFO, None),
                                                                        (WorkMode.DL, "800/123/2026")]
    assert activities[0].evidence[0].kind is EvidenceKind.LINK
    assert activities[1].category is ActivityCategory.INSTRUCTION


def test_template_page_states_all_or_nothing(client, auth, staff, org):
    auth.login(org.staff_a.id_number)
    page = client.get("/kegiatan/impor").get_data(as_text=True)
    assert "Semua atau tidak sama sekali" in page
    assert "/kegiatan/impor/templat.xlsx" in page


# --- a good file -----------------------------------------------------------------------------------------------

def test_good_file_imports_drafts(client, auth, staff, org, db):
    auth.login(org.staff_a.id_number)
    content = xlsx([
        row(start="07:30", end="09:00", link="https://drive.contoh.go.id/a"),
        row(start="09:00", end="10:00", mode="DL", letter="800/1/2026", category="Tugas tambahan"),
        row(day="2026-11-14", start="08:00", end="10:00", mode="wfh", quantity="2,5"),  # a Saturday
    ])
    response = upload(client, content)
    assert response.status_code == 302
    assert "3 kegiatan diimpor sebagai draf." in client.get(response.headers["Location"]).get_data(as_text=True)
    activities = db.session.query(Activity).order_by(Activity.activity_date, Activity.start_time).all()
    assert len(activities) == 3
    assert {a.status for a in activities} == {ActivityStatus.DRAFT}
    assert {a.employee_id for a in activities} == {org.staff_a.id}
    saturday, first, second = activities
    assert (saturday.work_mode, saturday.quantity, saturday.off_day) == (WorkMode.WFH, Decimal("2.50"), True)
    assert first.duration_minutes == 90 and [e.url for e in first.evidence] == ["https://drive.contoh.go.id/a"]
    assert (second.category, second.assignment_letter) == (ActivityCategory.ADDITIONAL, "800/1/2026")


def test_blank_rows_are_skipped(staff, db):
    content = xlsx([row(), [None] * 10, ["", " "], row(start="09:00", end="10:00")])
    assert importer.import_activities(staff, content) == 2


# --- bad rows: an error naming the row, and nothing saved --------------------------------------------------------

BAD_ROWS = {
    "bad date": (row(day="31/02/2026"), "Tanggal", "tidak dikenali"),
    "end before start": (row(start="10:00", end="09:30"), "Jam selesai", "harus setelah jam mulai"),
    "future date": (row(day="2026-11-19"), "Tanggal", "masa depan"),
    "later today": (row(day="2026-11-18", start="15:30", end="16:30"), "Jam selesai", "masa depan"),
    "unknown mode": (row(mode="WFA"), "Mode (WFO/WFH/DL)", "WFO, WFH atau DL"),
    "DL without letter": (row(mode="DL"), "No. surat tugas", "surat tugas"),
    "empty description": (row(description="  "), "Uraian kegiatan", "wajib diisi"),
    "quantity 0": (row(quantity=0), "Kuantitas", "lebih dari 0"),
    "quantity text": (row(quantity="satu"), "Kuantitas", "berupa angka"),
    "unknown category": (row(category="Tugas rutin"), "Kategori", "Tugas utama"),
    "bad link": (row(link="drive/berkas"), "Tautan bukti", "http(s)"),
    "before the backdate window": (row(day="2026-11-10"), "Tanggal", "hari kerja ke belakang"),
    "missing time": (row(start=None), "Jam mulai", "wajib diisi"),
}


@pytest.mark.parametrize(("bad", "column", "text"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_row_is_reported_and_nothing_saved(staff, db, bad, column, text):
    good = row(start="13:00", end="14:00")
    errors = rejected(staff, [good, bad, row(start="14:00", end="15:00")])
    assert [(e.row, e.column) for e in errors] == [(3, column)]
    assert text in errors[0].message
    assert activity_count() == 0


def test_overlap_within_the_file_names_the_other_row(staff, db):
    errors = rejected(staff, [row(start="08:00", end="09:00"), row(start="10:00", end="11:00"),
                              row(start="08:30", end="09:30")])
    assert [(e.row, e.column) for e in errors] == [(4, "Jam mulai")]
    assert "baris 2" in errors[0].message
    assert activity_count() == 0


def test_overlap_with_a_row_that_has_other_errors_is_still_found(staff, db):
    errors = rejected(staff, [row(description=""), row(start="08:30", end="09:30")])
    assert [(e.row, e.column) for e in errors] == [(2, "Uraian kegiatan"), (3, "Jam mulai")]


def test_overlap_with_a_saved_activity(staff, org, db):
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 17), start_time=time(8, 30),
                    end_time=time(9, 30))
    db.session.commit()
    errors = rejected(staff, [row(start="10:00", end="11:00"), row(start="09:00", end="10:00")])
    assert [(e.row, e.column) for e in errors] == [(3, "Jam mulai")]
    assert "bertabrakan" in errors[0].message
    assert activity_count() == 1


def test_too_many_hours_across_rows(staff, db):
    errors = rejected(staff, [row(start="06:00", end="12:00"), row(start="12:00", end="17:00"),
                              row(start="17:00", end="19:00"), row(day="2026-11-16", start="06:00", end="18:00")])
    assert [(e.row, e.column) for e in errors] == [(4, "Jam selesai")]
    assert "Total kegiatan sehari paling banyak 12 jam" in errors[0].message
    assert activity_count() == 0


def test_too_many_hours_counts_saved_activities(staff, org, db):
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 17), start_time=time(6, 0),
                    end_time=time(14, 0))
    db.session.commit()
    errors = rejected(staff, [row(start="14:00", end="19:00")])
    assert [(e.row, e.column) for e in errors] == [(2, "Jam selesai")]


def test_every_error_of_a_row_is_listed(staff, db):
    errors = rejected(staff, [row(description="", quantity=0, mode="DL", link="bukan tautan")])
    assert {e.column for e in errors} == {"Uraian kegiatan", "Kuantitas", "No. surat tugas", "Tautan bukti"}
    assert {e.row for e in errors} == {2}


def test_errors_of_all_rows_are_listed(staff, db):
    errors = rejected(staff, [row(day="kemarin"), row(start="10:00", end="11:00"), row(mode="?", start="12:00",
                                                                                         end="13:00")])
    assert [e.row for e in errors] == [2, 4]


def test_error_table_is_shown_and_nothing_saved(client, auth, staff, org):
    auth.login(org.staff_a.id_number)
    response = upload(client, xlsx([row(), row(day="2026-11-19", start="10:00", end="11:00")]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tidak ada yang disimpan: 1 baris berisi kesalahan." in page
    assert '<td class="font-monospace">3</td><td>Tanggal</td>' in page
    assert activity_count() == 0


def test_more_than_the_maximum_rows_is_refused(staff, db):
    rows = [row(start=f"{6 + n // 60:02d}:{n % 60:02d}", end=f"{6 + n // 60:02d}:{n % 60:02d}")
            for n in range(importer.MAX_ROWS + 1)]
    with pytest.raises(ValidationFailed, match="Paling banyak 500 kegiatan per berkas"):
        importer.import_activities(staff, xlsx(rows))
    assert activity_count() == 0


NOT_XLSX = {
    "csv renamed": b"Tanggal;Jam mulai\n2026-11-17;08:00\n",
    "pdf": b"%PDF-1.7 ...",
    "empty": b"",
}


@pytest.mark.parametrize("content", NOT_XLSX.values(), ids=NOT_XLSX.keys())
def test_content_that_is_not_xlsx_is_refused(client, auth, staff, org, content):
    auth.login(org.staff_a.id_number)
    page = upload(client, content, name="kegiatan.xlsx").get_data(as_text=True)
    assert "bukan buku kerja Excel (.xlsx)" in page or "Pilih berkas .xlsx" in page
    assert activity_count() == 0


def test_word_document_is_not_a_workbook(staff):
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(ValidationFailed, match="bukan buku kerja Excel"):
        importer.import_activities(staff, package.getvalue())


def test_wrong_headers_are_refused(staff):
    with pytest.raises(ValidationFailed, match="Jam selesai"):
        importer.import_activities(staff, xlsx([row()], headers=["Tanggal", "Jam mulai", "Jam akhir"]))


def test_empty_sheet_is_refused(staff):
    with pytest.raises(ValidationFailed, match="tidak berisi baris kegiatan"):
        importer.import_activities(staff, xlsx([]))


# --- cells ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [datetime(2026, 11, 17, 0, 0), date(2026, 11, 17), "2026-11-17", "17/11/2026",
                                   " 17-11-2026 ", "17.11.2026", "2026-11-17 00:00:00", 46343])
def test_date_cells(value):
    assert read_date(value) == date(2026, 11, 17)


@pytest.mark.parametrize("value", [time(8, 30), datetime(1899, 12, 30, 8, 30), timedelta(hours=8, minutes=30),
                                   "08:30", "8:30", "8.30", "08.30", "08:30:00", 8.3, 0.3541666666666667,
                                   time(8, 29, 59, 999000)])
def test_time_cells(value):
    assert read_time(value) == time(8, 30)


def test_whole_hours():
    assert {read_time(value) for value in ("8", "08", 8, 8.0)} == {time(8, 0)}


@pytest.mark.parametrize("value", ["8:5", "25:00", "08:75", "jam 8", "", 24, -1, True, 1.75])
def test_unreadable_time_cells(value):
    with pytest.raises(CellError):
        read_time(value)


def test_cell_variants_written_by_excel_parse(staff, db):
    content = xlsx([
        [datetime(2026, 11, 17), time(7, 30), time(8, 0), "A", 1, "dokumen", "WFO", None, None, None],
        [date(2026, 11, 17), "8.00", "09:15", "B", 1.5, "dokumen", "WFH (rumah)", None, "tugas_tambahan", None],
        ["16/11/2026", 9, 10.3, "C", "2", "dokumen", "dl", 800, "INSTRUKSI PIMPINAN", None],
    ])
    assert importer.import_activities(staff, content) == 3
    stored = {a.description: a for a in db.session.query(Activity)}
    assert (stored["A"].start_time, stored["A"].end_time, stored["A"].category) == (time(7, 30), time(8, 0),
                                                                                    ActivityCategory.MAIN)
    assert (stored["B"].start_time, stored["B"].work_mode, stored["B"].category) == (
        time(8, 0), WorkMode.WFH, ActivityCategory.ADDITIONAL)
    assert (stored["C"].activity_date, stored["C"].end_time, stored["C"].assignment_letter) == (
        date(2026, 11, 16), time(10, 30), "800")


def test_formula_looking_text_is_kept_as_text(staff, db):
    workbook = load_workbook(io.BytesIO(xlsx([row()])))
    cell = workbook["Kegiatan"]["D2"]
    cell.value = '=HYPERLINK("https://contoh.id","klik")'
    cell.data_type = "s"  # typed as text, not a formula
    output = io.BytesIO()
    workbook.save(output)
    importer.import_activities(staff, output.getvalue())
    assert db.session.query(Activity.description).scalar() == '=HYPERLINK("https://contoh.id","klik")'


def test_a_real_formula_is_not_evaluated(staff, db):
    workbook = load_workbook(io.BytesIO(xlsx([row()])))
    workbook["Kegiatan"]["D2"] = '=CONCAT("Rapat", " ", "koordinasi")'  # no cached value: an empty cell
    output = io.BytesIO()
    workbook.save(output)
    with pytest.raises(ImportRejected) as caught:
        importer.import_activities(staff, output.getvalue())
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "Uraian kegiatan")]


def test_control_characters_are_stripped():
    assert clean_text("Rapat\x07 koordinasi\x00\x1b") == "Rapat koordinasi"
    assert clean_text("Baris satu\r\nbaris\tdua\x0b", multiline=True) == "Baris satu\nbaris dua"
    assert clean_text("satu\ndua") == "satu dua"


# --- whose data -------------------------------------------------------------------------------------------------

def test_other_users_data_is_unaffected(staff, org, db):
    theirs = ActivityFactory(employee=org.staff_a2, activity_date=date(2026, 11, 17), start_time=time(8, 0),
                             end_time=time(9, 0), description="Milik orang lain")
    db.session.commit()
    assert importer.import_activities(staff, xlsx([row(start="08:00", end="09:00")])) == 1  # no clash with theirs
    with pytest.raises(ImportRejected):
        importer.import_activities(staff, xlsx([row(start="10:00", end="11:00"), row(day="kemarin")]))
    rows = db.session.query(Activity.employee_id, Activity.description).order_by(Activity.id).all()
    assert rows == [(org.staff_a2.id, "Milik orang lain"), (org.staff_a.id, "Menyusun laporan")]
    assert db.session.get(Activity, theirs.id).status is ActivityStatus.DRAFT


def test_accounts_without_an_employee_get_404(client, auth, org):
    auth.login("admin.a")
    assert client.get("/kegiatan/impor").status_code == 404
    assert client.get("/kegiatan/impor/templat.xlsx").status_code == 404
    assert upload(client, xlsx([row()])).status_code == 404


def test_upload_without_csrf_token_is_refused(client, auth, staff, org, app, monkeypatch):
    auth.login(org.staff_a.id_number)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert upload(client, xlsx([row()])).status_code == 400
    assert activity_count() == 0
