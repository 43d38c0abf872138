"""Security sweep, uploads: every upload entry point against polyglots, scripts in SVG and PDF, decompression bombs,
lying extensions and fake workbooks; and how stored files are served back.

Entry points: evidence (activity form and API), selfie (attendance page and API), the regency logo, and the two
XLSX imports (activities, staff). A refused file leaves neither a row nor a file behind.
"""

from __future__ import annotations

import functools
import io
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import current_app
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import select
from werkzeug.http import parse_options_header

from kinerja.activities import evidence, pdf_safety
from kinerja.extensions import db
from kinerja.models import AttendanceRecord, Evidence, PositionKind
from tests import security_walk as walk
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    OfficeFactory,
    PositionFactory,
    activity_form,
    freeze_now,
)
from tests.test_attendance import MONDAY as ATTENDANCE_MONDAY
from tests.test_attendance import OFFICE
from tests.test_staff_import import POSITION

HOSTILE_HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
MARKERS = (b"<script", b"alert(", b"PK\x03\x04", b"/JavaScript")


def photo(kind: str = "JPEG", size: tuple[int, int] = (128, 96)) -> bytes:
    image = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid-looking PNG that declares 50,000 × 50,000 pixels in a few dozen bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + png_chunk(b"IEND", b""))


def pdf(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_with_object_stream(objects: bytes) -> bytes:
    packed = zlib.compress(objects)
    return pdf(b"1 0 obj << /Type /Catalog >> endobj\n2 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode "
               b"/Length " + str(len(packed)).encode() + b" >> stream\n" + packed + b"\nendstream endobj")


SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>alert(1)</script></svg>'
PDF_JS = pdf(b"1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj")
ACTIVE_PDFS = {
    "javascript": PDF_JS,
    "escaped-name": pdf(b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >> endobj"),
    "in-object-stream": pdf_with_object_stream(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>"),
    "launch": pdf(b"1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj"),
    "embedded-file": pdf(b"1 0 obj << /Names << /EmbeddedFiles 2 0 R >> >> endobj"),
    "unreadable-object-stream": pdf(b"2 0 obj << /Type /ObjStm /Filter /LZWDecode /Length 4 >> stream\nabcd\n"
                                    b"endstream endobj"),
}
PLAIN_PDF = pdf_with_object_stream(b"3 0 << /Type /Page /Contents 4 0 R >>")


@functools.cache
def xlsx_bomb() -> bytes:
    """A small .xlsx whose sheet unpacks to 64 MB."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                   "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * (64 * 2**20) + b"</worksheet>"})


def payloads() -> dict[str, tuple[bytes, str]]:
    """Hostile uploads: (content, file name)."""
    return {
        "jpeg+html": (photo() + HOSTILE_HTML, "foto.jpg"),
        "png+zip": (photo("PNG") + zip_of({"index.html": HOSTILE_HTML}), "foto.png"),
        "pdf+javascript": (PDF_JS, "laporan.pdf"),
        "svg-script": (SVG_SCRIPT, "logo.svg"),
        "svg-named-png": (SVG_SCRIPT, "foto.png"),
        "png-bomb": (png_bomb(), "foto.png"),
        "html-named-jpg": (HOSTILE_HTML, "foto.jpg"),
        "html-named-xlsx": (HOSTILE_HTML, "data.xlsx"),
        "csv-named-xlsx": (b"NIP,Nama\n1,=cmd|' /C calc'!A0\n", "data.xlsx"),
        "docx-named-xlsx": (zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "data.xlsx"),
        "xlsx-zip-bomb": (xlsx_bomb(), "data.xlsx"),
    }


# The polyglots whose picture is real: picture endpoints keep the picture, re-encoded without what was appended.
CLEANED_PICTURES = {"jpeg+html", "png+zip"}
# Office documents evidence keeps as they are (never unpacked on the server, downloaded as attachments under the
# type their content shows, whatever their name says).
KEPT_DOCUMENTS = {"docx-named-xlsx": "docx", "xlsx-zip-bomb": "xlsx"}


SELFIE_FIELDS = {"mode": "WFO", "latitude": str(OFFICE[0]), "longitude": str(OFFICE[1]), "accuracy": "12",
                 "device_id": "browser-id-0001"}


@dataclass(frozen=True)
class EntryPoint:
    name: str
    role: str  # "token": staff A2's API token
    url: str  # {activity}: a draft activity of staff A2
    field: str
    accepts_pictures: bool

    def form(self, content: bytes, file_name: str) -> dict:
        fields = {
            "evidence": activity_form,
            "evidence-api": dict,
            "selfie": lambda: {**SELFIE_FIELDS, "kind": "in", "assignment_letter": ""},
            "selfie-api": lambda: dict(SELFIE_FIELDS),
            "logo": lambda: {"name": "Kota Cimahi", "signature_city": "Cimahi"},
            "activity-import": dict,
            "staff-import": lambda: {"effective_date": "2026-11-20"},
        }[self.name]()
        return {**fields, self.field: (io.BytesIO(content), file_name)}

    def post(self, site: dict, content: bytes, file_name: str):
        client = site["token"] if self.role == "token" else site[self.role]
        headers = {"Authorization": f"Bearer {site['secret']}"} if self.role == "token" else {}
        return client.post(self.url.format(activity=site["activity"]), data=self.form(content, file_name),
                           headers=headers, content_type="multipart/form-data")

    def accepted(self, response) -> bool:
        return response.status_code == (201 if self.role == "token" else 302)

    def refused(self, response) -> bool:
        if self.role == "token":
            return response.status_code == 422 and response.get_json()["error"]["code"] == "validation_failed"
        return response.status_code == 200 and bool(re.search(
            rf'<input[^>]*\bclass="[^"]*\bis-invalid\b[^>]*\bname="{self.field}"', response.get_data(as_text=True)))


ENTRY_POINTS = [
    EntryPoint("evidence", "staff", "/kegiatan/2026-11-17", "files", True),
    EntryPoint("evidence-api", "token", "/api/v1/activities/{activity}/evidence", "file", True),
    EntryPoint("selfie", "staff", "/presensi/", "selfie", True),
    EntryPoint("selfie-api", "token", "/api/v1/attendance/check-in", "selfie", True),
    EntryPoint("logo", "bkd", "/admin/pengaturan/identitas", "logo", True),
    EntryPoint("activity-import", "staff", "/kegiatan/impor", "file", False),
    EntryPoint("staff-import", "bkd", "/admin/impor-pegawai", "file", False),
]
ENTRY = {entry.name: entry for entry in ENTRY_POINTS}


@pytest.fixture()
def site(app, org, monkeypatch) -> dict:
    """Signed-in browsers (staff A), the API token and a draft activity of staff A2 (so that the web and the API
    check in different people), a working Wednesday morning after the activity's day, an office for the check-in."""
    freeze_now(monkeypatch, ATTENDANCE_MONDAY + timedelta(days=2))
    OfficeFactory(agency=org.agency_a, name="Kantor Dinas A", latitude=OFFICE[0], longitude=OFFICE[1], radius_m=100)
    PositionFactory(name=POSITION, kind=PositionKind.PELAKSANA)
    activity = ActivityFactory(employee=org.staff_a2)
    db.session.commit()
    site = {**walk.signed_in_clients(app, org, ("staff", "bkd", "agency_admin", "appraiser")),
            "activity": activity.id, "token": app.test_client()}
    site["secret"] = site["token"].post("/api/v1/tokens", json={"nip": org.staff_a2.id_number, "password": PASSWORD,
                                                                "name": "uji"}).get_json()["token"]
    # The token's first use is noted on it; later calls within the minute write nothing.
    site["token"].get("/api/v1/me", headers={"Authorization": f"Bearer {site['secret']}"})
    return site


def stored_files(app) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()}


def outcome(entry: EntryPoint, payload: str) -> str:
    """What an entry point must do with a payload: "cleaned", "kept" or "refused"."""
    if entry.accepts_pictures and payload in CLEANED_PICTURES:
        return "cleaned"
    if entry.name.startswith("evidence") and payload in KEPT_DOCUMENTS:
        return "kept"
    return "refused"


def refusals(entry: EntryPoint, site: dict, cases: dict[str, bytes | tuple[bytes, str]]) -> list[str]:
    """Post each case; the problems of those not refused, or refused but leaving a row or a file behind."""
    problems = []
    for name, case in cases.items():
        content, file_name = case if isinstance(case, tuple) else (case, "laporan.pdf")
        files_before, data_before = stored_files(current_app), walk.data_fingerprint()
        response = entry.post(site, content, file_name)
        if not entry.refused(response):
            problems.append(f"{name}: answered {response.status_code}")
        elif stored_files(current_app) != files_before or walk.data_fingerprint() != data_before:
            problems.append(f"{name}: refused but left data behind")
    return problems


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda entry: entry.name)
def test_hostile_uploads_are_refused_and_leave_nothing(site, entry):
    cases = {name: case for name, case in payloads().items() if outcome(entry, name) == "refused"}
    assert len(cases) >= 7
    assert not refusals(entry, site, cases)


@pytest.mark.parametrize("payload", sorted(CLEANED_PICTURES | KEPT_DOCUMENTS.keys()))
def test_polyglots_are_stored_cleaned_and_documents_as_they_are(app, site, payload):
    content, file_name = payloads()[payload]
    entries = [entry for entry in ENTRY_POINTS if outcome(entry, payload) != "refused"]
    assert entries
    for entry in entries:
        files_before = stored_files(app)
        response = entry.post(site, content, file_name)
        assert entry.accepted(response), (entry.name, response.get_data(as_text=True)[:2000])
        new_files = {path: data for path, data in stored_files(app).items() if path not in files_before}
        assert len(new_files) == 1, entry.name
        (path, stored), = new_files.items()
        if outcome(entry, payload) == "kept":
            assert (path.suffix, stored) == (f".{KEPT_DOCUMENTS[payload]}", content), entry.name
            continue
        assert not [marker for marker in MARKERS if marker in stored], entry.name  # re-encoded: appendix gone
        with Image.open(io.BytesIO(stored)) as picture:
            picture.verify()


@pytest.mark.parametrize("entry", [ENTRY["evidence"], ENTRY["evidence-api"]], ids=lambda entry: entry.name)
def test_every_kind_of_active_pdf_is_refused_as_evidence(site, entry):
    assert not refusals(entry, site, ACTIVE_PDFS)


def test_a_plain_pdf_is_accepted_and_downloaded_through_the_api_under_its_true_type(site):
    assert ENTRY["evidence-api"].accepted(ENTRY["evidence-api"].post(site, PLAIN_PDF, "laporan.html"))
    evidence_id = db.session.scalar(select(Evidence.id))
    response = site["token"].get(f"/api/v1/evidence/{evidence_id}",
                                 headers={"Authorization": f"Bearer {site['secret']}"})
    assert (response.status_code, response.mimetype, response.data) == (200, "application/pdf", PLAIN_PDF)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment",
                                                                             {"filename": "laporan.pdf"})


