"""The server side of the ADMS "iclock" push protocol (kinerja.devices.protocol describes the exchanges).

Every answer is text/plain. An unknown or disabled machine is refused with 403 and the refusal logged; too many
requests from one serial number or one address are refused with 429 before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request
from flask_babel import gettext as _

from kinerja.database import write_transactions
from kinerja.devices import iclock, machine, punches
from kinerja.devices.protocol import command_line
from kinerja.extensions import csrf, db, limiter
from kinerja.models import AttendanceDevice

csrf.exempt(iclock)


def serial_key() -> str:
    return "iclock-sn:" + (request.args.get("SN") or "")[:40]


def address_key() -> str:
    return "iclock-address:" + (request.remote_addr or "")


limiter.shared_limit(lambda: current_app.config["ICLOCK_RATE_LIMIT"], "iclock-sn", key_func=serial_key)(iclock)
limiter.shared_limit(lambda: current_app.config["ICLOCK_ADDRESS_RATE_LIMIT"], "iclock-address",
                     key_func=address_key)(iclock)


def text(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


@iclock.errorhandler(429)
def too_many(_error):
    return text("ERROR: too many requests", 429)


@iclock.errorhandler(413)
def too_large(_error):
    return text("ERROR: upload too large", 413)


@iclock.errorhandler(405)
def wrong_method(_error):
    return text("ERROR: method not allowed", 405)


def machine_request(view: Callable[[AttendanceDevice], Response]) -> Callable[[], Response]:
    """Find the registered, enabled machine of the SN parameter (else 403, logged) and run the view in a
    transaction that may write (the protocol's GETs write: last contact, commands handed over)."""

    @wraps(view)
    def wrapped() -> Response:
        db.session.rollback()
        with write_transactions():
            serial = request.args.get("SN", "")
            device = machine.device_of(serial)
            raw = request.full_path.rstrip("?")
            table = request.path.rsplit("/", 1)[-1]
            if device is None:
                machine.log_refusal(serial, None, table, raw, _("Mesin tidak terdaftar."), request.remote_addr)
                return text("ERROR: unknown device", 403)
            if not device.enabled:
                machine.log_refusal(serial, device, table, raw, _("Mesin dinonaktifkan."), request.remote_addr)
                return text("ERROR: device disabled", 403)
            machine.touch(device, request.remote_addr, request.args.get("pushver"))
            response = view(device)
            db.session.commit()
            return response

    return wrapped


def body_text() -> str:
    limit = current_app.config["ICLOCK_MAX_BODY_KB"] * 1024
    if (request.content_length or 0) > limit:
        from werkzeug.exceptions import RequestEntityTooLarge

        raise RequestEntityTooLarge()
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        from werkzeug.exceptions import RequestEntityTooLarge

        raise RequestEntityTooLarge()
    return data.decode("utf-8", errors="replace")


@iclock.route("/cdata", methods=["GET", "POST"])
@iclock.route("/cdata.aspx", methods=["GET", "POST"])
@machine_request
def cdata(device: AttendanceDevice) -> Response:
    """GET: the handshake (options). POST: an upload of ATTLOG, OPERLOG or options lines."""
    if request.method == "GET":
        return text(machine.options(device))
    table = (request.args.get("table") or "").upper()
    body = body_text()
    if table == "ATTLOG":
        received = punches.receive_attlog(device, body, request.remote_addr)
        machine.keep_stamp(device, table, request.args.get("Stamp"))
        return text(f"OK: {received}")
    if table == "OPERLOG":
        received = machine.receive_operlog(device, body, request.remote_addr)
        machine.keep_stamp(device, table, request.args.get("OpStamp") or request.args.get("Stamp"))
        return text(f"OK: {received}")
    if table == "OPTIONS" or request.args.get("c") == "registry":
        machine.receive_options(device, body)
    return text("OK")


@iclock.route("/getrequest", methods=["GET"])
@iclock.route("/getrequest.aspx", methods=["GET"])
@machine_request
def getrequest(device: AttendanceDevice) -> Response:
    """Commands waiting for the machine, one "C:<id>:<command>" per line, or OK."""
    info = request.args.get("INFO")
    if info:
        machine.receive_options(device, info)
    commands = machine.pending_commands(device)
    if not commands:
        return text("OK")
    return text("\n".join(command_line(command.id, command.command) for command in commands) + "\n")


@iclock.route("/devicecmd", methods=["POST"])
@iclock.route("/devicecmd.aspx", methods=["POST"])
@machine_request
def devicecmd(device: AttendanceDevice) -> Response:
    """Results of the commands the machine ran."""
    machine.record_results(device, body_text())
    return text("OK")
