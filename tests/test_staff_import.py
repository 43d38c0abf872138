"""Staff import from Excel: reading and checking rows, the dry run, update-or-insert by NIP, idempotency,
appraiser cycles, the agency admin's scope, the pages, the template, the demo sample and the command line."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from kinerja import clock
from kinerja.admin import staff_import, staff_import_store
from kinerja.admin.commands import staff_cli
from kinerja.admin.staff_import_rows import COLUMNS, read_grade, read_phone
from kinerja.auth import passwords as password_hashes
from kinerja.extensions import db as _db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import Assignment, AuditEntry, Employee, PositionKind, Role, User
from tests.factories import EmployeeFactory, PositionFactory

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

HEADERS = [column.header for column in COLUMNS]
EFFECTIVE = clock.today()
POSITION = "Pengadministrasi Perkantoran"


def new_nip(n: int, gender: Gender = Gender.MALE) -> str:
    """NIPs no factory hands out (the factories' TMT is 2005-01)."""
    birth = date(1990, 1, 1) + timedelta(days=n)
    return f"{birth:%Y%m%d}201503{1 if gender is Gender.MALE else 2}{n % 999 + 1:03d}"


def row(n: int = 1, **cells) -> list:
    values = {"NIP": new_nip(n), "Nama": f"Pegawai Baru {n}", "Gelar depan": "", "Gelar belakang": "S.E.",
              "Jenis kelamin": "L", "Status kepegawaian": "PNS", "Pangkat/Golongan": "III/a", "Jabatan": POSITION,
              "Jenis jabatan": "Pelaksana", "Unit kerja": "Seksi A1", "OPD": "A", "NIP atasan": None,
              "Email": f"baru{n}@contoh.go.id", "No HP": "081234567890", "Nama bank": None, "No rekening": None}
    values.update(cells)
    return [values[header] for header in HEADERS]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pegawai"
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture()
def bkd(org):
    PositionFactory(name=POSITION, kind=PositionKind.PELAKSANA)
    _db.session.commit()
    return org.bkd_admin


def errors_of(actor, rows: list[list]) -> list[tuple[int, str, str]]:
    plan = staff_import.dry_run(actor, xlsx(rows), EFFECTIVE)
    return [(error.row, error.column, error.message) for error in plan.errors]


def imported(actor, rows: list[list], effective: date = EFFECTIVE, kept: list[bytes] | None = None
             ) -> staff_import.ImportResult:
    """Import the rows; the passwords workbook, if any, is appended to `kept`."""
    kept = [] if kept is None else kept
    return staff_import.import_staff(actor, xlsx(rows), effective, "uji.xlsx",
                                     keep_passwords=lambda content: kept.append(content) or "kept")


def employee(nip: str) -> Employee:
    return _db.session.scalar(select(Employee).where(Employee.id_number == nip))


def assignments(employee_id: int) -> list[Assignment]:
    return list(_db.session.scalars(select(Assignment).where(Assignment.employee_id == employee_id)
                                    .order_by(Assignment.valid_from)))


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


# --- cells ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "grade"), [("III/a", "III/a"), ("iii/A", "III/a"), ("IIIa", "III/a"),
                                             ("Penata Muda, III/a", "III/a"), ("Golongan IX", "IX"), ("", None)])
def test_grades_are_read_as_simpeg_writes_them(text, grade):
    assert read_grade(text) == grade


@pytest.mark.parametrize(("value", "phone"), [("0812-3456-7890", "081234567890"), ("+62 812 3456 7890", "081234567890"),
                                              (81234567890, "081234567890"), (None, None)])
def test_phone_numbers_are_normalised(value, phone):
    assert read_phone(value) == phone


# --- bad rows: every error of every row, nothing saved --------------------------------------------------------

