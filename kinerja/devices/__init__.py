"""Attendance machines (fingerprint / face, ZKTeco and compatibles): the ADMS "iclock" push protocol at /iclock
and the pages where BKD and agency admins register machines and map PINs (/presensi/mesin)."""

from flask import Blueprint

# The machines' side: no sign-in, no CSRF (a machine has neither); a registered serial number is its identity.
iclock = Blueprint("iclock", __name__, url_prefix="/iclock", cli_group=None)
bp = Blueprint("devices", __name__, url_prefix="/presensi/mesin", cli_group=None)

from kinerja.devices import commands, iclock_views, views  # noqa: E402,F401
