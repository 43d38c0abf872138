"""Evidence (bukti dukung) files and links.

A file's type is decided from its content, never its name: PDF, JPEG, PNG, WebP, DOCX or XLSX. Images are
decoded and re-encoded from their pixels only (kinerja.images): no EXIF (GPS, camera, time), ICC profile, comment
or XMP, nor anything hidden after the image data.
Files are stored under random names in UPLOAD_FOLDER/evidence, outside static/, and only ever served as
attachments after a permission check.
"""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kinerja import images
from kinerja.activities import pdf_safety
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import Activity, Evidence, EvidenceKind, User
from kinerja.permissions import load_evidence
from kinerja.settings import setting

MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; larger images are refused before decoding

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp"),
               "MPO": ("jpg", "image/jpeg")}  # MPO: the multi-picture JPEG of some phones, stored as its first picture


@dataclass(frozen=True)
class PreparedFile:
    original_name: str
    extension: str
    content_type: str
    content: bytes


def office_kind(content: bytes) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML package without macros, else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names or any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def reencode_image(content: bytes) -> tuple[str, str, bytes] | None:
    """Decode and re-encode an image without metadata; None when the content is not an allowed image."""
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            if kind not in IMAGE_TYPES:
                return None
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(_("Gambar terlalu besar (lebih dari 40 megapiksel)."), field="files")
            image = ImageOps.exif_transpose(probe)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    extension, content_type = IMAGE_TYPES[kind]
    if extension == "jpg":
        return extension, content_type, images.encode(image, "JPEG", quality=85, optimize=True)
    if kind == "PNG":
        return extension, content_type, images.encode(image, "PNG", optimize=True)
    return extension, content_type, images.encode(image, "WEBP", quality=85)


def prepare(upload) -> PreparedFile:
    """Read and check one uploaded file; raise ValidationFailed (field 'files') when it is refused."""
    name = os.path.basename(upload.filename or "berkas")[:200]
    content = upload.read(setting("EVIDENCE_MAX_BYTES") + 1)
    if len(content) > setting("EVIDENCE_MAX_BYTES"):
        raise ValidationFailed(
            _("Berkas %(name)s lebih dari %(mb)d MB.", name=name, mb=setting("EVIDENCE_MAX_BYTES") // 2**20),
            field="files",
        )
    if not content:
        raise ValidationFailed(_("Berkas %(name)s kosong.", name=name), field="files")
    if content.startswith(b"%PDF-"):
        pdf_safety.refuse_active(name, content)
        return PreparedFile(name, "pdf", DOCUMENT_TYPES["pdf"], content)
    if content.startswith(b"PK\x03\x04"):
        kind = office_kind(content)
        if kind:
            return PreparedFile(name, kind, DOCUMENT_TYPES[kind], content)
    image = reencode_image(content)
    if image is not None:
        extension, content_type, data = image
        return PreparedFile(name, extension, content_type, data)
    raise ValidationFailed(
        _("Berkas %(name)s tidak diterima: hanya PDF, JPEG, PNG, WebP, DOCX atau XLSX.", name=name),
        field="files",
    )


def check_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_("Tautan bukti harus alamat http(s) yang lengkap."), field="link")
    return url


def evidence_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "evidence"


def path_of(stored_name: str) -> Path:
    return evidence_root() / stored_name[:2] / stored_name


def load_stored_file(user: User, evidence_id: int) -> tuple[Evidence, Path]:
    """A stored evidence file of an activity the user may see, with its path; 404 for anything else (out of
    scope, a link, a file gone from the disk). Both the web page and the API serve through this."""
    evidence = load_evidence(user, evidence_id)
    if evidence.kind is not EvidenceKind.FILE:
        abort(404)  # links are shown as links; a download never redirects off-site
    path = path_of(evidence.stored_name)
    if not path.is_file():
        abort(404)
    return evidence, path


def write(prepared: PreparedFile) -> tuple[str, Path]:
    """Store the content under a fresh random name; returns the name and the path.

    A write the disk refuses half-way (full, read-only, failing) leaves no partial file behind.
    """
    stored_name = f"{secrets.token_hex(16)}.{prepared.extension}"
    path = path_of(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    try:
        temporary.write_bytes(prepared.content)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return stored_name, path


def remove_files(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def stored_paths(activity: Activity) -> list[Path]:
    return [path_of(item.stored_name) for item in activity.evidence if item.stored_name]


@contextmanager
def saving(activity: Activity, uploads: Iterable, links: Iterable[str]) -> Iterator[None]:
    """Check and attach new evidence, then let the caller commit; if anything fails, nothing stays behind:
    the transaction is rolled back and the files written for it are removed."""
    uploads = [upload for upload in uploads if upload is not None and getattr(upload, "filename", "")]
    links = [check_link(link) for link in links if link and link.strip()]
    if len(activity.evidence) + len(uploads) + len(links) > setting("EVIDENCE_MAX_FILES"):
        raise ValidationFailed(
            _("Paling banyak %(n)d bukti per kegiatan.", n=setting("EVIDENCE_MAX_FILES")), field="files"
        )
    prepared = [prepare(upload) for upload in uploads]
    written: list[Path] = []
    try:
        for item in prepared:
            stored_name, path = write(item)
            written.append(path)
            activity.evidence.append(Evidence(
                kind=EvidenceKind.FILE, original_name=item.original_name, stored_name=stored_name,
                content_type=item.content_type, size_bytes=len(item.content),
            ))
        for link in links:
            activity.evidence.append(Evidence(kind=EvidenceKind.LINK, url=link))
        yield
    except OSError as error:
        db.session.rollback()
        remove_files(written)
        current_app.logger.error("Evidence could not be stored: %s", error)
        raise ValidationFailed(
            _("Berkas bukti gagal disimpan di server. Kegiatan tidak disimpan; silakan coba lagi."),
            field="files",
        ) from error
    except BaseException:
        db.session.rollback()
        remove_files(written)
        raise


def delete_evidence(evidence: Evidence) -> None:
    """Remove one piece of evidence from an editable activity."""
    from kinerja.activities.services import require_editable

    require_editable(evidence.activity)
    path = path_of(evidence.stored_name) if evidence.stored_name else None
    db.session.delete(evidence)
    finish()
    if path:
        remove_files([path])