BAD_ROWS = [
    ({"NIP": "12345"}, "NIP", "18 angka"),
    ({"NIP": 199001012015031001.0}, "NIP", "Teks"),
    ({"NIP": None}, "NIP", "NIP wajib diisi"),
    ({"Nama": "  "}, "Nama", "Nama wajib diisi"),
    ({"Jenis kelamin": "X"}, "Jenis kelamin", "L atau P"),
    ({"Jenis kelamin": "P"}, "Jenis kelamin", "tidak sesuai dengan nomor identitas"),
    ({"Status kepegawaian": "Kontrak"}, "Status kepegawaian", "PNS, CPNS, PPPK atau Non-ASN"),
    ({"Pangkat/Golongan": "V/a"}, "Pangkat/Golongan", "tidak berlaku untuk PNS"),
    ({"Pangkat/Golongan": None}, "Pangkat/Golongan", "wajib diisi untuk PNS"),
    ({"Status kepegawaian": "PPPK"}, "NIP", "kode 21"),
    ({"NIP": "200006152018051001"}, "NIP", "sebelum pegawai berusia 18 tahun (lahir 15-06-2000)"),
    ({"Status kepegawaian": "PPPK", "NIP": "199001012018211001", "Pangkat/Golongan": "IX"}, "NIP", "sebelum 2019"),
    ({"OPD": "Dinas Z"}, "OPD", "tidak dikenal"),
    ({"Unit kerja": "Sekretariat B"}, "Unit kerja", "tidak ada di OPD ini"),
    ({"Jabatan": "Juru Ketik Istimewa"}, "Jabatan", "belum ada di katalog"),
    ({"Jenis jabatan": "JPT"}, "Jenis jabatan", "berjenis Jabatan Pelaksana"),
    ({"Jenis jabatan": "Struktural"}, "Jenis jabatan", "harus salah satu dari"),
    ({"NIP atasan": "198001012005011999"}, "NIP atasan", "tidak ditemukan"),
    ({"NIP atasan": new_nip(1)}, "NIP atasan", "tidak boleh sama"),
    ({"Email": "bukan-email"}, "Email", "tidak valid"),
    ({"No HP": "12ab"}, "No HP", "No HP harus"),
    ({"Nama bank": "Bank Jateng", "No rekening": "12ab34567"}, "No rekening", "hanya berisi angka"),
    ({"Nama bank": "Bank Jateng", "No rekening": "12345"}, "No rekening", "6–34 angka"),
    ({"Nama bank": "Bank Jateng", "No rekening": 1234567890}, "No rekening", "Format kolom ini sebagai Teks"),
    ({"Nama bank": "Bank Jateng"}, "No rekening", "bersama-sama"),
    ({"No rekening": "0012345678"}, "Nama bank", "bersama-sama"),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_named_with_its_column(bkd, cells, column, message):
    found = errors_of(bkd, [row(1, **cells)])
    assert any(error[0] == 2 and error[1] == column and message in error[2] for error in found), found


def test_a_non_asn_has_a_nik_and_no_grade(bkd):
    nik = "3277010101900001"
    assert errors_of(bkd, [row(1, NIP=nik, **{"Status kepegawaian": "Non-ASN", "Pangkat/Golongan": None})]) == []
    found = errors_of(bkd, [row(1, NIP=nik, **{"Status kepegawaian": "Non-ASN"})])
    assert [error[1] for error in found] == ["Pangkat/Golongan"]


def test_one_bad_row_saves_nothing_and_every_row_is_listed(bkd):
    before = count(Employee)
    rows = [row(1), row(2, OPD="Dinas Z"), row(3, Email="x")]
    with pytest.raises(staff_import.ImportRejected) as rejected:
        imported(bkd, rows)
    assert [error.row for error in rejected.value.errors] == [3, 4]
    assert count(Employee) == before


def test_a_duplicate_nip_is_an_error_on_both_rows(bkd):
    found = errors_of(bkd, [row(1), row(2), row(1, Nama="Orang Lain")])
    assert [(error[0], error[1]) for error in found] == [(2, "NIP"), (4, "NIP")]
    assert "baris 4" in found[0][2] and "baris 2" in found[1][2]


def test_a_missing_column_refuses_the_file(bkd):
    from kinerja.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="OPD"):
        staff_import.dry_run(bkd, xlsx([row(1)[:-6]], HEADERS[:-6]), EFFECTIVE)


# --- appraisers and cycles ------------------------------------------------------------------------------------

def test_a_cycle_inside_the_file_is_refused(bkd):
    rows = [row(1, **{"NIP atasan": new_nip(2)}), row(2, **{"NIP atasan": new_nip(3)}),
            row(3, **{"NIP atasan": new_nip(1)}), row(4, **{"NIP atasan": new_nip(1)})]
    found = errors_of(bkd, rows)
    assert [(error[0], error[1]) for error in found] == [(2, "NIP atasan"), (3, "NIP atasan"), (4, "NIP atasan")]
    assert f"{new_nip(1)} → {new_nip(2)} → {new_nip(3)} → {new_nip(1)}" in found[0][2]


