"""Account rules: password policy, authentication and session rotation."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from kinerja import clock
from kinerja.auth import passwords
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import normalize_identity
from kinerja.models import Employee, User
from kinerja.models.accounts import new_session_token

# Words Indonesian staff reach for that the international list lacks.
LOCAL_COMMON_PASSWORDS = frozenset(
    {
        "bismillah", "indonesia", "pemkab", "pemkot", "kinerja", "ekinerja", "rahasia", "sayang",
        "merdeka", "garuda", "pancasila", "katasandi", "kabupaten", "kotamadya", "asn", "pns", "admin",
    }
)
_COMMON_PASSWORDS: frozenset[str] | None = None


def common_passwords() -> frozenset[str]:
    global _COMMON_PASSWORDS
    if _COMMON_PASSWORDS is None:
        _COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON_PASSWORDS
    return _COMMON_PASSWORDS


def is_common_password(password: str) -> bool:
    """A listed password, or one with only digits or symbols around a listed word ('bismillah123')."""
    lowered = password.lower()
    core = lowered.strip("0123456789!@#$%^&*.?_- ")
    return lowered in common_passwords() or core in common_passwords() or len(set(lowered)) <= 2


def password_problems(password: str, user: User | None) -> list[str]:
    """Every reason the password is refused, in the user's language (empty when it is acceptable)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Kata sandi minimal %(n)d karakter.", n=minimum))
    if user is not None:
        identities = {user.username or "", user.employee.id_number if user.employee else ""} - {""}
        if any(identity.lower() in password.lower() for identity in identities):
            problems.append(_("Kata sandi tidak boleh memuat NIP atau nama pengguna."))
    if is_common_password(password):
        problems.append(_("Kata sandi terlalu umum dan mudah ditebak."))
    return problems


def hash_password(password: str) -> str:
    return passwords.hash_password(password, current_app.config["PASSWORD_HASH_METHOD"])


_DUMMY_HASH: dict[str, str] = {}


def find_user(identifier: str) -> User | None:
    """The account for a NIP/NI PPPK/NIK or an administrator's username."""
    identifier = identifier.strip()
    if not identifier:
        return None
    number = normalize_identity(identifier)
    if number.isdigit():
        user = db.session.scalar(select(User).join(User.employee).where(Employee.id_number == number))
        if user is not None:
            return user
    return db.session.scalar(select(User).where(User.username == identifier.lower()))


def authenticate(identifier: str, password: str) -> User | None:
    """The enabled account matching the credentials, or None. Takes as long whether or not it exists, for
    accounts hashed with PASSWORD_HASH_METHOD: a hash of an older method costs that method's time until the next
    successful sign-in hashes the password again with PASSWORD_HASH_METHOD (the caller's commit, recording the
    sign-in, stores it). Every employee has an account, so that difference tells nothing about who exists.
    """
    method = current_app.config["PASSWORD_HASH_METHOD"]
    user = find_user(identifier)
    if user is None:
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = passwords.hash_password("dummy-password", method)
        passwords.verify(_DUMMY_HASH[method], password)
        return None
    if not passwords.verify(user.password_hash, password) or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash, method):
        user.password_hash = passwords.hash_password(password, method)
    return user


def record_sign_in(user: User) -> None:
    user.last_login_at = clock.utcnow()
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the user, this one included (the caller signs this one in again)."""
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one and the policy; end the other sessions."""
    if not passwords.verify(user.password_hash, current_password):
        raise ValidationFailed(_("Kata sandi saat ini salah."), field="current_password")
    if current_password == new_password:
        raise ValidationFailed(_("Kata sandi baru harus berbeda dari yang lama."), field="new_password")
    problems = password_problems(new_password, user)
    if problems:
        raise ValidationFailed(" ".join(problems), field="new_password")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.session_token = new_session_token()
    db.session.commit()


def safe_next_url(target: str | None) -> str | None:
    """Accept only a same-site relative path ('/x?y'); refuse '//host', '/\\host' and absolute URLs."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
