"""How an API request is authenticated: a bearer token only. Session cookies neither authenticate an API call
nor are ever set by one; the language comes from Accept-Language (Indonesian by default)."""

from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask_babel import gettext as _

from kinerja.api import tokens
from kinerja.api.errors import ApiError
from kinerja.auth import UNATTENDED_ENDPOINTS
from kinerja.extensions import login_manager

API_PREFIX = "/api/"


def is_api_request(req) -> bool:
    return req.path.startswith(API_PREFIX)


class NoApiSessions(SessionInterface):
    """Wraps the app's session interface: API requests get an empty session that is never saved."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app: Flask, req):
        if is_api_request(req):
            return SecureCookieSession()
        return self.inner.open_session(app, req)

    def save_session(self, app: Flask, session, response) -> None:
        if is_api_request(request) or request.endpoint in UNATTENDED_ENDPOINTS:
            return
        self.inner.save_session(app, session, response)

    def is_null_session(self, obj) -> bool:
        return self.inner.is_null_session(obj)

    def make_null_session(self, app: Flask):
        return self.inner.make_null_session(app)


def prepare_api_request():
    """First thing on an API request (before the web's session rules): nobody is signed in yet (messages follow
    Accept-Language: kinerja.i18n.select_locale). The blueprint then signs in the token's owner for this request
    only."""
    if not is_api_request(request):
        return None
    g._login_user = login_manager.anonymous_user()
    return None


def bearer_user():
    """The owner of the request's bearer token, or None when there is no usable token."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    user = tokens.user_for(secret.strip())
    if user is not None and user.must_change_password:
        raise ApiError(403, "password_change_required",
                       _("Ganti kata sandi Anda lebih dulu dengan masuk ke aplikasi web."))
    return user


def no_cookies(response):
    """Belt and braces: nothing under /api sets a cookie."""
    if is_api_request(request):
        response.headers.remove("Set-Cookie")
    return response