def test_a_cycle_through_the_database_is_refused(bkd, org):
    """The head of A would report to her own staff member, who reports (through the appraiser) to her."""
    head = org.head_a
    rows = [row(1, NIP=head.id_number, Nama=head.name, **{"Unit kerja": "Sekretariat A",
                                                         "NIP atasan": org.staff_a.id_number})]
    found = errors_of(bkd, rows)
    assert len(found) == 1 and "berputar" in found[0][2]
    assert org.staff_a.id_number in found[0][2] and org.appraiser_a.id_number in found[0][2]


def test_an_appraiser_new_in_the_same_file(bkd, org):
    imported(bkd, [row(2, **{"NIP atasan": new_nip(1)}), row(1, **{"NIP atasan": org.head_a.id_number})])
    boss, worker = employee(new_nip(1)), employee(new_nip(2))
    assert assignments(worker.id)[0].appraiser_id == boss.id
    assert assignments(boss.id)[0].appraiser_id == org.head_a.id


def test_an_inactive_appraiser_is_refused(bkd, org):
    org.head_b.active = False
    _db.session.commit()
    found = errors_of(bkd, [row(1, **{"NIP atasan": org.head_b.id_number})])
    assert found and "nonaktif" in found[0][2]


# --- update or insert by NIP ----------------------------------------------------------------------------------

