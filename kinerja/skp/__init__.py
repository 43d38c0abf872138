"""SKP (Sasaran Kinerja Pegawai): the annual plan cascaded from the appraiser's, its approval and realisation."""

from flask import Blueprint

bp = Blueprint("skp", __name__, url_prefix="/skp")

from kinerja.skp import views  # noqa: E402,F401
