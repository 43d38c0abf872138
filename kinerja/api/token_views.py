"""POST /tokens (sign in with NIP or username and password), GET /tokens, DELETE /tokens/<id>."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from kinerja.api import errors, tokens
from kinerja.api.common import ID, PageArgs, api_blueprint, page_of, paginate, public
from kinerja.extensions import limiter
from kinerja.identity import normalize_identity

bp = api_blueprint("tokens", "Token akses pribadi: minta dengan NIP dan kata sandi, lihat, cabut.", "/tokens")


class TokenRequestSchema(ma.Schema):
    nip = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "NIP / NI PPPK / NIK"})
    username = fields.String(validate=validate.Length(min=1, max=60),
                             metadata={"description": "Nama pengguna (admin tanpa NIP)"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=80),
                         metadata={"description": "Nama perangkat atau integrasi, mis. 'HP Android'"})

    @ma.validates_schema
    def one_identity(self, data, **kwargs) -> None:
        if bool(data.get("nip")) == bool(data.get("username")):
            raise ma.ValidationError(_("Isi salah satu: nip atau username."), field_name="nip")


class TokenSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    expired = fields.Method("is_expired", metadata={"type": "boolean"})

    def is_expired(self, token) -> bool:
        return token["expired"] if isinstance(token, dict) else tokens.is_expired(token)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "Rahasia token: hanya ditampilkan sekali"})


TokenPage = page_of(TokenSchema, "TokenPage")


def failed(response) -> bool:
    """Count an attempt against the sign-in limits unless the password was right (as the web does)."""
    return response.status_code not in (201, 403)


def account_key() -> str:
    """The same per-account key as the web sign-in."""
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    identity = data.get("nip") or data.get("username") or ""
    return "login-account:" + normalize_identity(str(identity)[:60]).lower()


@bp.route("", methods=["POST"])
@public
@bp.doc(security=[])
@limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], "sign-in-ip", deduct_when=failed)
@limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], "sign-in-account", key_func=account_key,
                      deduct_when=failed)
@bp.arguments(TokenRequestSchema)
@bp.response(201, IssuedTokenSchema)
def issue(data):
    """Request a token with NIP (or username) and password; rate-limited like the web sign-in."""
    issued = tokens.issue(data.get("nip") or data.get("username"), data["password"], data["name"])
    token = issued.token
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
            "expires_at": token.expires_at, "last_used_at": None, "token": issued.secret, "expired": False}


@bp.route("", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, TokenPage)
def list_tokens(args):
    """Your tokens, active and expired (revoked ones are gone), newest first."""
    return paginate(tokens.own_tokens_select(current_user), args)


@bp.route(f"/<{ID}:token_id>", methods=["DELETE"])
@bp.response(204)
def revoke(token_id: int):
    """Revoke a token: your own; BKD admins any; agency admins those of their agency's staff."""
    token = tokens.load_revocable(current_user, token_id)
    if token is None:
        raise errors.not_found()
    tokens.revoke(current_user, token)