def test_a_new_employee_gets_an_assignment_and_an_account_that_must_change_its_password(bkd, org, client):
    result = imported(bkd, [row(1, **{"NIP atasan": org.appraiser_a.id_number})])
    person = employee(new_nip(1))
    assert (person.name, person.back_title, person.grade, person.employment_type) == \
        ("Pegawai Baru 1", "S.E.", "III/a", EmploymentType.PNS)
    [assignment] = assignments(person.id)
    assert (assignment.unit.name, assignment.appraiser_id, assignment.valid_from, assignment.valid_to) == \
        ("Seksi A1", org.appraiser_a.id, EFFECTIVE, None)
    user = _db.session.scalar(select(User).where(User.employee_id == person.id))
    assert user.must_change_password and [role.role for role in user.roles] == [Role.STAFF]
    [initial] = result.passwords
    assert (initial.id_number, initial.unit, initial.agency) == (person.id_number, "Seksi A1", "Dinas A")

    response = client.post("/masuk", data={"identifier": person.id_number, "password": initial.password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kata-sandi")


def test_importing_twice_changes_nothing(bkd, org):
    rows = [row(1, **{"NIP atasan": org.appraiser_a.id_number}), row(2, **{"NIP atasan": new_nip(1)}),
            row(3, NIP=org.staff_a.id_number, Nama="Staf A", **{"Gelar belakang": "", "Pangkat/Golongan": "III/a",
                "NIP atasan": org.appraiser_a.id_number, "Email": None, "No HP": None})]
    first = imported(bkd, rows)
    assert (len(first.plan.new), len(first.plan.updated)) == (2, 1)  # staff A gets the position of the file
    stamps = {e.id: e.updated_at for e in _db.session.scalars(select(Employee))}
    before = (count(Employee), count(Assignment), count(User), count(AuditEntry))

    second = imported(bkd, rows)
    assert (len(second.plan.new), len(second.plan.updated), second.plan.unchanged) == (0, 0, 3)
    assert second.passwords == [] and second.kept is None
    assert (count(Employee), count(Assignment), count(User), count(AuditEntry)) == \
        (before[0], before[1], before[2], before[3] + 1)
    assert {e.id: e.updated_at for e in _db.session.scalars(select(Employee))} == stamps
    last = _db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.action == "import_staff" and "3 tetap" in last.reason


def test_a_transfer_closes_the_assignment_the_day_before(bkd, org):
    day = EFFECTIVE + timedelta(days=10)
    staff = org.staff_a
    rows = [row(1, NIP=staff.id_number, Nama="Staf A", **{"Gelar belakang": "", "Unit kerja": "01.02",
                "NIP atasan": org.other_appraiser_a.id_number, "Email": None, "No HP": None})]
    result = imported(bkd, rows, day)
    assert result.plan.updated[0].headers == ["Jabatan", "Unit kerja", "NIP atasan"]
    old, new = assignments(staff.id)
    assert (old.unit.name, old.appraiser_id, old.valid_to) == ("Seksi A1", org.appraiser_a.id, day - timedelta(days=1))
    assert (new.unit.name, new.appraiser_id, new.valid_from, new.valid_to) == \
        ("Seksi A2", org.other_appraiser_a.id, day, None)


def test_a_change_of_data_only_keeps_the_assignment_and_a_blank_email_keeps_the_old_one(bkd, org):
    staff = org.staff_a
    staff.email = "staf.a@contoh.go.id"
    current = assignments(staff.id)[0]
    _db.session.commit()
    rows = [row(1, NIP=staff.id_number, Nama="Staf A Baru", Jabatan=current.position.name, **{
        "Gelar belakang": "", "Jenis jabatan": None, "NIP atasan": org.appraiser_a.id_number, "Email": None})]
    result = imported(bkd, rows)
    assert result.plan.updated[0].headers == ["Nama", "No HP"]
    assert len(assignments(staff.id)) == 1
    assert (employee(staff.id_number).name, employee(staff.id_number).email) == ("Staf A Baru", "staf.a@contoh.go.id")


def test_a_bank_account_is_imported_as_digits_and_a_blank_one_keeps_the_old(bkd, org):
    imported(bkd, [row(1, **{"Nama bank": " Bank  Jateng ", "No rekening": "0012-3456 789"})])
    assert (employee(new_nip(1)).bank_name, employee(new_nip(1)).bank_account) == ("Bank Jateng", "00123456789")
    plan = staff_import.dry_run(bkd, xlsx([row(1)]), EFFECTIVE)
    assert plan.unchanged == 1  # blank bank cells leave the account Kinerja knows
    result = imported(bkd, [row(1, **{"Nama bank": "BRI", "No rekening": "987654321"})])
    assert result.plan.updated[0].headers == ["Nama bank", "No rekening"]
    assert employee(new_nip(1)).bank_account == "987654321"


def test_an_assignment_starting_on_the_effective_date_is_corrected_in_place(bkd, org):
    imported(bkd, [row(1, **{"NIP atasan": org.appraiser_a.id_number})])
    imported(bkd, [row(1, **{"NIP atasan": org.other_appraiser_a.id_number, "Unit kerja": "Seksi A2"})])
    [assignment] = assignments(employee(new_nip(1)).id)
    assert (assignment.unit.name, assignment.appraiser_id) == ("Seksi A2", org.other_appraiser_a.id)


def test_an_inactive_employee_is_not_imported(bkd, org):
    org.staff_b.active = False
    _db.session.commit()
    found = errors_of(bkd, [row(1, NIP=org.staff_b.id_number, OPD="B", **{"Unit kerja": "Sekretariat B"})])
    assert found and found[0][1] == "NIP" and "nonaktif" in found[0][2]


def test_a_later_assignment_blocks_an_earlier_effective_date(bkd, org):
    later = EmployeeFactory(id_number=new_nip(50))
    from tests.factories import AssignmentFactory

    AssignmentFactory(employee=later, unit=org.agency_a.units[0], agency=org.agency_a,
                      valid_from=EFFECTIVE + timedelta(days=30))
    _db.session.commit()
    found = errors_of(bkd, [row(50, Nama=later.name)])
    assert found and "berlaku mulai" in found[0][2]


# --- the agency admin's scope ---------------------------------------------------------------------------------

def test_an_agency_admin_imports_only_into_their_agency(bkd, org):
    admin = org.agency_admin_a
    found = errors_of(admin, [row(1), row(2, OPD="B", **{"Unit kerja": "Sekretariat B"}),
                              row(3, NIP=org.staff_b.id_number, Nama="Staf B")])
    assert [(error[0], error[1]) for error in found] == [(3, "OPD"), (4, "OPD")]
    assert "di luar wewenang" in found[0][2] and "OPD lain" in found[1][2]


def test_staff_cannot_import(bkd, org):
    from kinerja.errors import NotAllowed

    with pytest.raises(NotAllowed):
        staff_import.dry_run(org.user(org.staff_a), xlsx([row(1)]), EFFECTIVE)


# --- pages ----------------------------------------------------------------------------------------------------

def upload(client, content: bytes, day: date = EFFECTIVE):
    return client.post("/admin/impor-pegawai", data={"file": (io.BytesIO(content), "pegawai.xlsx"),
                                                     "effective_date": day.isoformat()},
                       content_type="multipart/form-data")


def staged_token(page: str) -> str:
    return page.split('name="token" type="hidden" value="')[1].split('"')[0]


def test_pages_are_for_admins_only(bkd, org, auth, client):
    auth.login(org.staff_a.id_number)
    assert client.get("/admin/impor-pegawai").status_code == 403
    assert client.get("/admin/impor-pegawai/template.xlsx").status_code == 403


def test_a_file_with_errors_lists_them_and_offers_no_confirmation(bkd, auth, client):
    auth.login("admin.bkd")
    page = upload(client, xlsx([row(1, OPD="Dinas Z")])).get_data(as_text=True)
    assert "Kesalahan per baris" in page and "tidak dikenal" in page
    assert "Simpan impor" not in page


def test_check_then_confirm_then_see_the_result(bkd, org, auth, client):
    auth.login("admin.bkd")
    page = upload(client, xlsx([row(1, **{"NIP atasan": org.appraiser_a.id_number})])).get_data(as_text=True)
    assert "Berkas lolos pemeriksaan" in page and "Simpan impor" in page and "1 akun baru akan dibuat" in page
    assert employee(new_nip(1)) is None  # the dry run saved nothing
    token = staged_token(page)
    response = client.post("/admin/impor-pegawai/simpan",
                           data={"token": token, "effective_date": EFFECTIVE.isoformat(), "file_name": "p.xlsx"})
    result = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kata sandi awal 1 akun baru" in result
    assert employee(new_nip(1)) is not None
    assert f"/opd/{org.agency_a.id}" in result
    again = client.post("/admin/impor-pegawai/simpan",
                        data={"token": token, "effective_date": EFFECTIVE.isoformat(), "file_name": "p.xlsx"},
                        follow_redirects=True)
    assert "tidak ditemukan lagi" in again.get_data(as_text=True)


def test_a_confirmation_without_csrf_token_is_refused(bkd, org, auth, client, app, monkeypatch):
    token = staff_import_store.stage(org.bkd_admin, xlsx([row(1)]))
    auth.login("admin.bkd")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/admin/impor-pegawai/simpan",
                           data={"token": token, "effective_date": EFFECTIVE.isoformat(), "file_name": "p.xlsx"})
    assert response.status_code == 400 and employee(new_nip(1)) is None


def test_another_admin_cannot_confirm_a_staged_file(bkd, org, auth, client):
    token = staff_import_store.stage(org.superadmin, xlsx([row(1)]))
    auth.login("admin.bkd")
    response = client.post("/admin/impor-pegawai/simpan", follow_redirects=True,
                           data={"token": token, "effective_date": EFFECTIVE.isoformat(), "file_name": "p.xlsx"})
    assert "tidak ditemukan lagi" in response.get_data(as_text=True)
    assert employee(new_nip(1)) is None


def test_the_template_has_the_columns_and_the_agency_admins_references(bkd, org, auth, client):
    auth.login("admin.a")
    response = client.get("/admin/impor-pegawai/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert [cell.value for cell in workbook["Pegawai"][1]] == HEADERS
    assert workbook["Pegawai"]["A2"].number_format == "@"
    agencies = {row[0] for row in workbook["OPD dan unit"].iter_rows(min_row=2, values_only=True)}
    assert agencies == {"A"}
    positions = [row[0] for row in workbook["Jabatan"].iter_rows(min_row=2, values_only=True)]
    assert POSITION in positions


# --- the demo sample ------------------------------------------------------------------------------------------

def test_the_sample_imports_cleanly_and_only_once(bkd, org, app, tmp_path):
    from kinerja.demo.commands import staff_sample_command

    path = tmp_path / "contoh.xlsx"
    result = app.test_cli_runner().invoke(staff_sample_command, [str(path)])
    assert result.exit_code == 0 and "200 pegawai" in result.output
    plan = staff_import.dry_run(bkd, path.read_bytes(), EFFECTIVE)
    assert plan.ok and len(plan.new) == 200 and plan.total == 200
    staff_import.import_staff(bkd, path.read_bytes(), EFFECTIVE, "contoh.xlsx", keep_passwords=lambda content: "kept")
    again = app.test_cli_runner().invoke(staff_sample_command, [str(path), "--admin", "admin.bkd"])  # the same file
    assert again.exit_code == 0
    assert staff_import.dry_run(bkd, path.read_bytes(), EFFECTIVE).unchanged == 200


def test_the_sample_needs_a_known_admin_and_is_not_served_by_the_app(bkd, org, app, auth, client, tmp_path):
    from kinerja.demo.commands import staff_sample_command

    result = app.test_cli_runner().invoke(staff_sample_command, [str(tmp_path / "x.xlsx"), "--admin", "nobody"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    auth.login("admin.bkd")
    assert client.get("/admin/impor-pegawai/contoh.xlsx").status_code == 404


def test_the_sample_fits_the_demo_regency(db):
    from kinerja.demo.seed import seed_demo
    from kinerja.demo.staff_import_sample import sample_workbook

    seed_demo(EFFECTIVE)
    admin = _db.session.scalar(select(User).where(User.username == "admin.bkd"))
    result = staff_import.import_staff(admin, sample_workbook(admin, EFFECTIVE), EFFECTIVE, "contoh.xlsx",
                                       keep_passwords=lambda content: "kept")
    assert len(result.plan.new) == 200
    agencies = _db.session.scalars(select(Assignment.agency_id).join(Employee, Employee.id == Assignment.employee_id)
                                   .where(Employee.id_number.in_([c.id_number for c in result.plan.new]))).all()
    assert len(set(agencies)) == 5


# --- command line ---------------------------------------------------------------------------------------------

def test_the_command_checks_then_imports(bkd, org, app, tmp_path):
    path, out = tmp_path / "pegawai.xlsx", tmp_path / "kata-sandi.xlsx"
    path.write_bytes(xlsx([row(1, **{"NIP atasan": org.appraiser_a.id_number})]))
    runner = app.test_cli_runner()
    checked = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd", "--dry-run"])
    assert checked.exit_code == 0 and "1 baru" in checked.output and "--passwords-out" in checked.output
    assert employee(new_nip(1)) is None
    done = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd", "--passwords-out", str(out)])
    assert done.exit_code == 0 and f"ditulis ke {out}" in done.output
    assert employee(new_nip(1)) is not None
    path.write_bytes(xlsx([row(2, OPD="Dinas Z")]))
    refused = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd"])
    assert refused.exit_code == 1 and "tidak dikenal" in refused.output


def test_the_command_writes_the_passwords_only_to_a_new_private_file(bkd, app, tmp_path):
    path, out = tmp_path / "pegawai.xlsx", tmp_path / "kata-sandi.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]))
    runner = app.test_cli_runner()
    done = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd", "--passwords-out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.stat().st_mode & 0o777 == 0o600
    sheet = load_workbook(out)["Kata sandi awal"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {new_nip(1), new_nip(2)}
    assert not any(password in done.output for password in password_cells(out.read_bytes()))

    path.write_bytes(xlsx([row(3)]))
    again = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd", "--passwords-out", str(out)])
    assert again.exit_code == 1 and "sudah ada" in again.output and employee(new_nip(3)) is None


def test_the_command_refuses_to_create_accounts_without_a_passwords_file(bkd, org, app, tmp_path):
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]))
    runner = app.test_cli_runner()
    refused = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd"])
    assert refused.exit_code == 1 and "2 akun baru" in refused.output and "--passwords-out" in refused.output
    assert employee(new_nip(1)) is None and count(AuditEntry) == 0
    staff = org.staff_a  # an update creates no account and needs no passwords file
    path.write_bytes(xlsx([row(1, NIP=staff.id_number, Nama="Staf A Baru", **{
        "Gelar belakang": "", "Unit kerja": "Seksi A1", "NIP atasan": org.appraiser_a.id_number})]))
    updated = runner.invoke(staff_cli, ["import", str(path), "--admin", "admin.bkd"])
    assert updated.exit_code == 0, updated.output
    assert employee(staff.id_number).name == "Staf A Baru"


# --- initial passwords: one per account, handed over once ------------------------------------------------------

def password_cells(content: bytes) -> dict[str, str]:
    """NIP → password from the passwords workbook, after checking its headers."""
    sheet = load_workbook(io.BytesIO(content))["Kata sandi awal"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("NIP", "Nama", "OPD", "Unit kerja", "Kata sandi awal")
    return {nip: password for nip, _name, _agency, _unit, password in rows[1:]}


def sign_in(client, nip: str, password: str):
    client.post("/keluar")
    return client.post("/masuk", data={"identifier": nip, "password": password})


def test_every_new_account_has_its_own_password_that_signs_in_once(bkd, org, client, app):
    kept: list[bytes] = []
    result = imported(bkd, [row(n, **{"NIP atasan": org.appraiser_a.id_number}) for n in (1, 2, 3)], kept=kept)
    passwords = {item.id_number: item.password for item in result.passwords}
    assert len(set(passwords.values())) == 3 and password_cells(kept[0]) == passwords
    from kinerja.auth.services import password_problems

    for nip, password in passwords.items():
        user = org.user(employee(nip))
        assert user.must_change_password and user.password_hash.startswith("pbkdf2:sha256:1000$")
        assert password_problems(password, user) == []  # the policy would accept it
        response = sign_in(client, nip, password)
        assert response.status_code == 302 and response.headers["Location"].endswith("/kata-sandi")
        assert client.get("/").headers["Location"].endswith("/kata-sandi")  # held there until changed

    assert sign_in(client, new_nip(1), passwords[new_nip(2)]).status_code == 200  # a colleague's is refused
    sign_in(client, new_nip(1), passwords[new_nip(1)])
    changed = client.post("/kata-sandi", data={"current_password": passwords[new_nip(1)],
                                              "new_password": "Pohon-Mangga-Berbuah-9",
                                              "confirm_password": "Pohon-Mangga-Berbuah-9"})
    assert changed.status_code == 302
    user = org.user(employee(new_nip(1)))
    _db.session.refresh(user)
    method = app.config["PASSWORD_HASH_METHOD"]
    assert not user.must_change_password and not password_hashes.needs_rehash(user.password_hash, method)
    assert password_hashes.verify(user.password_hash, "Pohon-Mangga-Berbuah-9")


def test_no_password_is_stored_in_clear(bkd, org):
    result = imported(bkd, [row(n, **{"NIP atasan": org.appraiser_a.id_number}) for n in (1, 2)])
    dump = " ".join(str(value) for table in _db.metadata.sorted_tables
                    for record in _db.session.execute(table.select()) for value in record)
    assert result.passwords and not any(item.password in dump for item in result.passwords)
    assert "import_staff" in dump  # the audit trail is in the dump
    assert all(item.password not in repr(item) for item in result.passwords)


def test_a_known_employee_without_an_account_gets_one(bkd, org):
    from tests.factories import AssignmentFactory

    person = EmployeeFactory(id_number=new_nip(60), name="Tanpa Akun")
    AssignmentFactory(employee=person, unit=org.agency_a.units[0], agency=org.agency_a,
                      valid_from=EFFECTIVE - timedelta(days=30))
    _db.session.commit()
    plan = staff_import.dry_run(bkd, xlsx([row(60, Nama="Tanpa Akun"), row(1)]), EFFECTIVE)
    assert plan.accounts == [new_nip(60), new_nip(1)] and len(plan.new) == 1
    result = imported(bkd, [row(60, Nama="Tanpa Akun"), row(1)])
    assert {item.id_number for item in result.passwords} == {new_nip(60), new_nip(1)}
    assert org.user(person).must_change_password


def test_an_import_creating_accounts_needs_a_place_for_the_passwords(bkd):
    with pytest.raises(staff_import.PasswordsNeeded) as needed:
        staff_import.import_staff(bkd, xlsx([row(1), row(2)]), EFFECTIVE, "uji.xlsx")
    assert needed.value.accounts == 2 and employee(new_nip(1)) is None


def test_passwords_that_cannot_be_kept_save_nothing(bkd):
    def full_disk(content: bytes) -> str:
        raise OSError(28, "No space left on device")

    users = count(User)
    with pytest.raises(OSError):
        staff_import.import_staff(bkd, xlsx([row(1)]), EFFECTIVE, "uji.xlsx", keep_passwords=full_disk)
    assert employee(new_nip(1)) is None and count(User) == users and count(AuditEntry) == 0


def test_names_in_the_passwords_workbook_cannot_become_formulas(bkd):
    kept: list[bytes] = []
    imported(bkd, [row(1, Nama="@SUM(1+1) Budi")], kept=kept)
    sheet = load_workbook(io.BytesIO(kept[0]))["Kata sandi awal"]
    assert sheet["B2"].value == "'@SUM(1+1) Budi" and sheet["B2"].data_type == "s"
    assert sheet["A2"].data_type == "s" and sheet["E2"].data_type == "s"


# --- the passwords on the result page and their one download ---------------------------------------------------

def confirm(client, rows: list[list]):
    page = upload(client, xlsx(rows)).get_data(as_text=True)
    return client.post("/admin/impor-pegawai/simpan", data={"token": staged_token(page), "file_name": "p.xlsx",
                                                             "effective_date": EFFECTIVE.isoformat()})


def download_token(page: str) -> str:
    form = page.split('action="/admin/impor-pegawai/kata-sandi-awal"')[1]
    return form.split('name="token" type="hidden" value="')[1].split('"')[0]


def download(client, token: str):
    return client.post("/admin/impor-pegawai/kata-sandi-awal", data={"token": token})


@pytest.fixture()
def store(app):
    """The staff-import folder, emptied of other tests' files."""
    import shutil
    from pathlib import Path

    folder = Path(app.config["UPLOAD_FOLDER"]) / staff_import_store.FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def passwords_files(folder) -> list:
    return list(folder.glob("*.kata-sandi*"))


def test_the_importer_downloads_the_passwords_once(bkd, org, auth, client, store):
    auth.login("admin.bkd")
    response = confirm(client, [row(1), row(2)])
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "secara pribadi" in page and "satu kali" in page and 'href="/admin/akun"' in page
    shown = [cell.split(">")[1].split("<")[0] for cell in page.split("data-initial-password")[1:]]
    assert len(shown) == 2
    [stored] = passwords_files(store)
    assert not stored.read_bytes().startswith(b"PK")  # encrypted at rest
    assert not any(password.encode() in stored.read_bytes() for password in shown)

    token = download_token(page)
    first = download(client, token)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert first.mimetype.endswith("spreadsheetml.sheet") and "kata-sandi-awal" in first.headers["Content-Disposition"]
    assert sorted(password_cells(first.data).values()) == sorted(shown)
    assert passwords_files(store) == []
    assert download(client, token).status_code == 404


def test_another_admin_cannot_download_the_passwords(bkd, org, auth, client, app):
    auth.login("admin.bkd")
    token = download_token(confirm(client, [row(1)]).get_data(as_text=True))
    auth.logout()
    auth.login("superadmin")
    assert download(client, token).status_code == 404
    assert download(client, "bukan-token").status_code == 404
    auth.logout()
    auth.login("admin.bkd")
    assert download(client, token).status_code == 200  # still there for the importer


def test_the_passwords_expire_after_a_day(bkd, org, auth, client, store):
    import os
    import time

    auth.login("admin.bkd")
    token = download_token(confirm(client, [row(1)]).get_data(as_text=True))
    [stored] = passwords_files(store)
    old = time.time() - staff_import_store.MAX_AGE_SECONDS - 60
    os.utime(stored, (old, old))
    assert download(client, token).status_code == 404 and passwords_files(store) == []


def test_a_download_without_csrf_token_is_refused(bkd, org, auth, client, app, monkeypatch):
    token = staff_import_store.keep_passwords(org.bkd_admin, b"PK-uji")
    auth.login("admin.bkd")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert download(client, token).status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert download(client, token).data == b"PK-uji"


def test_a_large_import_lists_no_passwords_on_the_page(bkd, org, auth, client):
    auth.login("admin.bkd")
    page = confirm(client, [row(n) for n in range(1, 52)]).get_data(as_text=True)
    assert "Kata sandi awal 51 akun baru" in page and "data-initial-password" not in page
    assert "ada di berkas unduhan" in page
    assert len(password_cells(download(client, download_token(page)).data)) == 51
