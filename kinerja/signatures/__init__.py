"""Electronic signatures (TTE, PAdES) of stored documents: locally with pyHanko from the regency's PKCS#12 file,
or through BSrE's signing API; the signed versions and their check on the public verification page."""

from flask import Blueprint

bp = Blueprint("signatures", __name__, url_prefix="/tte")

from kinerja.signatures import views  # noqa: E402,F401
