"""BKD's holiday calendar (the national list with cuti bersama, regional holidays, cancellations) and the
regency's identity with its uploaded logo, as far as the report PDF."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import holidays as holiday_data
import pytest
from PIL import Image
from sqlalchemy import select

from kinerja.activities.queries import month_overview
from kinerja.admin.calendar import year_calendar
from kinerja.models import AuditEntry, HolidayEntry, HolidayKind, Regency
from kinerja.reports import pdf as report_pdf
from kinerja.reports.data import employee_month
from kinerja.workcalendar import calendar_between
from tests.factories import HolidayEntryFactory

CUTI_BERSAMA_2026 = [date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
                     date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)]
FRIDAY = date(2026, 11, 20)
INDEPENDENCE_DAY = date(2026, 8, 17)  # a Monday


def audits(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def entries(db) -> list[tuple[date, str, HolidayKind, bool]]:
    return [(e.day, e.name, e.kind, e.is_day_off) for e in db.session.scalars(select(HolidayEntry)
                                                                                .order_by(HolidayEntry.day))]


def working(day: date) -> bool:
    (calendar_day,) = calendar_between(day, day, 5)
    return calendar_day.working


@pytest.fixture()
def bkd(auth, org):
    auth.login("admin.bkd")
    return org


# --- The year's list ------------------------------------------------------------------------------------------

def test_2026_includes_the_governments_cuti_bersama_and_national_holidays(db):
    rows = {row.day: row for row in year_calendar(2026)}
    government = holiday_data.Indonesia(years=2026, categories=("government",))
    assert sorted(government) == CUTI_BERSAMA_2026
    assert sorted(day for day, row in rows.items() if row.kind is HolidayKind.CUTI_BERSAMA) == CUTI_BERSAMA_2026
    assert rows[date(2026, 12, 24)].name == "Cuti Bersama Hari Raya Natal"
    assert (rows[INDEPENDENCE_DAY].kind, rows[INDEPENDENCE_DAY].source) == (HolidayKind.NATIONAL, "package")
    assert rows[date(2026, 3, 21)].name == "Hari Raya Idul Fitri"
    assert date(2026, 8, 18) not in rows


def test_the_page_lists_the_year_in_indonesian(client, bkd):
    page = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "Kalender hari libur 2026" in page
    block = re.search(r'id="hari-2026-12-24">(.*?)</li>', page, re.S).group(1)
    assert "Kamis, 24 Desember 2026" in block and "Cuti Bersama Hari Raya Natal" in block
    assert "Cuti bersama" in block and "Daftar resmi" in block
    assert "Senin, 17 Agustus 2026" in page and "Libur nasional" in page
    assert page.count('id="hari-2026-') == 25  # 17 national holidays and 8 days of cuti bersama


def test_a_bad_year_falls_back_to_this_year(client, bkd):
    assert client.get("/admin/kalender?tahun=abc").status_code == 200
    assert client.get("/admin/kalender?tahun=99999").status_code == 200


# --- Regional holidays ----------------------------------------------------------------------------------------

def test_a_regional_holiday_takes_a_working_day_out_of_the_month(client, bkd, db, app):
    before = month_overview(bkd.staff_a.id, date(2026, 11, 1))
    response = client.post("/admin/kalender/tambah", data={"day": "2026-11-20", "name": " Hari Jadi  Kota Uji "})
    assert response.status_code == 302 and response.location.endswith("/admin/kalender?tahun=2026#hari-2026-11-20")
    assert entries(db) == [(FRIDAY, "Hari Jadi Kota Uji", HolidayKind.REGIONAL, True)]
    assert not working(FRIDAY)
    after = month_overview(bkd.staff_a.id, date(2026, 11, 1))
    assert after.working_days == before.working_days - 1
    assert after.target_minutes == before.target_minutes - app.config["EFFECTIVE_MINUTES_PER_DAY"]
    (entry,) = audits(db, "add_holiday")
    assert (entry.actor_id, entry.to_state, entry.reason) == (bkd.bkd_admin.id, "regional",
                                                              "2026-11-20 Hari Jadi Kota Uji")
    page = client.get(response.location).get_data(as_text=True)
    assert "Libur daerah Hari Jadi Kota Uji pada Jumat, 20 November 2026 ditambahkan" in page


@pytest.mark.parametrize(("day", "message"), [
    ("2026-11-20", "Tanggal 20 November 2026 sudah ada di kalender: Hari Jadi Kota Uji."),
    ("2026-08-17", "Tanggal 17 Agustus 2026 sudah ada di kalender: Hari Kemerdekaan Republik Indonesia."),
    ("2026-12-24", "Tanggal 24 Desember 2026 sudah ada di kalender: Cuti Bersama Hari Raya Natal."),
])
def test_a_date_already_in_the_calendar_is_refused_clearly(client, bkd, db, day, message):
    HolidayEntryFactory(day=FRIDAY)
    db.session.commit()
    response = client.post("/admin/kalender/tambah", data={"day": day, "name": "Libur Lain"})
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert re.search(r'name="day"[^>]*>\s*<div class="invalid-feedback d-block">' + re.escape(message), page)
    assert len(entries(db)) == 1 and audits(db, "add_holiday") == []


def test_a_day_taken_meanwhile_by_another_admin_is_refused_clearly(db, org, monkeypatch):
    from kinerja.admin import calendar
    from kinerja.errors import Conflict

    HolidayEntryFactory(day=FRIDAY)
    db.session.commit()
    monkeypatch.setattr(calendar, "entry_on", lambda day: None)  # as if the other admin saved after our check
    with pytest.raises(Conflict, match="baru saja diisi admin lain"):
        calendar.add_regional_holiday(org.bkd_admin, FRIDAY, "Libur Lain")
    assert entries(db) == [(FRIDAY, "Hari Jadi Kota Uji", HolidayKind.REGIONAL, True)]


@pytest.mark.parametrize(("data", "field_text"), [
    ({"day": "", "name": "Libur"}, "Pilih tanggal."),
    ({"day": "2026-11-20", "name": ""}, "Wajib diisi."),
    ({"day": "2026-11-20", "name": "x" * 121}, "Paling banyak 120 karakter."),
])
def test_the_add_form_checks_its_fields(client, bkd, db, data, field_text):
    response = client.post("/admin/kalender/tambah", data=data)
    assert response.status_code == 200
    assert field_text in response.get_data(as_text=True)
    assert entries(db) == []


def test_bkd_renames_and_deletes_a_regional_holiday(client, bkd, db):
    HolidayEntryFactory(day=FRIDAY)
    db.session.commit()
    assert client.post("/admin/kalender/2026-11-20/ganti-nama", data={"name": "Hari Jadi ke-100"}).status_code == 302
    assert entries(db) == [(FRIDAY, "Hari Jadi ke-100", HolidayKind.REGIONAL, True)]
    assert audits(db, "rename_holiday")[0].reason == "2026-11-20 Hari Jadi Kota Uji → Hari Jadi ke-100"
    response = client.post("/admin/kalender/2026-11-20/hapus", follow_redirects=True)
    assert "Libur daerah Hari Jadi ke-100 pada 20 November 2026 dihapus." in response.get_data(as_text=True)
    assert entries(db) == [] and working(FRIDAY)
    assert audits(db, "delete_holiday")[0].reason == "2026-11-20 Hari Jadi ke-100"


def test_removing_a_day_without_an_entry_is_404(client, bkd):
    assert client.post("/admin/kalender/2026-11-19/hapus").status_code == 404


# --- Correcting the national list -----------------------------------------------------------------------------

def test_cancelling_a_listed_holiday_makes_it_a_working_day_and_restoring_it_undoes_that(client, bkd, db):
    before = month_overview(bkd.staff_a.id, date(2026, 8, 1)).working_days
    response = client.post("/admin/kalender/2026-08-17/batalkan", data={"reason": "SK Bupati 12/2026"},
                           follow_redirects=True)
    assert "hari itu menjadi hari kerja" in response.get_data(as_text=True)
    assert entries(db) == [(INDEPENDENCE_DAY, "Hari Kemerdekaan Republik Indonesia", HolidayKind.NATIONAL, False)]
    assert working(INDEPENDENCE_DAY)
    assert month_overview(bkd.staff_a.id, date(2026, 8, 1)).working_days == before + 1
    (cancelled,) = audits(db, "cancel_holiday")
    assert (cancelled.from_state, cancelled.to_state, cancelled.reason) == (
        "national", "working_day", "2026-08-17 Hari Kemerdekaan Republik Indonesia: SK Bupati 12/2026")
    row = next(row for row in year_calendar(2026) if row.day == INDEPENDENCE_DAY)
    assert row.cancelled
    page = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "Dibatalkan: hari kerja" in re.search(r'id="hari-2026-08-17">(.*?)</li>', page, re.S).group(1)

    client.post("/admin/kalender/2026-08-17/hapus")
    assert entries(db) == [] and not working(INDEPENDENCE_DAY)
    assert len(audits(db, "restore_holiday")) == 1


@pytest.mark.parametrize(("day", "reason", "message"), [
    ("2026-08-17", "", "Tulis alasan pembatalan."),
    ("2026-08-18", "SK", "Tanggal ini bukan libur nasional atau cuti bersama."),
])
def test_cancelling_needs_a_reason_and_a_listed_holiday(client, bkd, db, day, reason, message):
    response = client.post(f"/admin/kalender/{day}/batalkan", data={"reason": reason}, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert entries(db) == [] and audits(db, "cancel_holiday") == []


def test_cancelling_twice_is_refused(client, bkd, db):
    client.post("/admin/kalender/2026-12-24/batalkan", data={"reason": "SK"})
    response = client.post("/admin/kalender/2026-12-24/batalkan", data={"reason": "SK"}, follow_redirects=True)
    assert "Libur ini sudah dibatalkan." in response.get_data(as_text=True)
    assert len(audits(db, "cancel_holiday")) == 1


def test_renaming_a_listed_holiday_keeps_it_a_day_off_and_shows_the_official_name(client, bkd, db):
    client.post("/admin/kalender/2026-12-24/ganti-nama", data={"name": "Cuti Bersama Natal"})
    assert entries(db) == [(date(2026, 12, 24), "Cuti Bersama Natal", HolidayKind.CUTI_BERSAMA, True)]
    assert not working(date(2026, 12, 24))
    page = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "Nama resmi: Cuti Bersama Hari Raya Natal" in page
    client.post("/admin/kalender/2026-12-24/hapus")
    assert entries(db) == [] and not working(date(2026, 12, 24))


# --- Who may --------------------------------------------------------------------------------------------------

def test_agency_admins_read_the_calendar_without_changing_it(client, auth, org, db):
    auth.login("admin.a")
    page = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "Cuti Bersama Hari Raya Natal" in page
    assert "Tambah libur daerah" not in page and "/batalkan" not in page
    assert client.post("/admin/kalender/tambah", data={"day": "2026-11-20", "name": "X"}).status_code == 403
    assert client.post("/admin/kalender/2026-08-17/batalkan", data={"reason": "X"}).status_code == 403
    assert entries(db) == []


def test_staff_cannot_open_the_calendar(client, auth, org):
    auth.login(org.staff_a.id_number)
    assert client.get("/admin/kalender").status_code == 403


def test_calendar_changes_need_the_csrf_token(app, client, bkd, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/admin/kalender/tambah", data={"day": "2026-11-20", "name": "X"}).status_code == 400
    assert client.post("/admin/kalender/2026-08-17/batalkan", data={"reason": "X"}).status_code == 400
    assert entries(db) == []


# --- Regency identity and logo --------------------------------------------------------------------------------

def image_bytes(size: tuple[int, int], kind: str = "PNG", mode: str = "RGBA") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else 0).save(output, kind)
    return output.getvalue()


def identity(name: str = "Pemerintah Kabupaten Uji", city: str = "Sukamaju", logo: bytes | None = None,
             filename: str = "logo.png", **extra) -> dict:
    data = {"name": name, "signature_city": city, **extra}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), filename)
    return data


def regency(db) -> Regency:
    db.session.expire_all()
    return db.session.scalar(select(Regency))


def test_a_real_png_logo_is_stored_outside_static_and_printed_on_the_report(app, client, bkd, db):
    response = client.post("/admin/pengaturan/identitas", data=identity(logo=image_bytes((240, 160))),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    current = regency(db)
    assert (current.name, current.signature_city) == ("Pemerintah Kabupaten Uji", "Sukamaju")
    assert re.fullmatch(r"upload:branding/[0-9a-f]{64}\.png", current.logo_path)
    stored = Path(app.config["UPLOAD_FOLDER"]) / "branding" / current.logo_path.split("/")[-1]
    assert stored.is_file() and not str(stored).startswith(app.static_folder)
    with Image.open(stored) as saved:
        assert (saved.format, saved.size) == ("PNG", (240, 160))
    assert "logo" in audits(db, "change_regency")[0].reason
    month = employee_month(bkd.staff_a.id, date(2026, 11, 1), date(2026, 11, 30))
    source = report_pdf.logo_src(month.logo)
    assert source.startswith("data:image/png;base64,")
    assert base64.b64decode(source.split(",", 1)[1]) == stored.read_bytes()
    picture = client.get("/admin/pengaturan/logo")
    assert (picture.status_code, picture.mimetype) == (200, "image/png")
    assert picture.data == stored.read_bytes()


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages (poppler-utils) is missing")
def test_the_uploaded_logo_is_drawn_in_the_report_pdf(client, bkd, db):
    client.post("/admin/pengaturan/identitas", data=identity(logo=image_bytes((240, 160))),
                content_type="multipart/form-data")
    month = employee_month(bkd.staff_a.id, date(2026, 11, 1), date(2026, 11, 30))
    document = report_pdf.employee_pdf(month, code="K7Q2-M9XD", verify_url="https://contoh.go.id/v/K7Q2-M9XD")
    listing = subprocess.run(["pdfimages", "-list", "-"], input=document, capture_output=True, check=True)
    assert re.search(rb"\n\s*1\s+\d+\s+image\s+240\s+160\b", listing.stdout), listing.stdout.decode()


def test_a_jpeg_logo_is_scaled_down_and_re_encoded_as_png(app, client, bkd, db):
    client.post("/admin/pengaturan/identitas", data=identity(logo=image_bytes((1600, 1200), "JPEG", "RGB"),
                                                              filename="logo.jpg"),
                content_type="multipart/form-data")
    path = Path(app.config["UPLOAD_FOLDER"]) / "branding" / regency(db).logo_path.split("/")[-1]
    with Image.open(path) as saved:
        assert (saved.format, saved.size) == ("PNG", (600, 450))


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"bukan gambar, hanya teks\n", "logo.png", "Berkas ini bukan gambar PNG, JPEG atau WebP yang dapat dibaca."),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>',
     "logo.svg", "Berkas ini bukan gambar PNG, JPEG atau WebP yang dapat dibaca."),
    (image_bytes((5000, 5000), mode="1"), "besar.png", "Ukuran logo tidak wajar (5000 × 5000 piksel)"),
    (image_bytes((20, 20)), "kecil.png", "Ukuran logo tidak wajar (20 × 20 piksel)"),
    (image_bytes((64, 64), "GIF", "L"), "logo.gif", "Logo harus berupa gambar PNG, JPEG atau WebP."),
    (b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "berat.png", "Logo lebih dari 2 MB."),
])
def test_logos_that_are_not_sound_raster_pictures_are_refused(app, client, bkd, db, content, filename, message):
    branding = Path(app.config["UPLOAD_FOLDER"]) / "branding"
    files_before = set(branding.iterdir()) if branding.exists() else set()
    response = client.post("/admin/pengaturan/identitas", data=identity(name="Nama Baru", logo=content,
                                                                         filename=filename),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("&#215;", "×")
    assert message in page
    assert (regency(db).name, regency(db).logo_path) == ("Pemerintah Kota Uji", None)
    assert audits(db, "change_regency") == []
    assert (set(branding.iterdir()) if branding.exists() else set()) == files_before


def test_identity_without_a_new_logo_keeps_the_old_one_and_can_remove_it(client, bkd, db):
    client.post("/admin/pengaturan/identitas", data=identity(logo=image_bytes((64, 64))),
                content_type="multipart/form-data")
    logo = regency(db).logo_path
    client.post("/admin/pengaturan/identitas", data=identity(city="Kota Lain"), content_type="multipart/form-data")
    assert (regency(db).signature_city, regency(db).logo_path) == ("Kota Lain", logo)
    client.post("/admin/pengaturan/identitas", data=identity(city="Kota Lain", remove_logo="y"),
                content_type="multipart/form-data")
    assert regency(db).logo_path is None
    assert client.get("/admin/pengaturan/logo").status_code == 404
    assert len(audits(db, "change_regency")) == 3


def test_a_regency_not_set_up_yet_is_created(client, bkd, db):
    db.session.delete(regency(db))
    db.session.commit()
    assert client.get("/admin/pengaturan/identitas").status_code == 200
    assert client.post("/admin/pengaturan/identitas", data=identity()).status_code == 302
    assert (regency(db).name, regency(db).signature_city, regency(db).logo_path) == (
        "Pemerintah Kabupaten Uji", "Sukamaju", None)


def test_identity_fields_are_required(client, bkd, db):
    response = client.post("/admin/pengaturan/identitas", data=identity(name=" ", city=""))
    assert response.status_code == 200 and "Wajib diisi." in response.get_data(as_text=True)
    assert regency(db).name == "Pemerintah Kota Uji"


@pytest.mark.parametrize("logo", ["upload:branding/../../../etc/passwd.png", "upload:../branding.png",
                                  "upload:branding/missing.png", "upload:branding/", "upload:branding/x.svg"])
def test_logo_src_refuses_uploads_outside_the_branding_folder(db, logo):
    assert report_pdf.logo_src(logo) == report_pdf.static_url("lambang.svg")


def test_the_logo_route_needs_a_signed_in_user(client, org):
    assert client.get("/admin/pengaturan/logo").status_code == 302
