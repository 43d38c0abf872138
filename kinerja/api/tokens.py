"""Personal access tokens: issued after the same credential check as the web sign-in, stored as SHA-256,
expiring, revocable by their owner and by admins over the owner's agency."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from kinerja import audit, clock
from kinerja.admin.accounts import agency_of
from kinerja.api.errors import ApiError
from kinerja.auth import services as auth_services
from kinerja.core.assignments import assignment_on
from kinerja.extensions import db
from kinerja.models import User
from kinerja.models.api import ApiToken
from kinerja.permissions import admin_agency_ids, is_global_admin

LAST_USED_EVERY = timedelta(minutes=1)


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(identifier: str, password: str, name: str) -> IssuedToken:
    """Check the credentials as the sign-in page does and issue a token; the secret is returned only here."""
    user = auth_services.authenticate(identifier, password)
    if user is None:
        raise ApiError(401, "invalid_credentials", _("NIP/nama pengguna atau kata sandi salah."))
    if user.must_change_password:
        raise ApiError(403, "password_change_required",
                       _("Ganti kata sandi Anda lebih dulu dengan masuk ke aplikasi web, lalu minta token lagi."))
    secret = secrets.token_urlsafe(32)
    now = clock.utcnow()
    token = ApiToken(user_id=user.id, name=name.strip()[:80], prefix=secret[:8], token_hash=digest(secret),
                     created_at=now, expires_at=now + timedelta(days=current_app.config.get("API_TOKEN_DAYS", 30)))
    db.session.add(token)
    user.last_login_at = now
    db.session.commit()
    return IssuedToken(token, secret)


def user_for(secret: str) -> User | None:
    """The enabled owner of a live token (not revoked, not expired); notes its use at most once a minute."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = clock.utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = token.user
    if not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # A conditional update: concurrent calls do not fight over the row, and a lost race changes nothing.
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token.id,
                                   (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - LAST_USED_EVERY))
            .values(last_used_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    return user


def own_tokens_select(user: User) -> Select:
    """The user's tokens, active and expired (revoked ones are gone from the list), newest first."""
    return (select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def may_revoke(actor: User, token: ApiToken) -> bool:
    """The owner; BKD admins any token; agency admins tokens of their agency's current staff."""
    if token.user_id == actor.id or is_global_admin(actor):
        return True
    agencies = admin_agency_ids(actor)
    if not agencies or token.user.employee_id is None:
        return False
    assignment = assignment_on(token.user.employee_id, clock.today())
    return assignment is not None and assignment.agency_id in agencies


def load_revocable(actor: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or not may_revoke(actor, token):
        return None
    return token


def revoke(actor: User, token: ApiToken) -> None:
    """Revoke the token; audited, since an admin may revoke another person's token."""
    token.revoked_at = clock.utcnow()
    token.revoked_by_id = actor.id
    audit.record(actor, audit.Change("api_token", token.id, "revoke_token", "active", "revoked",
                                     agency_of(token.user), reason=f"{token.user.login_name} {token.prefix}"))
    db.session.commit()


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token.expires_at <= (now or clock.utcnow())
