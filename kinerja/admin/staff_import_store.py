"""Files of the staff import, under the upload folder (never under static), each for one user and removed after
a day at the latest:

- the uploaded file between the dry run and the confirmation, named by a random token and the uploader's id so
  that nobody else can confirm it, removed after the import;
- the new accounts' initial passwords, downloadable once by the importer. The file is named by the importer's id
  and a hash of a random token and encrypted with a key derived from that token, which only the importer's
  result page holds: the passwords are never on disk in clear, not even in a backup of the upload folder.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from cryptography.fernet import Fernet
from flask import current_app
from flask_babel import gettext as _

from kinerja.errors import ValidationFailed
from kinerja.models import User

FOLDER = "staff-import"
MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def staged_path(user: User, token: str) -> Path:
    if not TOKEN.fullmatch(token or ""):
        raise ValidationFailed(_("Berkas yang diperiksa tidak ditemukan lagi. Unggah berkasnya sekali lagi."))
    return folder() / f"{user.id}-{token}.xlsx"


def remove_old(now: float | None = None) -> None:
    now = now or time.time()
    for path in folder().iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > MAX_AGE_SECONDS:
                path.unlink()
        except FileNotFoundError:
            continue


def write_new(path: Path, content: bytes) -> None:
    """Create the file readable by this process's user only; never overwrite one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def stage(user: User, content: bytes) -> str:
    """Keep the checked file for the user's confirmation; returns its token."""
    remove_old()
    token = secrets.token_urlsafe(24)
    write_new(staged_path(user, token), content)
    return token


def staged(user: User, token: str) -> bytes:
    """The file the user staged under the token."""
    path = staged_path(user, token)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationFailed(_("Berkas yang diperiksa tidak ditemukan lagi (mungkin sudah diimpor atau "
                                 "kedaluwarsa). Unggah berkasnya sekali lagi.")) from None


def discard(user: User, token: str) -> None:
    try:
        staged_path(user, token).unlink(missing_ok=True)
    except ValidationFailed:
        return


# --- the initial passwords ------------------------------------------------------------------------------------

def passwords_path(user: User, token: str) -> Path:
    digest = hashlib.sha256(token.encode()).hexdigest()[:40]
    return folder() / f"{user.id}-{digest}.kata-sandi"


def cipher(token: str) -> Fernet:
    """Fernet (AES with an HMAC, from `cryptography`) under a key derived from the token: 192 random bits used
    for this one file only, so a plain SHA-256 is derivation enough."""
    key = hashlib.sha256(b"kinerja staff-import passwords\0" + token.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def keep_passwords(user: User, content: bytes) -> str:
    """Keep the initial passwords' workbook for one download by the user; returns the token that opens it."""
    remove_old()
    token = secrets.token_urlsafe(24)
    write_new(passwords_path(user, token), cipher(token).encrypt(content))
    return token


def take_passwords(user: User, token: str) -> bytes | None:
    """The user's passwords workbook under the token, removed as it is read; None if there is none (another
    user's token, already downloaded, older than a day)."""
    remove_old()
    if not TOKEN.fullmatch(token or ""):
        return None
    path = passwords_path(user, token)
    taken = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
    try:
        path.rename(taken)  # atomic: of two simultaneous downloads only one finds the file
    except FileNotFoundError:
        return None
    try:
        return cipher(token).decrypt(taken.read_bytes())
    finally:
        taken.unlink(missing_ok=True)
