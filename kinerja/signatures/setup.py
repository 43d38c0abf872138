"""The regency's signing setup, kept by BKD: none, local (a PKCS#12 file the regency holds) or BSrE.

The PKCS#12 file and the trust roots are named by paths on the server (readable by the app, never under
static/); BSrE's client id and secret by the names of the environment variables holding them. No secret and no
passphrase is ever stored. Each change is audited.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kinerja import audit
from kinerja.admin.master_data import changes_text, require_global
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import SigningSetup, User

NONE, LOCAL, BSRE = "none", "local", "bsre"
MODES = {NONE: _l("Tidak aktif"), LOCAL: _l("Lokal (berkas PKCS#12 milik pemda)"), BSRE: _l("BSrE (API tanda tangan)")}
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,59}$")
MAX_BOX = 2000  # points: beyond any paper size


@dataclass(frozen=True)
class SetupInput:
    mode: str
    pkcs12_path: str = ""
    trust_roots_path: str = ""
    bsre_base_url: str = ""
    bsre_client_id_env: str = ""
    bsre_client_secret_env: str = ""
    visible: bool = False
    page: int = 1
    box_x: int = 400
    box_y: int = 60
    box_width: int = 160
    box_height: int = 60


def current_setup() -> SigningSetup | None:
    return db.session.scalar(select(SigningSetup).order_by(SigningSetup.id).limit(1))


def snapshot(setup: SigningSetup) -> dict[str, object]:
    return {name: getattr(setup, name) for name in SetupInput.__dataclass_fields__}


def inside_static(path: Path) -> bool:
    static = Path(current_app.static_folder or "static").resolve()
    return path == static or static in path.parents


def checked_path(value: str, field: str, required: bool) -> str | None:
    value = value.strip()
    if not value:
        if required:
            raise ValidationFailed(_("Wajib diisi."), field=field)
        return None
    path = Path(value)
    if not path.is_absolute() or len(value) > 255:
        raise ValidationFailed(_("Tulis path lengkap (absolut) berkas di server, paling banyak 255 karakter."),
                               field=field)
    if inside_static(path.resolve()):
        raise ValidationFailed(_("Berkas ini tidak boleh berada di folder static/: siapa pun dapat mengunduhnya."),
                               field=field)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ValidationFailed(_("Berkas tidak ditemukan atau tidak dapat dibaca oleh aplikasi."), field=field)
    return value


def checked_env(value: str, field: str) -> str:
    value = value.strip()
    if not ENV_NAME.match(value):
        raise ValidationFailed(_("Tulis nama variabel lingkungan (huruf besar, angka, garis bawah), bukan "
                                 "rahasianya."), field=field)
    return value


def save_setup(actor: User, data: SetupInput) -> SigningSetup:
    """Check and keep the setup (BKD); one audit entry lists what changed."""
    require_global(actor)
    if data.mode not in MODES:
        raise ValidationFailed(_("Pilih cara penandatanganan."), field="mode")
    for field, value, low, high in (("page", data.page, 0, 999), ("box_x", data.box_x, 0, MAX_BOX),
                                    ("box_y", data.box_y, 0, MAX_BOX), ("box_width", data.box_width, 20, MAX_BOX),
                                    ("box_height", data.box_height, 10, MAX_BOX)):
        if not low <= value <= high:
            raise ValidationFailed(_("Antara %(low)s dan %(high)s.", low=low, high=high), field=field)
    values: dict[str, object] = {"mode": data.mode, "visible": data.visible, "page": data.page,
                                 "box_x": data.box_x, "box_y": data.box_y, "box_width": data.box_width,
                                 "box_height": data.box_height, "pkcs12_path": None, "bsre_base_url": None,
                                 "bsre_client_id_env": None, "bsre_client_secret_env": None}
    values["trust_roots_path"] = checked_path(data.trust_roots_path, "trust_roots_path", False)
    if data.mode == LOCAL:
        values["pkcs12_path"] = checked_path(data.pkcs12_path, "pkcs12_path", True)
    elif data.mode == BSRE:
        url = data.bsre_base_url.strip()
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", url) or len(url) > 255:
            raise ValidationFailed(_("Alamat layanan BSrE tidak valid, mis. http://10.0.0.5 atau "
                                     "https://esign.kab.go.id."), field="bsre_base_url")
        values["bsre_base_url"] = url.rstrip("/")
        values["bsre_client_id_env"] = checked_env(data.bsre_client_id_env, "bsre_client_id_env")
        values["bsre_client_secret_env"] = checked_env(data.bsre_client_secret_env, "bsre_client_secret_env")
    setup = current_setup()
    before: dict[str, object] = {}
    if setup is None:
        setup = SigningSetup()
        db.session.add(setup)
    else:
        before = snapshot(setup)
    for name, value in values.items():
        setattr(setup, name, value)
    setup.updated_by_id = actor.id
    db.session.flush()
    text = changes_text(before, snapshot(setup))
    if text:
        audit.record(actor, audit.Change("signing_setup", setup.id, "change_signing", reason=text))
    finish()
    return setup
