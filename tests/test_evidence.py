"""Evidence (bukti dukung): what may be uploaded, how it is stored, who may download it, links, deletion."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select, update

from kinerja.activities import evidence as evidence_module
from kinerja.activities.evidence import path_of
from kinerja.models import Activity, ActivityStatus, Evidence, EvidenceKind, Role
from tests.factories import UserFactory, activity_count, activity_form, field_error, freeze_now

DAY_URL = "/kegiatan/2026-11-17"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240 + b"This program cannot be run"
REFUSED_TYPE = "tidak diterima: hanya PDF, JPEG, PNG, WebP, DOCX atau XLSX."


def image(kind: str, **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, kind, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0132] = "2026:11:17 08:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps.update({1: "S", 2: (6.0, 52.0, 20.0), 3: "E", 4: (107.0, 32.0, 30.0)})
    return image("JPEG", exif=exif)


def package(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Rekap kegiatan"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_files(app) -> set[Path]:
    return {path for path in (Path(app.config["UPLOAD_FOLDER"]) / "evidence").rglob("*") if path.is_file()}


def upload(client, *files: tuple[bytes, str], **fields):
    data = activity_form(**fields)
    data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(DAY_URL, data=data, content_type="multipart/form-data")


@pytest.fixture()
def staff(db, org, auth, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    return org


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("laporan.pdf", PDF, "application/pdf", "pdf"),
        ("foto.jpg", jpeg_with_gps(), "image/jpeg", "jpg"),
        ("layar.png", image("PNG"), "image/png", "png"),
        ("foto.webp", image("WEBP"), "image/webp", "webp"),
        ("nota.docx", package("[Content_Types].xml", "word/document.xml"), DOCX, "docx"),
        ("rekap.xlsx", xlsx(), XLSX, "xlsx"),
        ("tanpa-ekstensi", PDF, "application/pdf", "pdf"),  # the content decides, not the name
    ],
)
def test_accepted_files_are_stored_under_random_names(app, client, db, staff, name, content, content_type,
                                                      extension):
    response = upload(client, (content, name))
    assert response.status_code == 302
    item = db.session.scalars(select(Evidence)).one()
    assert (item.kind, item.original_name, item.content_type) == (EvidenceKind.FILE, name, content_type)
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", item.stored_name)
    path = path_of(item.stored_name).resolve()
    assert path.is_file() and item.size_bytes == path.stat().st_size
    assert path.is_relative_to(Path(app.config["UPLOAD_FOLDER"]).resolve())
    assert not path.is_relative_to(Path(app.static_folder).resolve())
    if extension in ("pdf", "docx", "xlsx"):
        assert path.read_bytes() == content
    else:
        with Image.open(path) as stored:
            assert (stored.format.lower().replace("jpeg", "jpg"), stored.size) == (extension, (40, 30))


def test_jpeg_is_stored_without_exif(client, db, staff):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the photo does carry GPS
    assert upload(client, (original, "lokasi.jpg")).status_code == 302
    stored = path_of(db.session.scalars(select(Evidence.stored_name)).one())
    with Image.open(stored) as picture:
        assert dict(picture.getexif()) == {}
    content = stored.read_bytes()
    assert b"Exif" not in content and b"Canon" not in content


@pytest.mark.parametrize(
    ("files", "fields", "message"),
    [
        pytest.param([(EXE, "laporan.pdf")], {}, "Berkas laporan.pdf " + REFUSED_TYPE, id="exe-named-pdf"),
        pytest.param([(package("readme.txt"), "arsip.docx")], {}, "Berkas arsip.docx " + REFUSED_TYPE,
                     id="plain-zip"),
        pytest.param([(package("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "makro.docx")],
                     {}, "Berkas makro.docx " + REFUSED_TYPE, id="docx-with-macros"),
        pytest.param([(b"GIF89a" + b"\x00" * 40, "animasi.gif")], {}, "Berkas animasi.gif " + REFUSED_TYPE,
                     id="gif"),
        pytest.param([(b"", "kosong.pdf")], {}, "Berkas kosong.pdf kosong.", id="empty"),
        pytest.param([(PDF + b"0" * (11 * 2**20), "besar.pdf")], {}, "Berkas besar.pdf lebih dari 10 MB.",
                     id="11-MB"),
        pytest.param([(PDF, f"bukti{n}.pdf") for n in range(6)], {}, "Paling banyak 5 bukti per kegiatan.",
                     id="6-files"),
        pytest.param([(PDF, f"bukti{n}.pdf") for n in range(5)], {"link": "https://contoh.go.id/a"},
                     "Paling banyak 5 bukti per kegiatan.", id="5-files-and-a-link"),
    ],
)
def test_refused_files_save_nothing(app, client, db, staff, files, fields, message):
    before = stored_files(app)
    response = upload(client, *files, **fields)
    assert response.status_code == 200
    assert field_error(response.text, "files") == message
    assert activity_count() == 0
    assert stored_files(app) == before


def test_request_over_the_limit_gets_the_friendly_413(app, client, db, staff, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(client, (PDF + b"0" * 8192, "besar.pdf"))
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.text
    assert "melebihi batas ukuran" in response.text
    assert activity_count() == 0


def test_failing_disk_leaves_no_activity_and_no_file(app, client, db, staff, monkeypatch):
    real_write, calls = evidence_module.write, []

    def write_once_then_fail(prepared):
        calls.append(prepared.original_name)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_write(prepared)

    monkeypatch.setattr(evidence_module, "write", write_once_then_fail)
    before = stored_files(app)
    response = upload(client, (PDF, "satu.pdf"), (PDF, "dua.pdf"))
    assert response.status_code == 200
    assert "Berkas bukti gagal disimpan di server" in (field_error(response.text, "files") or "")
    assert calls == ["satu.pdf", "dua.pdf"]
    assert activity_count() == 0
    assert db.session.query(Evidence).count() == 0
    assert stored_files(app) == before


# --- Downloads --------------------------------------------------------------------------------------------------


@pytest.fixture()
def uploaded(client, db, staff, auth) -> int:
    """Staff A's activity with a PDF; signed out afterwards. Returns the evidence id."""
    assert upload(client, (PDF, "surat tugas.pdf")).status_code == 302
    auth.logout()
    UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, staff.agency_b)])
    db.session.commit()
    return db.session.scalars(select(Evidence.id)).one()


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("staff_a", 200), ("appraiser_a", 200), ("admin.a", 200), ("admin.bkd", 200),
     ("staff_a2", 404), ("staff_b", 404), ("admin.b", 404)],
)
def test_download_permissions(client, auth, staff, uploaded, viewer, status):
    auth.login(getattr(staff, viewer).id_number if hasattr(staff, viewer) else viewer)
    response = client.get(f"/kegiatan/bukti/{uploaded}")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "surat" in response.headers["Content-Disposition"]
        assert response.data == PDF


