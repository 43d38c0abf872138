"""Selfies: checked by content, re-encoded without EXIF, stored outside static/, and purged after retention.

The photo is decoded and saved again as a JPEG of at most STORED_SIZE pixels a side from its pixels only
(kinerja.images): no EXIF (GPS, camera, time), ICC profile, comment or XMP, nor anything appended to the file.
A 64-bit difference hash (dHash) of the picture is kept to notice a photo submitted again, e.g. a printed or
saved selfie.
"""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select, update

from kinerja import images
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import AttendanceFlag, AttendanceRecord, FlagStatus
from kinerja.settings import setting

STORED_SIZE = 1024
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: the multi-picture JPEG of some phones


@dataclass(frozen=True)
class Selfie:
    content: bytes
    phash: str


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits: is each pixel of a 9×8 greyscale thumbnail brighter than
    its right-hand neighbour?"""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # one byte per pixel in mode L
    bits = 0
    for row in range(8):
        for column in range(8):
            bits = bits << 1 | (pixels[row * 9 + column] > pixels[row * 9 + column + 1])
    return f"{bits:016x}"


def hamming(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def prepare(upload) -> Selfie:
    """Read, check and re-encode the uploaded selfie; raise ValidationFailed (field 'selfie') if refused."""
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationFailed(_("Ambil swafoto terlebih dahulu."), field="selfie")
    limit = setting("SELFIE_MAX_BYTES")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(_("Swafoto lebih dari %(mb)s MB. Ambil ulang dengan resolusi lebih kecil.",
                                 mb=limit // 2**20), field="selfie")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationFailed(_("Swafoto harus berupa foto (JPEG, PNG atau WebP)."), field="selfie")
            width, height = probe.size
            if width * height > setting("SELFIE_MAX_PIXELS") or min(width, height) < 64:
                raise ValidationFailed(_("Ukuran swafoto tidak wajar (%(w)s × %(h)s piksel).", w=width, h=height),
                                       field="selfie")
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise ValidationFailed(_("Swafoto tidak dapat dibaca sebagai foto."), field="selfie") from error
    image.thumbnail((STORED_SIZE, STORED_SIZE), Image.Resampling.LANCZOS)
    return Selfie(images.encode(image, "JPEG", quality=80, optimize=True), dhash(image))


def root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "selfies"


def path_of(name: str) -> Path:
    return root() / os.path.basename(name)


def write(selfie: Selfie) -> tuple[str, Path]:
    """Store under a fresh random name; returns the name and the path.

    When the disk refuses the file (full, read-only, failing) no partial file stays and the check-in is refused
    with a message under the selfie, before anything is recorded.
    """
    name = f"{secrets.token_hex(16)}.jpg"
    path = path_of(name)
    temporary = path.with_suffix(".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(selfie.content)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        current_app.logger.error("Selfie could not be stored: %s", error)
        raise ValidationFailed(
            _("Swafoto gagal disimpan di server. Presensi belum tercatat; silakan coba lagi."), field="selfie"
        ) from error
    return name, path


def purge(now: datetime) -> int:
    """Delete selfies older than SELFIE_RETENTION_DAYS and forget their file names; returns how many.

    The record, its position and the photo's hash stay. A selfie whose flag still waits for review is kept
    until the flag is decided, as it is the evidence the reviewer needs.
    """
    cutoff = now - timedelta(days=setting("SELFIE_RETENTION_DAYS"))
    waiting = select(AttendanceFlag.record_id).where(AttendanceFlag.status == FlagStatus.OPEN)
    rows = db.session.execute(
        select(AttendanceRecord.id, AttendanceRecord.selfie_name).where(
            AttendanceRecord.selfie_name.is_not(None), AttendanceRecord.at < cutoff,
            AttendanceRecord.id.not_in(waiting))
    ).all()
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        db.session.execute(update(AttendanceRecord).where(AttendanceRecord.id.in_([row.id for row in chunk]))
                           .values(selfie_name=None).execution_options(synchronize_session=False))
        db.session.commit()
        for row in chunk:
            path_of(row.selfie_name).unlink(missing_ok=True)
    return len(rows) + purge_strays(cutoff)


def purge_strays(cutoff: datetime) -> int:
    """Files no record names (left by a crash between writing and committing) older than the cutoff."""
    if not root().is_dir():
        return 0
    known = set(db.session.scalars(select(AttendanceRecord.selfie_name).where(
        AttendanceRecord.selfie_name.is_not(None))))
    removed = 0
    for path in root().iterdir():
        if path.name not in known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