@pytest.mark.parametrize("kind", list(ACTIVE_PDFS))
def test_pdfs_with_active_content_are_detected(kind):
    assert pdf_safety.has_active_content(ACTIVE_PDFS[kind])


def test_plain_pdfs_pass_including_compressed_object_streams():
    assert not pdf_safety.has_active_content(PLAIN_PDF)
    assert not pdf_safety.has_active_content(pdf(b"1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj"))


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Rekap"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SERVED = {
    "pdf": (PLAIN_PDF, "application/pdf"),
    "jpg": (photo(), "image/jpeg"),
    "png": (photo("PNG"), "image/png"),
    "webp": (photo("WEBP"), "image/webp"),
    "xlsx": (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def test_stored_evidence_is_served_safely(app, site):
    for hour, (kind, (content, content_type)) in enumerate(SERVED.items(), start=7):
        upload = {**activity_form(f"{hour:02d}:00", f"{hour:02d}:30"), "files": (io.BytesIO(content),
                                                                                   "bukti <b>x</b>.html")}
        assert site["staff"].post(ENTRY["evidence"].url, data=upload, content_type="multipart/form-data"
                                  ).status_code == 302, kind
        evidence_id = db.session.scalar(select(Evidence.id).order_by(Evidence.id.desc()).limit(1))
        for role, inline in (("staff", False), ("appraiser", False), ("appraiser", True)):
            response = site[role].get(f"/kegiatan/bukti/{evidence_id}", query_string={"inline": "1"} if inline else {})
            assert response.status_code == 200
            assert response.mimetype == content_type
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            disposition, options = parse_options_header(response.headers["Content-Disposition"])
            assert disposition == ("attachment" if not inline or kind == "xlsx" else "inline"), (kind, inline)
            assert options["filename"] == f"b>.{kind}"  # named for what it is, not .html as uploaded
            policy = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"
            if content_type.startswith("image/"):
                assert "sandbox" in policy


def test_selfie_and_logo_are_served_as_pictures_only(app, site):
    assert ENTRY["selfie"].accepted(ENTRY["selfie"].post(site, photo(), "swafoto.jpg"))
    assert ENTRY["logo"].accepted(ENTRY["logo"].post(site, photo("PNG"), "logo.png"))
    record_id = db.session.scalar(select(AttendanceRecord.id))
    for client, url, mimetype in ((site["agency_admin"], f"/presensi/swafoto/{record_id}", "image/jpeg"),
                                  (site["bkd"], "/admin/pengaturan/logo", "image/png")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == mimetype and response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


PHP = b"<?php system($_GET[1]); ?>"
TAIL = b"APPENDED-AFTER-THE-PICTURE" + PHP
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b"<rdf:Description>" + PHP + b"</rdf:Description></rdf:RDF></x:xmpmeta>")
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
PICTURE_SIZE = (320, 240)
# What must not survive: the payload, EXIF (with the camera's name and GPS), the ICC profile, XMP, PNG text.
LEFTOVERS = (PHP, TAIL, b"Exif\x00\x00", b"KameraUji", b"ICC_PROFILE", b"http://ns.adobe.com/xap/1.0/",
             b"adobe:ns:meta", b"iCCP", b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"PLTE")


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 52.0, 30.0), 3: "E", 4: (107.0, 32.0, 10.0)})
    return exif


