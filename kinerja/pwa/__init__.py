"""The installable web app: the manifest, the service worker and the page it shows when there is no connection."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from kinerja.pwa import views  # noqa: E402,F401