def test_unknown_evidence_is_404(client, staff, uploaded, auth):
    auth.login(staff.staff_a.id_number)
    assert client.get(f"/kegiatan/bukti/{uploaded + 1000}").status_code == 404


# --- Links ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "accepted"),
    [
        ("https://arsip.contoh.go.id/bukti?id=7", True),
        ("http://contoh.go.id/foto", True),
        ("javascript:alert(1)", False),
        ("ftp://contoh.go.id/berkas.pdf", False),
        ("https://", False),
        ("contoh.go.id/foto", False),
        ("data:text/html,<b>x</b>", False),
    ],
)
def test_links_only_http(client, db, staff, link, accepted):
    response = upload(client, link=link)
    if not accepted:
        assert response.status_code == 200
        assert "Tautan bukti harus alamat http(s) yang lengkap." in response.text
        assert activity_count() == 0
        return
    assert response.status_code == 302
    item = db.session.scalars(select(Evidence)).one()
    assert (item.kind, item.url, item.stored_name) == (EvidenceKind.LINK, link, None)
    page = client.get(DAY_URL).text
    assert f'href="{link.replace("&", "&amp;")}" rel="noopener noreferrer nofollow"' in page
    assert client.get(f"/kegiatan/bukti/{item.id}").status_code == 404  # never a redirect off-site


# --- Deleting ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "deleted"),
    [(ActivityStatus.DRAFT, True), (ActivityStatus.RETURNED, True), (ActivityStatus.SUBMITTED, False),
     (ActivityStatus.APPROVED, False)],
)
def test_deleting_evidence_removes_the_file(client, db, staff, status, deleted):
    assert upload(client, (PDF, "hapus.pdf"), link="https://contoh.go.id/tetap").status_code == 302
    item = db.session.scalars(select(Evidence).where(Evidence.kind == EvidenceKind.FILE)).one()
    path = path_of(item.stored_name)
    db.session.execute(update(Activity).values(status=status))
    db.session.commit()
    response = client.post(f"/kegiatan/bukti/{item.id}/hapus", follow_redirects=True)
    assert response.status_code == 200
    assert path.exists() is not deleted
    assert db.session.query(Evidence).count() == (1 if deleted else 2)
    assert activity_count() == 1
    if not deleted:
        assert "tidak dapat diubah" in response.text


def test_deleting_an_activity_removes_its_files(client, db, staff):
    assert upload(client, (PDF, "a.pdf"), (image("PNG"), "b.png")).status_code == 302
    paths = [path_of(name) for name in db.session.scalars(select(Evidence.stored_name))]
    activity_id = db.session.scalars(select(Activity.id)).one()
    assert all(path.exists() for path in paths)
    assert client.post(f"/kegiatan/{activity_id}/hapus").status_code == 302
    assert not any(path.exists() for path in paths)
    assert db.session.query(Evidence).count() == 0
