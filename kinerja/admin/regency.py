"""The regency's identity kept by BKD: its name, the city printed above signatures, and the logo on the kop.

A logo is accepted only as a raster picture (PNG, JPEG or WebP), checked by decoding it, limited in bytes and
pixels, scaled down and re-encoded as PNG from its pixels only (kinerja.images: no metadata, nothing appended to
the file). It is stored outside static/ as UPLOAD_FOLDER/branding/<sha256>.png and named in Regency.logo_path as
"upload:branding/<sha256>.png", the form kinerja.reports.pdf.logo_src resolves.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from kinerja import audit, images
from kinerja.admin.master_data import changes_text, require_global
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import Regency, User

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000  # 4000 × 4000: far more than a kop needs
LOGO_MIN_SIDE = 32
LOGO_STORED_SIDE = 600  # printed about 2.5 cm wide: 600 px is well over 300 dpi
ACCEPTED_FORMATS = {"PNG", "JPEG", "MPO", "WEBP"}
UPLOAD_PREFIX = "upload:branding/"


@dataclass(frozen=True)
class RegencyInput:
    name: str
    signature_city: str
    logo: bytes | None = None  # a PNG from prepare_logo, or None to keep the current logo
    remove_logo: bool = False


def current_regency() -> Regency | None:
    """The installation's regency (one row), if it has been set up."""
    return db.session.scalar(select(Regency).order_by(Regency.id).limit(1))


def prepare_logo(upload) -> bytes:
    """Read, check and re-encode an uploaded logo as PNG; raise ValidationFailed (field 'logo') if refused."""
    content = upload.read(LOGO_MAX_BYTES + 1)
    if not content:
        raise ValidationFailed(_("Berkas logo kosong."), field="logo")
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationFailed(_("Logo lebih dari %(mb)d MB.", mb=LOGO_MAX_BYTES // 2**20), field="logo")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationFailed(_("Logo harus berupa gambar PNG, JPEG atau WebP."), field="logo")
            width, height = probe.size
            if width * height > LOGO_MAX_PIXELS or min(width, height) < LOGO_MIN_SIDE:
                raise ValidationFailed(_("Ukuran logo tidak wajar (%(w)s × %(h)s piksel); gunakan gambar antara "
                                         "%(low)s dan 4000 piksel per sisi.", w=width, h=height, low=LOGO_MIN_SIDE),
                                       field="logo")
            image = probe.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise ValidationFailed(_("Berkas ini bukan gambar PNG, JPEG atau WebP yang dapat dibaca."),
                               field="logo") from error
    image.thumbnail((LOGO_STORED_SIDE, LOGO_STORED_SIDE), Image.Resampling.LANCZOS)
    return images.encode(image, "PNG", optimize=True)


def branding_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "branding"


def logo_file(logo_path: str | None) -> Path | None:
    """The stored file an "upload:branding/<name>.png" logo names, if it exists; None for anything else."""
    if not logo_path or not logo_path.startswith(UPLOAD_PREFIX):
        return None
    name = logo_path[len(UPLOAD_PREFIX):]
    if name != os.path.basename(name) or not name.endswith(".png") or name.startswith("."):
        return None
    path = branding_root() / name
    return path if path.is_file() else None


def store_logo(content: bytes) -> str:
    """Write the PNG under its content hash (the same logo twice is one file); returns the logo_path."""
    name = f"{hashlib.sha256(content).hexdigest()}.png"
    path = branding_root() / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        temporary.replace(path)
    return UPLOAD_PREFIX + name


def snapshot(regency: Regency) -> dict[str, object]:
    return {"name": regency.name, "signature_city": regency.signature_city, "logo": regency.logo_path}


def update_regency(actor: User, data: RegencyInput) -> Regency:
    """Change the regency's name, signature city or logo (BKD); one audit entry lists what changed."""
    require_global(actor)
    name, city = " ".join(data.name.split()), " ".join(data.signature_city.split())
    for field, value, length in (("name", name, 150), ("signature_city", city, 80)):
        if not value:
            raise ValidationFailed(_("Wajib diisi."), field=field)
        if len(value) > length:
            raise ValidationFailed(_("Paling banyak %(n)d karakter.", n=length), field=field)
    regency = current_regency()
    if regency is None:
        regency = Regency(name=name, signature_city=city)
        db.session.add(regency)
        before: dict[str, object] = {}
    else:
        before = snapshot(regency)
    regency.name, regency.signature_city = name, city
    if data.logo is not None:
        regency.logo_path = store_logo(data.logo)
    elif data.remove_logo:
        regency.logo_path = None
    db.session.flush()
    text = changes_text(before, snapshot(regency))
    if text:
        audit.record(actor, audit.Change("regency", regency.id, "change_regency", reason=text))
    finish()
    return regency
