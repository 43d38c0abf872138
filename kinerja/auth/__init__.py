"""Sign-in, sign-out, sessions and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from kinerja.auth import views  # noqa: E402,F401
