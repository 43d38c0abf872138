"""Office duty under a WFO cap: caps per agency, essential units and positions, and the rotating roster."""

from flask import Blueprint

bp = Blueprint("roster", __name__)

from kinerja.roster import views  # noqa: E402,F401
