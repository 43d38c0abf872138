"""SKP (Sasaran Kinerja Pegawai): the annual plan cascaded from the appraiser's, its approval and realisation,
the monthly evaluation and the organisation's predikat distribution check."""

from flask import Blueprint

bp = Blueprint("skp", __name__, url_prefix="/skp")

from kinerja.skp import document_views, evaluation_views, views  # noqa: E402,F401