def picture_with_metadata(kind: str) -> bytes:
    """A real picture carrying a PHP comment (JPEG) or text chunk (PNG), EXIF with GPS, an ICC profile and XMP,
    with the payload appended after its end as well."""
    image = Image.frombytes("RGB", PICTURE_SIZE, random.Random(11).randbytes(PICTURE_SIZE[0] * PICTURE_SIZE[1] * 3))
    buffer = io.BytesIO()
    if kind == "JPEG":
        image.save(buffer, "JPEG", comment=PHP, exif=exif_with_gps(), icc_profile=ICC, xmp=XMP)
    else:
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", PHP.decode())
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.quantize(64).save(buffer, "PNG", pnginfo=text, exif=exif_with_gps(), icc_profile=ICC)
    return buffer.getvalue() + TAIL


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the start of the scan."""
    markers, position = [], 2
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        markers.append(data[position + 1])
        position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position < len(data):
        length = struct.unpack(">I", data[position:position + 4])[0]
        chunks.append(data[position + 4:position + 8])
        position += 12 + length
    return chunks


def test_the_hostile_pictures_carry_what_must_be_removed():
    for kind, file_format in (("JPEG", "JPEG"), ("PNG", "PNG")):
        content = picture_with_metadata(kind)
        with Image.open(io.BytesIO(content)) as picture:
            assert picture.format == file_format and picture.info["icc_profile"] == ICC
            assert picture.getexif().get_ifd(0x8825)[2] == (6.0, 52.0, 30.0)
        assert PHP in content and content.endswith(TAIL)
    assert 0xFE in jpeg_markers(picture_with_metadata("JPEG"))  # COM


PICTURE_ENTRIES = [ENTRY[name] for name in ("evidence", "evidence-api", "selfie", "selfie-api", "logo")]


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
@pytest.mark.parametrize("entry", PICTURE_ENTRIES, ids=lambda entry: entry.name)
def test_stored_pictures_keep_their_pixels_and_nothing_else(app, site, entry, kind):
    files_before = stored_files(app)
    response = entry.post(site, picture_with_metadata(kind), "foto.jpg" if kind == "JPEG" else "foto.png")
    assert entry.accepted(response), response.get_data(as_text=True)[:2000]
    (stored,) = [data for path, data in stored_files(app).items() if path not in files_before]
    assert [leftover for leftover in LEFTOVERS if leftover in stored] == []
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.size == PICTURE_SIZE and picture.info.get("icc_profile") is None
        assert not picture.getexif() and "comment" not in picture.info
        picture.load()
        stored_format = picture.format
    if stored_format == "JPEG":
        assert set(jpeg_markers(stored)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD} and stored.endswith(b"\xff\xd9")
    else:
        assert set(png_chunks(stored)) == {b"IHDR", b"IDAT", b"IEND"}


def test_webp_evidence_loses_its_exif_icc_and_xmp_chunks():
    image = Image.frombytes("RGB", PICTURE_SIZE, random.Random(5).randbytes(PICTURE_SIZE[0] * PICTURE_SIZE[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", exif=exif_with_gps(), icc_profile=ICC, xmp=XMP)
    assert all(chunk in buffer.getvalue() for chunk in (b"EXIF", b"ICCP", b"XMP "))
    extension, _type, stored = evidence.reencode_image(buffer.getvalue() + TAIL)
    assert extension == "webp" and [chunk for chunk in (b"EXIF", b"ICCP", b"XMP ", PHP) if chunk in stored] == []
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.size == PICTURE_SIZE
